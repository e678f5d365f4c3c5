import Dispatch

/// Runs a fixed number of independent tasks across `threads` threads.
///
/// ae keeps OpenBLAS single-threaded and splits work itself: OpenBLAS's own
/// threading makes the small products of MLP training up to 40x slower on
/// some machines (e.g. with OPENBLAS_CORETYPE set), while two single-threaded
/// products on halves of the output scale cleanly. Tasks are split by index
/// alone, so results depend on the thread count and never on scheduling.
public struct WorkerPool: Sendable {
    public let threads: Int

    /// One thread: for work that is already spread over threads a level up
    /// (each `BatchPipeline` thread computes its own batch).
    public static let serial = WorkerPool(threads: 1)

    public init(threads: Int) {
        precondition(threads >= 1, "a pool needs at least one thread")
        self.threads = threads
    }

    /// Calls `body(task)` for every task in `0..<tasks`, in parallel when the
    /// pool has more than one thread. Tasks must write disjoint memory.
    public func run(tasks: Int, _ body: (Int) -> Void) {
        if threads == 1 || tasks <= 1 {
            for task in 0..<tasks { body(task) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let unchecked = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: tasks) { unchecked.value($0) }
        }
    }

    /// Splits `0..<count` into at most `threads` contiguous ranges of nearly
    /// equal size, each at least `minimum` long (the last may be shorter).
    public func partition(_ count: Int, minimum: Int = 1) -> [Range<Int>] {
        let parts = max(1, min(threads, count / max(minimum, 1)))
        return (0..<parts).map { part in
            (count * part / parts) ..< (count * (part + 1) / parts)
        }
    }
}

/// Carries a value into a `@Sendable` closure when the caller guarantees the
/// accesses are disjoint (each task touches its own slice).
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
