#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore

/// The bytes a text reader has read from its source and not yet consumed,
/// in one buffer that grows only when what it must keep fills it, so a line
/// or record of any length works and ordinary ones cost no allocation.
///
/// One byte past the data is always free (and 0 after each read), so a
/// reader can end a line there; `readableBytesPastEnd` bytes past the
/// capacity may be read too (their values are unspecified), so a scanner
/// may load a word at any index up to `count`.
final class ReadBuffer {
    static let readableBytesPastEnd = 8

    /// Valid until the next `refill`, which may move the bytes.
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    /// How many bytes it holds.
    private(set) var count = 0
    /// Whether the source has ended.
    private(set) var reachedEnd = false
    private var capacity: Int
    private let source: ByteSource

    /// `capacity`: the first size, and so the largest read.
    init(_ source: ByteSource, capacity: Int) {
        precondition(capacity >= 2, "chunk size too small")
        self.source = source
        self.capacity = capacity
        bytes = Self.allocate(capacity: capacity)
        bytes[0] = 0
    }

    deinit {
        bytes.deallocate()
    }

    private static func allocate(capacity: Int) -> UnsafeMutablePointer<UInt8> {
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + readableBytesPastEnd)
        (bytes + capacity).initialize(repeating: 0, count: readableBytesPastEnd)
        return bytes
    }

    /// Drops the first `dropped` bytes (the rest move to the front), doubles
    /// the buffer when what is kept fills it, and reads what fits; at the end
    /// of the source it sets `reachedEnd` and reads nothing.
    func refill(droppingFirst dropped: Int) throws(AEError) {
        guard !reachedEnd else { return }
        if dropped > 0 {
            memmove(bytes, bytes + dropped, count - dropped)
            count -= dropped
        }
        if count == capacity - 1 {
            let grown = Self.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: bytes, count: count)
            bytes.deallocate()
            bytes = grown
            capacity *= 2
        }
        let read = try source.read(into: bytes + count, count: capacity - 1 - count)
        if read == 0 { reachedEnd = true }
        count += read
        bytes[count] = 0
    }
}
