import CKernels
@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

/// The sparse first-layer products give what the dense ones give.
final class SparseProductTests: XCTestCase {
    private func randomSparse(rows: Int, cols: Int, density: Double, generator: inout SeededGenerator) -> [Float] {
        (0..<(rows * cols)).map { _ in generator.uniform() < density ? Float(generator.gaussian()) : 0 }
    }

    /// A data layer (the network's first, which takes the sparse products)
    /// gives what the same layer gives with dense products.
    func testSparseForwardAndWeightGradientMatchDense() {
        var generator = SeededGenerator(seed: 21)
        let pool = WorkerPool(threads: 1)
        for (inputs, outputs) in [(50, 300), (7, 128), (33, 5), (784, 400)] {
            let rows = 13
            let layer = DenseLayer(inputs: inputs, outputs: outputs, activation: .relu)
            let dataLayer = DenseLayer(inputs: inputs, outputs: outputs, activation: .relu, readsData: true)
            let workspace = dataLayer.makeWorkspace(rows: rows)
            XCTAssertNotNil(workspace)
            let parameters = (0..<layer.parameterCount).map { _ in Float(generator.gaussian()) }
            let input = randomSparse(rows: rows, cols: inputs, density: 0.15, generator: &generator)
            let outputGradient = (0..<(rows * outputs)).map { _ in Float(generator.gaussian()) }

            var dense = [Float](repeating: 0, count: rows * outputs)
            var viaSparse = [Float](repeating: .nan, count: rows * outputs)
            layer.forward(input, rows: rows, parameters: parameters, output: &dense, workspace: nil, pool: pool)
            dataLayer.forward(input, rows: rows, parameters: parameters, output: &viaSparse, workspace: workspace, pool: pool)
            for i in dense.indices { XCTAssertEqual(viaSparse[i], dense[i], accuracy: 1e-4, "\(inputs)x\(outputs) forward \(i)") }

            var denseGradients = [Float](repeating: .nan, count: layer.parameterCount)
            var sparseGradients = [Float](repeating: .nan, count: layer.parameterCount)
            var gradient = outputGradient
            layer.backward(
                input: input, output: dense, rows: rows, outputGradient: &gradient, parameters: parameters,
                gradients: &denseGradients, inputGradient: nil, workspace: nil, pool: pool)
            gradient = outputGradient
            dataLayer.backward(
                input: input, output: viaSparse, rows: rows, outputGradient: &gradient, parameters: parameters,
                gradients: &sparseGradients, inputGradient: nil, workspace: workspace, pool: pool)
            for i in 0..<layer.parameterCount {
                XCTAssertEqual(sparseGradients[i], denseGradients[i], accuracy: 1e-4, "\(inputs)x\(outputs) gradient \(i)")
            }
        }
    }

    /// The tiled kernel must add each row's terms in the order of its
    /// non-zeros whatever the tiling (rows past a 256-row chunk, inputs past a
    /// 128-input tile, widths of 1 to 8 vectors per tile column plus a scalar
    /// remainder): so its result is exactly the in-order sum, each step fused
    /// (an FMA build) or each rounded twice (the baseline build), not merely close.
    func testSparseRowsProductSumsEachOutputInTheOrderOfItsRowsNonZeros() {
        var generator = SeededGenerator(seed: 8)
        for (inputs, width, rows) in [(300, 400, 300), (129, 784, 5), (7, 15, 3), (784, 16 * 9 + 3, 260), (200, 48, 20)] {
            let x = randomSparse(rows: rows, cols: inputs, density: 0.3, generator: &generator)
            let w = (0..<(inputs * width)).map { _ in Float(generator.gaussian()) }
            let start = (0..<(rows * width)).map { _ in Float(generator.gaussian()) }
            let sparse = SparseRows()
            XCTAssertTrue(sparse.index(x, rows: rows, cols: inputs, limit: 1))
            var y = start
            ae_sparse_rows_times_dense(sparse.rowStarts, sparse.columnIndices, sparse.rowValues, rows, w, inputs, width, &y)
            let (fused, rounded) = inOrderProducts(x: x, rows: rows, inputs: inputs, w: w, width: width, start: start)
            let label = "\(inputs) inputs, width \(width), \(rows) rows"
            XCTAssertNotEqual(fused, rounded, label)
            XCTAssertTrue(y == fused || y == rounded, label)
        }
    }

    func testNonZerosListEachEntryInOrderAndGiveUpPastTheLimit() {
        var generator = SeededGenerator(seed: 5)
        let slack = Int(AE_NONZEROS_SLACK), guardEntries = 8
        for (name, nonzeros) in [("dispatched", ae_nonzeros), ("portable", ae_nonzeros_portable)] {
            for count in [1, 15, 16, 17, 33, 784] {
                for density in [0.0, 0.2, 1.0] {
                    var x = randomSparse(rows: 1, cols: count, density: density, generator: &generator)
                    if count > 3 { (x[1], x[2]) = (.nan, -0.0) }
                    let expected = x.indices.filter { !(x[$0] == 0) }
                    for limit in Set([count, expected.count, max(expected.count - 1, 0)]) {
                        let size = limit + slack + guardEntries
                        var columns = [Int32](repeating: -7, count: size)
                        var values = [Float](repeating: 42, count: size)
                        let found = nonzeros(x, count, &columns, &values, limit)
                        let label = "\(name), \(count) entries, density \(density), limit \(limit)"
                        if expected.count > limit {
                            XCTAssertEqual(found, -1, label)
                        } else {
                            XCTAssertEqual(found, Int64(expected.count), label)
                            XCTAssertEqual(columns[..<expected.count].map(Int.init), expected, label)
                            for (k, j) in expected.enumerated() { XCTAssertEqual(values[k].bitPattern, x[j].bitPattern, label) }
                        }
                        XCTAssertEqual(Array(columns[(limit + slack)...]), Array(repeating: -7, count: guardEntries), label)
                        XCTAssertEqual(Array(values[(limit + slack)...]), Array(repeating: 42, count: guardEntries), label)
                    }
                }
            }
        }
    }

    func testIndexingGivesUpAboveTheLimit() {
        let values: [Float] = [0, 1, 0, 0, 2, 0, 0, 0]
        let sparse = SparseRows()
        XCTAssertTrue(sparse.index(values, rows: 2, cols: 4, limit: 0.5))
        XCTAssertEqual(sparse.count, 2)
        XCTAssertFalse(sparse.index([1, 1, 1, 0], rows: 1, cols: 4, limit: 0.5))
    }
}
