import Foundation

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

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
