#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore

/// Bytes that a text reader pulls in chunks: a file descriptor, or what a
/// decompressor makes of one. The readers of rows see only this, so gzip is
/// a layer under them, not a concern of theirs.
public protocol ByteSource: AnyObject {
    /// Reads up to `count` bytes into `buffer` and returns how many; 0 only
    /// at the end.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(AEError) -> Int
}

extension ByteSource {
    /// Reads until `count` bytes or the end, whichever comes first.
    public func readPrefix(_ count: Int) throws(AEError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try bytes.withUnsafeMutableBufferPointer { buffer throws(AEError) in
                try read(into: buffer.baseAddress! + filled, count: count - filled)
            }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes[..<filled])
    }

    /// Everything up to the end (an HDF5 image from a pipe or a gzip file).
    public func readToEnd() throws(AEError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { buffer throws(AEError) in
                try read(into: buffer.baseAddress!, count: buffer.count)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<n])
        }
    }
}

/// The bytes of a file descriptor, read with `read(2)`; a descriptor in
/// non-blocking mode (a pipe handed over by some shells) is waited on.
public final class FileBytes: ByteSource {
    let descriptor: Int32
    private let source: String
    private let closesDescriptor: Bool

    /// `closesDescriptor`: whether this owns the descriptor (a file it was
    /// opened for) or only borrows it (stdin, a caller's descriptor).
    public init(descriptor: Int32, source: String, closesDescriptor: Bool) {
        self.descriptor = descriptor
        self.source = source
        self.closesDescriptor = closesDescriptor
    }

    deinit {
        if closesDescriptor { close(descriptor) }
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(AEError) -> Int {
        while true {
            let n = Glibc.read(descriptor, buffer, count)
            if n >= 0 { return n }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&poller, 1, -1)
            default:
                throw AEError("cannot read: \(String(cString: strerror(errno)))", source: source)
            }
        }
    }
}

/// Bytes already taken from a source (while telling formats apart), then
/// the rest of that source.
final class PrefixedBytes: ByteSource {
    private var prefix: [UInt8]
    private var prefixOffset = 0
    private let rest: ByteSource

    init(_ prefix: [UInt8], then rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(AEError) -> Int {
        guard prefixOffset < prefix.count else { return try rest.read(into: buffer, count: count) }
        let n = min(count, prefix.count - prefixOffset)
        prefix.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + prefixOffset, count: n) }
        prefixOffset += n
        return n
    }
}
