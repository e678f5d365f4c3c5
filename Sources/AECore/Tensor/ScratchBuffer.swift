/// A fixed-size, uninitialised-then-zeroed Float buffer owned by a class, for
/// the activations and gradients a training step reuses batch after batch.
///
/// Raw pointers keep the hot loops free of copy-on-write and exclusivity
/// checks that `[Float]` would add on every access.
public final class ScratchBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = count
        // Aligned like `AlignedFloats`, for the kernels' 64-byte vector loads.
        pointer = AlignedFloats.allocate(count: count)
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    public func buffer(count used: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(used <= count, "scratch buffer too small")
        return UnsafeMutableBufferPointer(start: pointer, count: used)
    }
}
