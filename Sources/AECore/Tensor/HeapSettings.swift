import CKernels

/// How malloc treats the blocks a batch allocates (its matrices are
/// megabytes each).
public enum HeapSettings {
    /// Keeps freed blocks of up to 32 MB in the heap for the next batch.
    ///
    /// By default glibc maps each such block freshly and unmaps it when it is
    /// freed (it learns larger thresholds only from the main thread's heap),
    /// so every batch that `BatchPipeline` computed on another thread paid
    /// page faults and zero-filling for all its matrices: a third more CPU
    /// time in ae-score. Freed blocks now stay for reuse, and the heap gives
    /// memory back once 64 MB lie free at its top.
    public static func keepBatchBlocks() {
        ae_keep_freed_blocks(32 << 20, 64 << 20)
    }
}
