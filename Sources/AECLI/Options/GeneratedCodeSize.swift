import AECore
import AEIO
import Glibc

/// The size of the codes ae-interp generates without reading rows (`--grid`,
/// `--sample`), and what its output header passes on.
public enum GeneratedCodeSize {
    /// The latent size from, in this order: the model argument (checked
    /// against `--dim` when both are given), `--dim`, the header record of the
    /// input (a file argument, or stdin unless it is a terminal; only the
    /// header is read), `$AE_MODEL`. Also returns the input header and the
    /// model path to pass on.
    public static func locate(
        dim: Int?, modelPath: String?, inputPath: String?
    ) throws -> (width: Int, header: JSONValue?, modelPath: String?) {
        if let modelPath {
            let width = try ModelFile.load(modelPath).network.latentWidth
            if let dim, dim != width {
                throw AEError("--dim \(dim) does not match the model's latent size \(width)", source: modelPath)
            }
            return (width, nil, modelPath)
        }
        if let dim { return (dim, nil, nil) }
        var header: JSONValue?
        if inputPath != nil || isatty(STDIN_FILENO) == 0 {
            let input = try RowInput(paths: inputPath.map { [$0] } ?? [], field: "z", dataset: "z")
            header = input.header
            try StreamHeader.require(.latent, in: header, source: input.source)
            if let width = StreamHeader.width(in: header) { return (width, header, nil) }
        }
        guard (try? ModelLocator.path(explicit: nil, header: header)) != nil else {
            throw AEError(
                "no latent size: give --dim D, a model as the first argument, an input whose header record names one, "
                    + "or $AE_MODEL")
        }
        let (model, path) = try ModelLocator.load(explicit: nil, header: header)
        let namedByHeader = StreamHeader.modelPath(in: header) != nil
        return (model.network.latentWidth, header, namedByHeader ? nil : path)
    }
}
