import AECore
import Dispatch

/// Streams batches through `read` → `compute` → `commit` on `workers`
/// threads: each thread reads a batch (one thread at a time, in input
/// order), computes it alone, and hands it on; results are committed one at
/// a time in input order by whichever thread completes the sequence.
///
/// Why not a reading thread plus a pool that splits every product? On two
/// cores, the reading thread takes a core from one half of each split
/// product and the other half waits at the join; with whole batches per
/// thread there is no join to wait at, and reading is just another stage
/// that one thread does while the other computes.
///
/// A `read` error is thrown after every batch read before it has been
/// committed, so the rows in front of a bad row are still written. A
/// `commit` error stops the pipeline and is thrown. At most twice `workers`
/// batches are in flight, which bounds memory.
public enum BatchPipeline {
    public static func run<Item, Result>(
        workers: Int,
        read: () throws -> Item?,
        compute: (Item) -> Result,
        commit: (Item, Result) throws -> Void
    ) throws {
        precondition(workers >= 1, "a pipeline needs at least one worker")
        let state = PipelineState<Item, Result>(capacity: 2 * workers)
        withoutActuallyEscaping(read) { read in
            withoutActuallyEscaping(compute) { compute in
                withoutActuallyEscaping(commit) { commit in
                    let stages = UncheckedSendable((read, compute, commit))
                    let work = { state.work(read: stages.value.0, compute: stages.value.1, commit: stages.value.2) }
                    if workers == 1 {
                        work()
                    } else {
                        DispatchQueue.concurrentPerform(iterations: workers) { _ in work() }
                    }
                }
            }
        }
        if let error = state.failure { throw error }
    }
}

/// What the pipeline's threads share. `reading` serialises `read` (and
/// guards the read position); `condition` guards the rest, and is never
/// held during a read, so a thread that finished computing can hand its
/// batch on while another reads.
private final class PipelineState<Item, Result>: @unchecked Sendable {
    private let reading = ConditionLock()
    private let condition = ConditionLock()
    private let capacity: Int
    private var nextToRead = 0
    private var nextToCommit = 0
    /// Computed batches waiting for the ones in front of them.
    private var finished: [Int: (Item, Result)] = [:]
    /// Batches read (or being read) and not yet committed or dropped.
    private var inFlight = 0
    private var committing = false
    /// Set with both locks held, so either one makes it safe to read.
    private var readingEnded = false
    private var readFailure: Error?
    /// The error that ended the pipeline: the first commit error, else the
    /// read error (thrown once everything read before it is committed).
    private(set) var failure: Error?

    init(capacity: Int) {
        self.capacity = capacity
    }

    func work(read: () throws -> Item?, compute: (Item) -> Result, commit: (Item, Result) throws -> Void) {
        while reserveSlot(), let (sequence, item) = readNext(read) {
            let result = compute(item)
            condition.lock()
            finished[sequence] = (item, result)
            commitInOrder(commit)
            condition.unlock()
        }
        // A read error waits for the batches in front of it, which the
        // threads still computing them commit.
        condition.lock()
        while inFlight > 0 && failure == nil { condition.wait() }
        if failure == nil, let readFailure { failure = readFailure }
        condition.unlock()
    }

    /// Waits until fewer than `capacity` batches are in flight and counts
    /// one more; false once reading has ended or the pipeline failed.
    private func reserveSlot() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while inFlight >= capacity && !readingEnded && failure == nil { condition.wait() }
        guard !readingEnded, failure == nil else { return false }
        inFlight += 1
        return true
    }

    /// The next batch and its place in the input; nil at the end of input,
    /// on a read error, or once another thread met either (the slot that
    /// `reserveSlot` counted is given back then).
    private func readNext(_ read: () throws -> Item?) -> (Int, Item)? {
        reading.lock()
        defer { reading.unlock() }
        var item: Item?
        if !readingEnded {
            do { item = try read() } catch { readFailure = error }
        }
        condition.lock()
        defer { condition.unlock() }
        guard let item else {
            readingEnded = true
            inFlight -= 1
            condition.broadcast()
            return nil
        }
        defer { nextToRead += 1 }
        return (nextToRead, item)
    }

    /// Commits the finished batches that are next in order, unless another
    /// thread is already doing so (it takes these too). Called locked.
    private func commitInOrder(_ commit: (Item, Result) throws -> Void) {
        guard !committing else { return }
        committing = true
        while failure == nil, let (item, result) = finished.removeValue(forKey: nextToCommit) {
            condition.unlock()
            var error: Error?
            do { try commit(item, result) } catch let thrown { error = thrown }
            condition.lock()
            if let error, failure == nil { failure = error }
            nextToCommit += 1
            inFlight -= 1
            condition.broadcast()
        }
        if failure != nil {
            inFlight -= finished.count
            finished.removeAll()
            condition.broadcast()
        }
        committing = false
    }
}
