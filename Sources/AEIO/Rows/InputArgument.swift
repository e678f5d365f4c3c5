import AECore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tool's input arguments as the inputs `RowInput` reads in turn. A folder
/// stands for its PNG files, and PNG files next to each other (named one by
/// one or by their folders) make one input, so that their images share
/// batches instead of making a batch each. A file is a PNG by its signature
/// or its name (`.png`, so that one that is not says so).
enum InputArgument {
    /// A file of rows, or stdin (`-`), told apart when it is opened.
    case path(String)
    /// PNG images, one row each.
    case images(PNGRows.Files)

    /// The arguments in order, folders listed and PNG files (told by their
    /// signature) gathered.
    static func gather(_ paths: [String]) throws -> [InputArgument] {
        var gathered: [InputArgument] = []
        for path in paths {
            let files: PNGRows.Files
            if path != "-", isFolder(path) {
                files = try PNGRows.Files(folder: path)
            } else if path != "-", path.lowercased().hasSuffix(".png") || isPNG(path) {
                files = PNGRows.Files(file: path)
            } else {
                gathered.append(.path(path))
                continue
            }
            if case .images(let earlier) = gathered.last {
                gathered[gathered.count - 1] = .images(earlier.followed(by: files))
            } else {
                gathered.append(.images(files))
            }
        }
        return gathered
    }

    static func isFolder(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    private static func isPNG(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        let prefix = try? FileBytes(descriptor: descriptor, source: path, closesDescriptor: true).readPrefix(8)
        return prefix.map(PNGDecoder.hasSignature) ?? false
    }
}
