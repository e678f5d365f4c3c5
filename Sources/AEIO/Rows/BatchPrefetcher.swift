import AECore

/// Reads the next batch of rows on a thread of its own while the tool works
/// on the current one, so parsing overlaps the products and the writing.
///
/// Batches arrive in input order. A read error is delivered after every
/// batch read before it, so a tool still writes the rows in front of a bad
/// row. At most `depth` batches wait, which bounds memory.
final class BatchPrefetcher<Extra: Sendable>: @unchecked Sendable {
    /// What one read produced: a batch (with `Extra` observed right after
    /// reading it), the end of input, or the error that stopped reading.
    enum Delivery {
        case batch(RowBatch, Extra)
        case end
        case failure(Error)
    }

    private let condition = ConditionLock()
    /// The reading closures; dropped by the reading thread before it delivers
    /// its last result, so what they hold (open files) is released by the
    /// consumer, in the program's own time, not by a thread racing exit.
    private var source: (read: (inout RowBatch, Int) throws -> Int, observe: () -> Extra)?
    private var ready: [Delivery] = []
    private var spare: [RowBatch] = []
    private var finished = false
    private let depth: Int

    /// Starts reading at once: `read(&batch, capacity)` fills an empty batch
    /// and returns its row count (0 at the end); `observe` runs after each
    /// read, on the reading thread.
    init(capacity: Int, depth: Int = 2, read: @escaping (inout RowBatch, Int) throws -> Int, observe: @escaping () -> Extra) {
        self.depth = depth
        source = (read, observe)
        DetachedThread.start(stackSize: 1 << 20) { [self] in
            while true {
                var batch = takeSpare()
                let delivery: Delivery
                do {
                    delivery = try source!.read(&batch, capacity) == 0 ? .end : .batch(batch, source!.observe())
                } catch {
                    delivery = .failure(error)
                }
                let isLast: Bool
                if case .batch = delivery { isLast = false } else { isLast = true }
                condition.lock()
                while ready.count >= depth && !finished { condition.wait() }
                let stop = finished
                if isLast || stop { source = nil }
                ready.append(delivery)
                condition.broadcast()
                condition.unlock()
                if isLast || stop { return }
            }
        }
    }

    /// The next delivery, waiting for it if need be.
    func next() -> Delivery {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty { condition.wait() }
        let delivery = ready.removeFirst()
        if case .batch = delivery {} else { ready.insert(delivery, at: 0) }
        condition.broadcast()
        return delivery
    }

    /// Hands a consumed batch back for reuse, keeping its capacity.
    func recycle(_ batch: RowBatch) {
        var batch = batch
        batch.removeAll()
        condition.lock()
        spare.append(batch)
        condition.unlock()
    }

    /// Lets the reading thread stop after its current read.
    func stop() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func takeSpare() -> RowBatch {
        condition.lock()
        defer { condition.unlock() }
        return spare.popLast() ?? RowBatch()
    }
}
