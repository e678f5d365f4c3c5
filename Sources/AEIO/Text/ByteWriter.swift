#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif
import AECore

/// Buffered output to a file descriptor through `write(2)`.
///
/// Output is collected in one large buffer and written when it fills or on
/// `flush()`, which the owner must call before the end; nothing is flushed
/// implicitly. A reader that went away (`ae-score … | head -1`) throws
/// `ReaderClosed`; any other failure is an `AEError` naming the output. The
/// caller keeps ownership of the file descriptor.
public final class ByteWriter {
    /// The output's name in messages: a file name or `<stdout>`.
    public let name: String
    private let fileDescriptor: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var count = 0

    public init(fileDescriptor: Int32, name: String, capacity: Int = 1 << 20) {
        precondition(capacity >= 64, "buffer too small")
        self.fileDescriptor = fileDescriptor
        self.name = name
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity {
            try flush()
            if bytes.count > capacity {
                try writeAll(base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
                return
            }
        }
        (buffer + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes `text` to stdout at once, for tools that print a report rather
    /// than rows.
    public static func writeToStandardOutput(_ text: String) throws {
        let output = ByteWriter(fileDescriptor: STDOUT_FILENO, name: "<stdout>", capacity: 1 << 16)
        try output.write(text)
        try output.flush()
    }

    /// Writes everything buffered so far.
    public func flush() throws {
        let pending = count
        count = 0
        try writeAll(buffer, count: pending)
    }

    @inline(__always)
    func write(byte: UInt8) throws {
        if count == capacity { try flush() }
        buffer[count] = byte
        count += 1
    }

    /// Lets `body` write at most `maximumLength` bytes straight into the
    /// buffer; it returns how many it wrote.
    @inline(__always)
    func writeInPlace(maximumLength: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) throws {
        if capacity - count < maximumLength { try flush() }
        count += body(buffer + count)
    }

    private func writeAll(_ bytes: UnsafePointer<UInt8>, count: Int) throws {
        switch Self.writeAll(bytes, count: count, to: fileDescriptor) {
        case .written:
            return
        case .readerClosed:
            throw ReaderClosed(output: name)
        case .failed(let code):
            throw AEError("cannot write: \(String(cString: strerror(code)))", source: name)
        }
    }

    public enum WriteOutcome: Equatable {
        case written
        /// EPIPE: nobody reads any more (the tools ignore SIGPIPE, so that a
        /// closed stderr cannot kill them; see `ToolCommand`).
        case readerClosed
        case failed(errno: Int32)
    }

    /// Writes all bytes, resuming after partial writes and interruptions.
    public static func writeAll(_ bytes: UnsafePointer<UInt8>, count: Int, to fileDescriptor: Int32) -> WriteOutcome {
        var done = 0
        while done < count {
            let written = systemWrite(fileDescriptor, bytes + done, count - done)
            if written >= 0 {
                done += written
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                var poller = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&poller, 1, -1)
            case EPIPE:
                return .readerClosed
            case let code:
                return .failed(errno: code)
            }
        }
        return .written
    }
}
