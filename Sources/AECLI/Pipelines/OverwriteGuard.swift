#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore
import AEIO

/// A file a tool reads, which its output must not replace.
public struct ReadFile: Sendable {
    /// The path, or nil (or `-`) for stdin.
    public var path: String?
    /// What the file is to the tool, in messages: "the model file".
    public var role: String

    public init(_ path: String?, role: String) {
        self.path = path
        self.role = role
    }

    public static func model(_ path: String) -> ReadFile { ReadFile(path, role: "the model file") }
    public static func input(_ path: String?) -> ReadFile { ReadFile(path, role: "the input") }
    /// A tool's input files (none: stdin).
    public static func inputs(_ paths: [String]) -> [ReadFile] { paths.isEmpty ? [input(nil)] : paths.map(input) }
}

/// Keeps a tool from writing its output over its model or one of its inputs
/// (`ae-encode m.h5 x.ndjson -o m.h5` would otherwise replace the model with
/// latent codes). Files are compared by device and inode, so a symbolic or a
/// hard link to the model is caught like its own name, and so is stdout
/// redirected onto an input. Only regular files are compared: /dev/null as
/// input and output is no conflict.
public enum OverwriteGuard {
    /// Throws, before anything is written, when `output` (nil or `-` for
    /// stdout; `option` names it in the message, such as "-o") is the same
    /// file as one of `reads`.
    public static func check(output: String?, option: String, against reads: [ReadFile]) throws {
        let toStdout = output == nil || output == "-"
        guard let target = identity(of: output, standardStream: STDOUT_FILENO) else { return }
        for read in reads where identity(of: read.path, standardStream: STDIN_FILENO) == target {
            let written = toStdout ? "stdout" : "\(option) \(output!)"
            let readName: String
            switch read.path {
            case nil, "-": readName = " (stdin)"
            case output: readName = ""
            case let path?: readName = " " + path
            }
            throw AEError("\(written) is \(read.role)\(readName); refusing to write over it")
        }
    }

    private struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    /// The device and inode of the regular file at `path` (nil or `-`: the
    /// standard stream `descriptor` stands for), following symbolic links;
    /// nil when there is none.
    private static func identity(of path: String?, standardStream descriptor: Int32) -> Identity? {
        var status = stat()
        let found = path == nil || path == "-" ? fstat(descriptor, &status) : stat(path!, &status)
        guard found == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }
}
