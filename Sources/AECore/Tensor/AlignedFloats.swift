/// A Float array whose first element sits on a 64-byte boundary, with the
/// value semantics of `[Float]` (copy on write).
///
/// `[Float]` puts its elements after a header in a malloc'd block, 16 bytes
/// past a 64-byte boundary or 48; then every 64-byte vector load the sparse
/// product makes from a weight row spans two cache lines, and that kernel
/// ran at 46 instead of 65 GFLOPS (MNIST rows, 784x400). A model's
/// parameters live here so that its first layer's weights start aligned.
public struct AlignedFloats: RandomAccessCollection, MutableCollection, Equatable, Sendable {
    /// The bytes of one AVX-512 vector and of a cache line.
    public static let alignment = 64

    private final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        let count: Int

        init(count: Int) {
            self.count = count
            pointer = AlignedFloats.allocate(count: count)
        }

        deinit { pointer.deallocate() }
    }

    private var storage: Storage

    /// Uninitialised room for `count` floats (at least one) on a 64-byte
    /// boundary; free it with `deallocate()`.
    static func allocate(count: Int) -> UnsafeMutablePointer<Float> {
        let capacity = Swift.max(count, 1)
        return UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: alignment)
            .bindMemory(to: Float.self, capacity: capacity)
    }

    public init(repeating value: Float, count: Int) {
        storage = Storage(count: count)
        storage.pointer.initialize(repeating: value, count: count)
    }

    public init(_ values: some Collection<Float>) {
        storage = Storage(count: values.count)
        _ = UnsafeMutableBufferPointer(start: storage.pointer, count: values.count).initialize(from: values)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    public subscript(index: Int) -> Float {
        get {
            precondition(index >= 0 && index < storage.count, "index out of range")
            return storage.pointer[index]
        }
        set {
            precondition(index >= 0 && index < storage.count, "index out of range")
            makeUnique()
            storage.pointer[index] = newValue
        }
    }

    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    public static func == (lhs: AlignedFloats, rhs: AlignedFloats) -> Bool {
        lhs.storage === rhs.storage || lhs.elementsEqual(rhs)
    }

    private mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&storage) else { return }
        let copy = Storage(count: storage.count)
        copy.pointer.initialize(from: storage.pointer, count: storage.count)
        storage = copy
    }
}
