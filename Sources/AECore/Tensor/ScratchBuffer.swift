/// A fixed-size, uninitialised-then-zeroed Float buffer owned by a class, for
/// the activations and gradients a training step reuses batch after batch.
///
/// Raw pointers keep the hot loops free of copy-on-write and exclusivity
/// checks that `[Float]` would add on every access.
public final class ScratchBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Zeroed, unless `zeroed` is false: for buffers that are written whole
    /// before they are read (a layer's outputs), zero-filling would only add
    /// stores, which cost inference a fifth of its time in 64-row blocks.
    public init(count: Int, zeroed: Bool = true) {
        self.count = count
        // Aligned like `AlignedFloats`, for the kernels' 64-byte vector loads.
        pointer = AlignedFloats.allocate(count: count)
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
    }

    deinit { pointer.deallocate() }

    public func buffer(count used: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(used <= count, "scratch buffer too small")
        return UnsafeMutableBufferPointer(start: pointer, count: used)
    }
}
