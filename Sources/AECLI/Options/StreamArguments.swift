import AECore
import AEIO
import ArgumentParser

/// What a tool's `[MODEL] [INPUT...]` arguments say in its help.
public protocol StreamArgumentsHelp {
    static var model: String { get }
    static var input: String { get }
}

/// The positional `[MODEL] [INPUT...]` arguments of the tools that read rows
/// through a model; one definition serves help, man pages and completions.
public struct StreamArguments<Help: StreamArgumentsHelp>: ParsableArguments {
    @Argument(help: ArgumentHelp(Help.model, valueName: "model"), completion: .file())
    public var model: String?

    @Argument(help: ArgumentHelp(Help.input, valueName: "input"), completion: .file())
    public var inputs: [String] = []

    public init() {}

    /// The model and the inputs, the first argument taken as the model
    /// or not as `ModelLocator.split` says.
    public var resolved: (model: String?, inputs: [String]) { ModelLocator.split(model, inputs) }
}

/// The input formats, as the tools' help names them.
let inputFormatsHelp = "NDJSON, CSV/TSV, a JSON array of rows or HDF5, each also gzip-compressed"

/// Help for tools that read data rows (ae-encode, ae-score).
public enum DataRowsHelp: StreamArgumentsHelp {
    public static var model: String { "The model file (default: the stream's header record, else $AE_MODEL)." }
    public static var input: String {
        "Data rows: \(inputFormatsHelp), or PNG images (files, or folders of them); several are read in order (default: stdin)."
    }
}

/// Help for ae-decode, which reads latent rows.
public enum LatentRowsHelp: StreamArgumentsHelp {
    public static var model: String { DataRowsHelp.model }
    public static var input: String { "Latent rows: \(inputFormatsHelp); several are read in order (default: stdin)." }
}

/// Help for ae-interp, for which a model is optional.
public enum LatentWalkHelp: StreamArgumentsHelp {
    public static var model: String { "The model file (optional: sets the latent size and the model the header names)." }
    public static var input: String { LatentRowsHelp.input }
}
