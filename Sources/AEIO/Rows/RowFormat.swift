import AECore

/// Output formats a tool can write rows in.
public enum RowFormat: String, CaseIterable, Sendable {
    case ndjson
    case csv
    case tsv
    case h5

    /// The file name extensions (lowercase, without the dot) that choose each
    /// format, in the order messages list them.
    public static let extensions: [(name: String, format: RowFormat)] = [
        ("ndjson", .ndjson), ("jsonl", .ndjson), ("json", .ndjson),
        ("csv", .csv), ("tsv", .tsv),
        ("h5", .h5), ("hdf5", .h5),
    ]

    /// The format a file name extension (any case) chooses, if any.
    public init?(fileExtension: String) {
        let name = fileExtension.lowercased()
        guard let format = Self.extensions.first(where: { $0.name == name })?.format else { return nil }
        self = format
    }

    /// The extension of the last component of `path` (without the dot), or
    /// nil when it has none: `scores.CSV` gives `CSV`; `out`, `.hidden`,
    /// `dir.d/out` and `-` give nil.
    public static func fileExtension(of path: String) -> String? {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let suffix = name[name.index(after: dot)...]
        return suffix.isEmpty ? nil : String(suffix)
    }
}
