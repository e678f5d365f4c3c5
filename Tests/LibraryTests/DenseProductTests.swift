import CKernels
@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

/// The dense-rows product, every layer's forward product, sums each output
/// in the inputs' order from the value already there, whatever the tiling:
/// so a row's result is a function of that row alone, which OpenBLAS's sgemm
/// does not give (its Haswell kernel rounds a row by its place in the batch).
final class DenseProductTests: XCTestCase {
    /// Exactly the in-order sum, each step fused (an FMA build) or each
    /// rounded twice (the baseline build), not merely close: over rows past a
    /// 256-row chunk and left over from a block, inputs past a 128-input tile,
    /// and widths with and without a partial last vector.
    func testEachOutputIsTheInOrderSumOfItsRowsTerms() {
        var generator = SeededGenerator(seed: 41)
        for (inputs, width, rows) in [(300, 400, 300), (129, 784, 9), (7, 15, 3), (784, 16 * 9 + 3, 260), (200, 48, 20), (400, 5, 13), (20, 200, 64)] {
            let x = (0..<(rows * inputs)).map { _ in Float(generator.gaussian()) }
            let w = (0..<(inputs * width)).map { _ in Float(generator.gaussian()) }
            let start = (0..<(rows * width)).map { _ in Float(generator.gaussian()) }
            var y = start
            ae_dense_rows_times_dense(x, rows, w, inputs, width, &y)
            let (fused, rounded) = inOrderProducts(x: x, rows: rows, inputs: inputs, w: w, width: width, start: start)
            let label = "\(inputs) inputs, width \(width), \(rows) rows"
            XCTAssertNotEqual(fused, rounded, label)
            XCTAssertTrue(y == fused || y == rounded, label)
        }
    }

    /// A layer's output row, alone or at any place in batches of 1 to 40
    /// rows over one or two threads, has the same bits.
    func testALayersRowIsTheSameInEveryBatch() {
        var generator = SeededGenerator(seed: 42)
        let layer = DenseLayer(inputs: 200, outputs: 100, activation: .tanh)
        let parameters = (0..<layer.parameterCount).map { _ in Float(generator.gaussian()) }
        let rows = 40
        let input = (0..<(rows * layer.inputs)).map { _ in Float(generator.gaussian()) }
        func forward(_ rows: Range<Int>, threads: Int) -> [Float] {
            var output = [Float](repeating: .nan, count: rows.count * layer.outputs)
            input.withUnsafeBufferPointer { input in
                layer.forward(
                    input.baseAddress! + rows.lowerBound * layer.inputs, rows: rows.count, parameters: parameters,
                    output: &output, workspace: nil, pool: WorkerPool(threads: threads))
            }
            return output
        }
        let alone = (0..<rows).map { forward($0..<($0 + 1), threads: 1) }
        for count in 1...rows {
            for threads in [1, 2] {
                let batch = forward(0..<count, threads: threads)
                for r in 0..<count {
                    XCTAssertEqual(
                        batch[(r * layer.outputs)..<((r + 1) * layer.outputs)].map(\.bitPattern), alone[r].map(\.bitPattern),
                        "row \(r) of \(count), \(threads) threads")
                }
            }
        }
    }
}
