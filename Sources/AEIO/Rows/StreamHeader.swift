import AECore
import FoundationEssentials

/// The header record `{"ae": {...}}` that starts ae's streams, so the next
/// tool in a pipe knows the model and the space of the rows it reads.
public enum StreamHeader {
    public enum Space: String, Sendable {
        case data
        case latent
    }

    /// A header naming `modelPath` (made absolute, so the pipe may cross
    /// directories) and the rows' `space` and `width`.
    public static func make(modelPath: String, space: Space, width: Int) -> JSONValue {
        .object([
            ("model", .string(absolute(modelPath))),
            ("space", .string(space.rawValue)),
            ("width", .number(Double(width))),
        ])
    }

    /// The model path a header names, if any.
    public static func modelPath(in header: JSONValue?) -> String? {
        if case .string(let path)? = header?["model"] { return path }
        return nil
    }

    /// The row width a header declares, if any.
    public static func width(in header: JSONValue?) -> Int? {
        guard case .number(let width)? = header?["width"], width >= 1, width <= Double(Int32.max),
              width == width.rounded() else { return nil }
        return Int(width)
    }

    /// The number of images per grid row the stream suggests (ae-interp
    /// writes `"cols"` so that ae-decode draws one path per grid row).
    public static func gridColumns(in header: JSONValue?) -> Int? {
        guard case .number(let columns)? = header?["cols"], columns >= 1, columns <= Double(Int32.max),
              columns == columns.rounded() else { return nil }
        return Int(columns)
    }

    /// Stops with an error when the header says the rows are in another
    /// space than the tool reads (data rows fed to a latent-space tool).
    public static func require(_ space: Space, in header: JSONValue?, source: String) throws {
        guard case .string(let named)? = header?["space"], named != space.rawValue else { return }
        throw AEError(
            "the stream's header record says its rows are in \"\(named)\" space; this tool reads \(space.rawValue) rows",
            source: source)
    }

    /// The header of a latent stream made from another: `input`'s members
    /// kept (so a pipeline's model travels on), the model replaced when one
    /// is named, and space, width and the grid hint set. Without an input
    /// header and a model, the header names no model; ae-decode then needs
    /// one given to it.
    public static func passingOn(_ input: JSONValue?, modelPath: String?, width: Int?, gridColumns: Int?) -> JSONValue {
        var header: JSONValue = if case .object? = input { input! } else { .object([]) }
        if let modelPath { header["model"] = .string(absolute(modelPath)) }
        header["space"] = .string(Space.latent.rawValue)
        if let width { header["width"] = .number(Double(width)) }
        header["cols"] = gridColumns.map { .number(Double($0)) }
        return header
    }

    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
