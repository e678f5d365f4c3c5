import AECLI
import AECore
import AEIO
import XCTest

/// Streaming training rows: every row once per epoch, full batches, a new
/// order each epoch, normalised values.
final class HDF5TrainingRowsTests: XCTestCase {
    func testEachEpochDeliversEveryRowOnceInFullBatchesAndANewOrder() throws {
        let directory = try makeTemporaryDirectory()
        let rows = 5000, cols = 3
        let data = Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { Float($0 / cols) })
        let file = try HDF5File.create(directory.path("x.h5"))
        try file.write(data, to: "x")
        try file.close()
        let dataset = try HDF5Dataset("x", in: HDF5File.open(directory.path("x.h5")))

        var generator = SeededGenerator(seed: 3)
        let split = HDF5TrainingRows.splitBlocks(of: dataset, validationFraction: 0.2, generator: &generator)
        XCTAssertEqual(split.training.count + split.validation.count, 5)
        XCTAssertEqual(split.validation.count, 1)
        let normalization = Normalization(method: .minmax, shift: [0, 0, 0], scale: [2, 2, 2])
        let training = try HDF5TrainingRows(dataset: dataset, blocks: split.training, normalization: normalization, bufferRows: 1500)
        let expected = split.training.flatMap { $0 }.map { Float($0) / 2 }.sorted()
        XCTAssertEqual(training.count, expected.count)

        var orders: [[Float]] = []
        for _ in 0..<2 {
            var seen: [Float] = []
            var sizes: [Int] = []
            try training.forEachShuffledBatch(size: 128, generator: &generator) { batch, count in
                sizes.append(count)
                for r in 0..<count {
                    XCTAssertEqual(batch[r * cols], batch[r * cols + 2], "a row stays whole")
                    seen.append(batch[r * cols])
                }
            }
            XCTAssertEqual(seen.sorted(), expected, "every training row exactly once")
            XCTAssertTrue(sizes.dropLast().allSatisfy { $0 == 128 }, "\(sizes)")
            orders.append(seen)
        }
        XCTAssertNotEqual(orders[0], orders[1])
        XCTAssertNotEqual(orders[0], orders[0].sorted(), "rows are shuffled across blocks")

        var inOrder: [Float] = []
        try training.forEachBlock(size: 100) { block, count in
            for r in 0..<count { inOrder.append(block[r * cols]) }
        }
        XCTAssertEqual(inOrder, split.training.flatMap { $0 }.map { Float($0) / 2 })
        let sample = try training.evenlySpacedRows(7)
        XCTAssertEqual(sample.rows, 7)
        XCTAssertEqual(sample[0, 0], inOrder[0])
        XCTAssertEqual(sample[6, 0], inOrder[6 * inOrder.count / 7])
    }
}
