import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// The number and order of the rows ae-interp makes: pairs and chains,
/// traversals, the manifold grid, and prior samples.
final class LatentLayoutTests: XCTestCase {
    private func assertError(_ expression: @autoclosure () throws -> some Any, _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertEqual((error as? AEError)?.description, message, file: file, line: line)
        }
    }

    /// A batch of `count` array rows of width 2: row i is [i, -i].
    private func batch(_ count: Int) throws -> RowBatch {
        let text = (0..<count).map { "[\($0),\(-$0)]\n" }.joined()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("LatentLayoutTests-\(UUID().uuidString).ndjson").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var batch = RowBatch()
        _ = try RowInput(paths: [path], field: "z", dataset: "z").readBatch(into: &batch, capacity: 100)
        return batch
    }

    // MARK: Pairs and chains

    func testPairsJoinRowsTwoByTwo() throws {
        var pairing = PathPairing(.pairs)
        let rows = try batch(6)
        let joined = (0..<6).compactMap { pairing.add(row: $0, of: rows) }.map { [$0.from.code[0], $0.to.code[0]] }
        XCTAssertEqual(joined, [[0, 1], [2, 3], [4, 5]])
        XCTAssertEqual(pairing.pathCount, 3)
        XCTAssertNoThrow(try pairing.finish(source: "z"))
    }

    func testChainJoinsEachRowToTheNext() throws {
        var pairing = PathPairing(.chain)
        let rows = try batch(4)
        let joined = (0..<4).compactMap { pairing.add(row: $0, of: rows) }.map { [$0.from.code[0], $0.to.code[0]] }
        XCTAssertEqual(joined, [[0, 1], [1, 2], [2, 3]])
        XCTAssertNoThrow(try pairing.finish(source: "z"))
    }

    func testAnUnpairedRowOrAShortChainIsAnError() throws {
        var pairs = PathPairing(.pairs)
        let rows = try batch(3)
        for row in 0..<3 { _ = pairs.add(row: row, of: rows) }
        assertError(try pairs.finish(source: "z.ndjson"),
                    "z.ndjson: paths join rows in pairs (the first to the second, the third to the fourth, ...), but the input has 3 rows; "
                        + "the last one (line 3) has no partner (use --chain for a path through all rows)")
        var chain = PathPairing(.chain)
        _ = chain.add(row: 0, of: rows)
        assertError(try chain.finish(source: "z.ndjson"), "z.ndjson: a chain needs at least 2 rows; the input has 1")
    }

    // MARK: Traversals

    func testTraversalRowsComeDimensionByDimensionFromLowToHigh() throws {
        let code: [Float] = [0.5, -1, 2]
        let traversal = try LatentTraversal(dimensions: nil, width: 3, low: -3, high: 3, steps: 4)
        XCTAssertEqual(traversal.values, [-3, -1, 1, 3])
        XCTAssertEqual(traversal.rowsPerCode, 12)
        let rows = traversal.rows(around: code[...])
        XCTAssertEqual(rows.rows, 12)
        for row in 0..<12 {
            let (dimension, value) = traversal.setting(ofRow: row)
            XCTAssertEqual(dimension, row / 4)
            XCTAssertEqual(value, traversal.values[row % 4])
            var expected = code
            expected[dimension] = value
            XCTAssertEqual(Array(rows.row(row)), expected, "row \(row)")
        }
    }

    func testTraversalOfChosenDimensionsKeepsTheirOrder() throws {
        let traversal = try LatentTraversal(dimensions: [4, 1], width: 5, low: 2, high: -2, steps: 3)
        let rows = traversal.rows(around: [0, 0, 0, 0, 0][...])
        XCTAssertEqual(rows, Matrix([
            [0, 0, 0, 0, 2], [0, 0, 0, 0, 0], [0, 0, 0, 0, -2],
            [0, 2, 0, 0, 0], [0, 0, 0, 0, 0], [0, -2, 0, 0, 0],
        ]))
    }

    func testTraversalEndsAreTheRangeEndsExactly() throws {
        let traversal = try LatentTraversal(dimensions: nil, width: 1, low: -0.3, high: 0.7, steps: 7)
        XCTAssertEqual(traversal.values.first, -0.3)
        XCTAssertEqual(traversal.values.last, 0.7)
    }

    func testDimensionsMustExistAndDiffer() {
        assertError(try LatentTraversal(dimensions: [0, 20], width: 20, low: -3, high: 3, steps: 5),
                    "latent dimension 20 does not exist: codes have 20, numbered 0 to 19")
        assertError(try LatentTraversal(dimensions: [2, 2], width: 20, low: -3, high: 3, steps: 5),
                    "latent dimension 2 is named twice")
        assertError(try ManifoldGrid(horizontal: 0, vertical: 0, width: 2, steps: 5), "latent dimension 0 is named twice")
    }

    // MARK: Manifold grid

    func testGridCoordinatesAreNormalQuantilesOfEqualProbabilityCells() throws {
        let grid = try ManifoldGrid(horizontal: 0, vertical: 1, width: 2, steps: 10)
        XCTAssertEqual(grid.count, 100)
        for (k, coordinate) in grid.coordinates.enumerated() {
            XCTAssertEqual(Double(coordinate), NormalQuantile.of((Double(k) + 0.5) / 10), accuracy: 1e-6)
        }
        XCTAssertEqual(grid.coordinates.first!, -1.6448536, accuracy: 1e-6)
        XCTAssertEqual(grid.coordinates.last!, 1.6448536, accuracy: 1e-6)
        XCTAssertEqual(grid.coordinates, grid.coordinates.reversed().map { -$0 })
    }

    func testGridRowsAreRowMajorWithTheVerticalAxisUp() throws {
        let grid = try ManifoldGrid(horizontal: 2, vertical: 0, width: 4, steps: 3)
        let q = grid.coordinates
        let codes = grid.codes(0..<9)
        for index in 0..<9 {
            let (row, column) = (index / 3, index % 3)
            XCTAssertEqual(Array(codes.row(index)), [q[2 - row], 0, q[column], 0], "row \(row), column \(column)")
        }
        XCTAssertEqual(grid.codes(4..<9), codes.gathering(rows: 4..<9))
    }

    func testNormalQuantileMatchesTheCDF() {
        XCTAssertEqual(NormalQuantile.of(0.5), 0)
        XCTAssertEqual(NormalQuantile.of(0.975), 1.959963984540054, accuracy: 1e-15)
        XCTAssertEqual(NormalQuantile.of(0.025), -1.959963984540054, accuracy: 1e-15)
        XCTAssertEqual(NormalQuantile.of(0.8413447460685429), 1, accuracy: 1e-14)
        // Φ(x) = erfc(-x/√2)/2 read back across the central, intermediate and far-tail branches.
        for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.01, 0.02425, 0.075, 0.3, 0.5, 0.6, 0.9, 0.99, 0.999999] {
            let x = NormalQuantile.of(p)
            XCTAssertEqual(erfc(-x / 2.0.squareRoot()) / 2, p, accuracy: p * 1e-12, "p = \(p)")
        }
        for p in [0.001, 0.02425, 0.075, 0.3] {
            XCTAssertEqual(NormalQuantile.of(1 - p), -NormalQuantile.of(p), accuracy: 1e-12, "p = \(p)")
        }
    }

    // MARK: Prior samples

    func testPriorDrawsDependOnTheSeedNotOnTheBatches() {
        var whole = PriorSampler(width: 5, seed: 42)
        var split = PriorSampler(width: 5, seed: 42)
        let all = whole.draw(10)
        var parts = split.draw(3)
        parts.resize(rows: 10)
        parts.storage.replaceSubrange(15..., with: split.draw(7).storage)
        XCTAssertEqual(all, parts)
        var other = PriorSampler(width: 5, seed: 43)
        XCTAssertNotEqual(other.draw(10), all)
    }

    func testPriorDrawsLookStandardNormal() {
        var sampler = PriorSampler(width: 10, seed: 1)
        let values = sampler.draw(10_000).storage.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(variance, 1, accuracy: 0.03)
    }

    func testTemperatureScalesTheDraws() {
        var plain = PriorSampler(width: 4, seed: 9)
        var warm = PriorSampler(width: 4, temperature: 2, seed: 9)
        var cold = PriorSampler(width: 4, temperature: 0, seed: 9)
        XCTAssertEqual(warm.draw(6).storage, plain.draw(6).storage.map { $0 * 2 })
        XCTAssertEqual(cold.draw(6).storage, Array(repeating: 0, count: 24))
    }
}
