import AECore
import Glibc

/// Writes whole files so that a reader never sees a partial one: the bytes go
/// to a fresh temporary file in the target's directory (same file system, so
/// the rename is atomic), are flushed to disk, and the file is then renamed
/// over the target. Any failure removes the temporary file and leaves the
/// target as it was.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        func failure(_ code: Int32) -> AEError {
            AEError("cannot write \(path): \(String(cString: strerror(code)))")
        }
        if TemporaryFiles.isStreamTarget(path) {
            let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            guard descriptor >= 0 else { throw failure(errno) }
            guard let code = writeAll(bytes, to: descriptor, sync: false) else { return }
            // A pipe's reader that went away ends the tool as on stdout.
            if code == EPIPE { throw ReaderClosed(output: path) }
            throw failure(code)
        }
        let (temporaryPath, descriptor) = try TemporaryFiles.create(beside: path)
        if let code = writeAll(bytes, to: descriptor, sync: true) {
            TemporaryFiles.discard(temporaryPath)
            throw failure(code)
        }
        try TemporaryFiles.commit(temporaryPath, to: path)
    }

    /// Writes everything, optionally fsyncs, and closes `descriptor`;
    /// returns the errno of the first failure, or nil.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, sync: Bool) -> Int32? {
        var firstError: Int32?
        let outcome = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { ByteWriter.writeAll($0, count: buffer.count, to: descriptor) } ?? .written
        }
        switch outcome {
        case .written: break
        case .readerClosed: firstError = EPIPE
        case .failed(let code): firstError = code
        }
        if firstError == nil, sync, fsync(descriptor) != 0 { firstError = errno }
        if close(descriptor) != 0, firstError == nil { firstError = errno }
        return firstError
    }
}
