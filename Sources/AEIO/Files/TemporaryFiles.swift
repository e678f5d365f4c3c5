import AECore
import Glibc

/// Output files being written under a temporary name, removed if the tool
/// stops on an error before renaming them into place.
///
/// Tools exit through `Diagnostics.fail`, which skips deinitialisers; the
/// registry lets that path still clean up, so a failed run leaves neither a
/// partial file under the final name nor a stray temporary beside it.
public enum TemporaryFiles {
    nonisolated(unsafe) private static var paths: Set<String> = []
    private static let lock = ConditionLock()

    /// Creates and opens a fresh file `.<name>.<random>.tmp` in the same
    /// directory as `path` (so the final rename stays within one file system),
    /// registered for removal. Its mode is 0666 less the umask, like any new file.
    public static func create(beside path: String) throws -> (path: String, descriptor: Int32) {
        let path = followingSymbolicLink(path)
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        while true {
            let candidate = "\(directory).\(name).\(String(UInt32.random(in: .min ... .max), radix: 16)).tmp"
            // Created and registered under the lock, so that a signal's
            // `removeAll` finds every file there is.
            let descriptor = lock.withLock {
                let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
                if descriptor >= 0 { paths.insert(candidate) }
                return descriptor
            }
            if descriptor >= 0 { return (candidate, descriptor) }
            if errno != EEXIST { throw AEError("cannot write \(path): \(String(cString: strerror(errno)))") }
        }
    }

    /// Renames `temporary` to `path`, ending its registration: both under
    /// the lock, so a signal's `removeAll` finds the file under one name.
    public static func commit(_ temporary: String, to path: String) throws {
        let target = followingSymbolicLink(path)
        let failure: Int32? = lock.withLock {
            defer { paths.remove(temporary) }
            guard rename(temporary, target) == 0 else {
                let code = errno
                unlink(temporary)
                return code
            }
            return nil
        }
        if let failure { throw AEError("cannot write \(path): \(String(cString: strerror(failure)))") }
    }

    /// Where a symbolic link at `path` points, so that writing through a link
    /// replaces its target, as writing in place would, rather than the link
    /// itself (and a link to a directory is refused like the directory).
    /// `path` itself when it is no link or a dangling one.
    private static func followingSymbolicLink(_ path: String) -> String {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK,
              let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Removes `temporary` and ends its registration.
    public static func discard(_ temporary: String) {
        lock.withLock { _ = paths.remove(temporary) }
        unlink(temporary)
    }

    /// Whether `path` names a terminal, pipe, socket or device (such as
    /// /dev/stdout or /dev/null): those are written in place, since renaming a
    /// file over them would replace the node itself.
    public static func isStreamTarget(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        let type = status.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    /// Removes every registered file; called on the way out after an error.
    public static func removeAll() {
        lock.withLock {
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }
}
