import AECore
import AEIO
import ArgumentParser

/// What a tool's `-o` can write: rows, and for ae-decode also a PNG grid.
public protocol OutputFileKinds {
    /// Whether `-o FILE.png` draws the rows as a grid of images.
    static var drawsPNG: Bool { get }
}

/// Rows only: ae-encode, ae-score, ae-interp.
public enum RowFiles: OutputFileKinds {
    public static var drawsPNG: Bool { false }
}

/// Rows, or a PNG grid of them: ae-decode.
public enum RowOrPNGFiles: OutputFileKinds {
    public static var drawsPNG: Bool { true }
}

/// Where a tool writes its rows, and in which format.
public struct OutputOptions<Files: OutputFileKinds>: ParsableArguments {
    @Option(name: [.short, .customLong("output")], help: ArgumentHelp(
        "Write to this file instead of stdout (- is stdout); its extension picks the format: \(OutputFileNames.accepted(png: Files.drawsPNG)).",
        valueName: "file"),
        completion: .file())
    public var output: String?

    @Option(help: ArgumentHelp(
        "Output format (default: from the -o file's extension, else ndjson).", valueName: RowFormat.choices))
    public var format: RowFormat?

    @Flag(help: "Leave out the header record that names the model and the space (NDJSON, HDF5).")
    public var noHeader = false

    public init() {}

    /// Refuses an `-o` extension that no writer handles, unless `--format`
    /// says what to write.
    public func validate() throws {
        guard format == nil, let output, let suffix = RowFormat.fileExtension(of: output),
              RowFormat(fileExtension: suffix) == nil, !(Files.drawsPNG && suffix.lowercased() == "png")
        else { return }
        let drawing = suffix.lowercased() == "png" ? " (only ae-decode draws PNG)" : ""
        throw ValidationError(
            "-o \(output): no output format has the extension .\(suffix)\(drawing); name a file "
                + "\(OutputFileNames.accepted(png: Files.drawsPNG)), or give --format")
    }

    /// Whether `-o` names a .png file (and no --format overrides that).
    public var drawsPNG: Bool {
        guard Files.drawsPNG, format == nil, let output else { return false }
        return RowFormat.fileExtension(of: output)?.lowercased() == "png"
    }

    /// Opens the output (`-o`, else stdout) once it is sure to be none of
    /// the files the tool reads.
    public func open(sparing reads: [ReadFile]) throws -> RowOutput {
        try check(sparing: reads)
        return try RowOutput(path: output, format: format)
    }

    /// Refuses an output that is one of `reads` (see `OverwriteGuard`).
    public func check(sparing reads: [ReadFile]) throws {
        try OverwriteGuard.check(output: output, option: "-o", against: reads)
    }
}

/// The file name extensions `-o` accepts, for help and messages.
enum OutputFileNames {
    /// `.ndjson/.jsonl/.json, .csv, .tsv, .h5/.hdf5` (and `.png`).
    static func accepted(png: Bool) -> String {
        var groups = RowFormat.allCases.map { format in
            RowFormat.extensions.filter { $0.format == format }.map { "." + $0.name }.joined(separator: "/")
        }
        if png { groups.append(".png (a grid of images)") }
        return groups.joined(separator: ", ")
    }
}
