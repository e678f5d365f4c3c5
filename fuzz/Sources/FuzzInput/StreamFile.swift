import Glibc

/// One unlinked temporary file, rewritten for every input: the readers want
/// a file descriptor, and a pipe would need a writer thread for long inputs.
public final class StreamFile {
    nonisolated(unsafe) public static let shared = StreamFile()

    private let descriptor: Int32

    private init() {
        var template = Array("/tmp/ae-fuzz-stream-XXXXXX".utf8CString)
        descriptor = mkstemp(&template)
        precondition(descriptor >= 0, "cannot create the fuzz input file")
        unlink(template)
    }

    /// The descriptor, holding exactly `bytes`.
    public func holding(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        ftruncate(descriptor, 0)
        var written = 0
        while written < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(written))
            precondition(count > 0, "cannot write the fuzz input file")
            written += count
        }
        return descriptor
    }
}
