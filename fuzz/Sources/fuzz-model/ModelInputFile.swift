import Glibc

/// Writes each input to a new file name: HDF5 identifies open files by
/// name, so reusing one name could let state from a previous input whose
/// file the library failed to close leak into the next.
enum ModelInputFile {
    nonisolated(unsafe) private static var count = 0

    static func write(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        count += 1
        let path = "/tmp/ae-fuzz-model-\(getpid())-\(count).h5"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "cannot create \(path)")
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let chunk = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            precondition(chunk > 0, "cannot write \(path)")
            written += chunk
        }
        return path
    }
}
