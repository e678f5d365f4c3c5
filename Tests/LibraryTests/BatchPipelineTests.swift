import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// `BatchPipeline`: reads in turn, computes in parallel, commits in order.
final class BatchPipelineTests: XCTestCase {
    private struct Failure: Error, Equatable {
        let item: Int
    }

    /// Counts what the stages saw, from any thread.
    private final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var committed: [Int] = []
        private(set) var reads = 0
        private(set) var concurrentReads = 0
        private(set) var mostConcurrentReads = 0
        private(set) var mostInFlight = 0

        func startRead() {
            lock.withLock {
                concurrentReads += 1
                mostConcurrentReads = max(mostConcurrentReads, concurrentReads)
            }
        }

        func endRead() -> Int {
            lock.withLock {
                concurrentReads -= 1
                reads += 1
                mostInFlight = max(mostInFlight, reads - committed.count)
                return reads - 1
            }
        }

        func commit(_ item: Int) {
            lock.withLock { committed.append(item) }
        }
    }

    /// Runs items 0..<count through a pipeline whose compute takes longer for
    /// early items, so later ones finish first and must wait their turn.
    private func run(
        count: Int, workers: Int, failingRead: Int? = nil, failingCommit: Int? = nil, record: Record
    ) throws {
        try BatchPipeline.run(
            workers: workers,
            read: { () throws -> Int? in
                record.startRead()
                let item = record.endRead()
                if item == failingRead { throw Failure(item: item) }
                return item < count ? item : nil
            },
            compute: { item in
                usleep(UInt32((item % 3 == 0 ? 3 : 0) * 1000))
                return item * item
            },
            commit: { item, square in
                XCTAssertEqual(square, item * item, "item \(item) committed with another item's result")
                if item == failingCommit { throw Failure(item: item) }
                record.commit(item)
            })
    }

    func testCommitsEveryItemInInputOrder() throws {
        for workers in [1, 2, 4] {
            let record = Record()
            try run(count: 40, workers: workers, record: record)
            XCTAssertEqual(record.committed, Array(0..<40), "\(workers) workers")
            XCTAssertEqual(record.mostConcurrentReads, 1, "reads must take turns")
            XCTAssertLessThanOrEqual(record.mostInFlight, 2 * workers, "memory is bounded by the batches in flight")
        }
    }

    func testReadErrorComesAfterEverythingReadBeforeIt() {
        for workers in [1, 2, 4] {
            let record = Record()
            XCTAssertThrowsError(try run(count: 40, workers: workers, failingRead: 13, record: record)) { error in
                XCTAssertEqual(error as? Failure, Failure(item: 13))
            }
            XCTAssertEqual(record.committed, Array(0..<13), "\(workers) workers")
            XCTAssertEqual(record.reads, 14, "no read after the failed one")
        }
    }

    func testCommitErrorStopsThePipeline() {
        for workers in [1, 2, 4] {
            let record = Record()
            XCTAssertThrowsError(try run(count: 1000, workers: workers, failingRead: 20, failingCommit: 7, record: record)) {
                error in
                XCTAssertEqual(error as? Failure, Failure(item: 7), "the commit error wins over a later read error")
            }
            XCTAssertEqual(record.committed, Array(0..<7), "\(workers) workers")
            XCTAssertLessThanOrEqual(record.reads, 8 + 2 * workers, "reading stops soon after a failed commit")
        }
    }

    /// While the first item computes slowly, the other workers may run ahead
    /// by the pipeline's capacity and no further: reads wait for commits.
    func testReadsWaitWhileAnEarlierItemIsStillComputing() throws {
        for workers in [2, 4] {
            let record = Record()
            try BatchPipeline.run(
                workers: workers,
                read: { () -> Int? in
                    record.startRead()
                    let item = record.endRead()
                    return item < 100 ? item : nil
                },
                compute: { item in
                    // Long enough for unbounded readers to take all 100 items.
                    if item == 0 { usleep(200_000) }
                    return item * item
                },
                commit: { item, _ in record.commit(item) })
            XCTAssertEqual(record.committed, Array(0..<100))
            XCTAssertEqual(record.mostInFlight, 2 * workers, "\(workers) workers")
        }
    }

    func testEmptyInputCommitsNothing() throws {
        let record = Record()
        try run(count: 0, workers: 2, record: record)
        XCTAssertEqual(record.committed, [])
    }

    /// With two workers, two items are computed at once: item 0's compute
    /// waits until item 1's has started, which a serial pipeline never does.
    func testWorkersComputeAtTheSameTime() throws {
        try XCTSkipIf(ProcessInfo.processInfo.activeProcessorCount < 2, "one core: Dispatch runs the workers in turn")
        let secondStarted = DispatchSemaphore(value: 0)
        let overlapped = LockedFlag()
        var next = 0
        try BatchPipeline.run(
            workers: 2,
            read: { () -> Int? in
                defer { next += 1 }
                return next < 2 ? next : nil
            },
            compute: { item in
                if item == 1 { secondStarted.signal() }
                if item == 0, secondStarted.wait(timeout: .now() + 10) == .success { overlapped.set() }
                return item
            },
            commit: { _, _ in })
        XCTAssertTrue(overlapped.value)
    }

    private final class LockedFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var flag = false
        var value: Bool { lock.withLock { flag } }
        func set() { lock.withLock { flag = true } }
    }
}
