import Foundation
import AECLI
import AECore
import AEIO
import XCTest

final class InterpolationTests: XCTestCase {
    private func norm(_ values: ArraySlice<Float>) -> Double {
        values.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    private func dot(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    private func randomCode(_ width: Int, scale: Float, generator: inout SeededGenerator) -> [Float] {
        (0..<width).map { _ in Float(generator.gaussian()) * scale }
    }

    /// Every norm along the path lies between the endpoints' norms, up to
    /// Float rounding of the coordinates (relative 1e-6).
    private func assertNormsBetweenEndpoints(_ path: Matrix, file: StaticString = #filePath, line: UInt = #line) {
        let first = norm(path.row(0)), last = norm(path.row(path.rows - 1))
        for row in 0..<path.rows {
            let value = norm(path.row(row))
            XCTAssertGreaterThanOrEqual(value, min(first, last) * (1 - 1e-6), "row \(row)", file: file, line: line)
            XCTAssertLessThanOrEqual(value, max(first, last) * (1 + 1e-6), "row \(row)", file: file, line: line)
            XCTAssertTrue(path.row(row).allSatisfy(\.isFinite), "row \(row)", file: file, line: line)
        }
    }

    func testEndpointsAreTheInputCodesBitForBit() {
        let a: [Float] = [0.1, -0.0, 1e-30, -3.3333333, .leastNonzeroMagnitude]
        let b: [Float] = [7.7, 0.3, -1e30, 2.0000002, -0.0]
        for method in InterpolationMethod.allCases {
            for steps in [2, 3, 10, 101] {
                let path = method.path(from: a[...], to: b[...], steps: steps)
                XCTAssertEqual(path.rows, steps)
                XCTAssertEqual(path.row(0).map(\.bitPattern), a.map(\.bitPattern), "\(method) \(steps)")
                XCTAssertEqual(path.row(steps - 1).map(\.bitPattern), b.map(\.bitPattern), "\(method) \(steps)")
            }
        }
    }

    func testLerpIsTheStraightLineAtEvenSteps() {
        let path = InterpolationMethod.lerp.path(from: [0, 10, -4], to: [1, 20, 4], steps: 5)
        XCTAssertEqual(path, Matrix([[0, 10, -4], [0.25, 12.5, -2], [0.5, 15, 0], [0.75, 17.5, 2], [1, 20, 4]]))
        XCTAssertEqual((0..<5).map { InterpolationMethod.fraction(step: $0, of: 5) }, [0, 0.25, 0.5, 0.75, 1])
    }

    func testSlerpOfEqualNormsIsShoemakesFormula() {
        var generator = SeededGenerator(seed: 3)
        let a = randomCode(8, scale: 1, generator: &generator)
        var b = randomCode(8, scale: 1, generator: &generator)
        let scale = Float(norm(a[...]) / norm(b[...]))
        b = b.map { $0 * scale }
        let path = InterpolationMethod.slerp.path(from: a[...], to: b[...], steps: 7)
        let omega = acos(dot(a[...], b[...]) / (norm(a[...]) * norm(b[...])))
        for step in 0..<7 {
            let t = Double(step) / 6
            let wa = sin((1 - t) * omega) / sin(omega), wb = sin(t * omega) / sin(omega)
            for i in 0..<8 {
                XCTAssertEqual(Double(path[step, i]), wa * Double(a[i]) + wb * Double(b[i]), accuracy: 1e-5)
            }
        }
        assertNormsBetweenEndpoints(path)
    }

    func testSlerpNormsStayBetweenTheEndpointNorms() {
        // Two dimensions at least: in one, codes of opposite sign have no
        // path between them that avoids 0 (see the next-but-one test).
        var generator = SeededGenerator(seed: 11)
        for trial in 0..<200 {
            let width = 2 + trial % 24
            let a = randomCode(width, scale: Float(0.01 + generator.uniform() * 5), generator: &generator)
            let b = randomCode(width, scale: Float(0.01 + generator.uniform() * 5), generator: &generator)
            assertNormsBetweenEndpoints(InterpolationMethod.slerp.path(from: a[...], to: b[...], steps: 2 + trial % 15))
        }
    }

    func testSlerpNormsGrowLinearlyBetweenDifferentLengths() {
        let path = InterpolationMethod.slerp.path(from: [3, 0, 0], to: [0, 0, 5], steps: 5)
        for step in 0..<5 {
            XCTAssertEqual(norm(path.row(step)), 3 + 2 * Double(step) / 4, accuracy: 1e-6)
        }
        // A quarter of the quarter circle per step.
        XCTAssertEqual(Double(path[2, 0]) / Double(path[2, 2]), 1, accuracy: 1e-6)
        XCTAssertEqual(path[2, 1], 0)
    }

    func testSlerpOfParallelCodesStaysOnTheirRay() {
        let a: [Float] = [1, -2, 0.5]
        for factor: Float in [1, 3, 1 + 1e-7] {
            let path = InterpolationMethod.slerp.path(from: a[...], to: a.map { $0 * factor }[...], steps: 9)
            for step in 0..<9 {
                let row = path.row(step)
                XCTAssertEqual(dot(row, a[...]) / (norm(row) * norm(a[...])), 1, accuracy: 1e-6, "factor \(factor)")
            }
            assertNormsBetweenEndpoints(path)
        }
    }

    func testSlerpOfNearlyParallelCodesIsFiniteAndMonotone() {
        let a: [Float] = [1, 0, 0, 0]
        let b: [Float] = [1, 1e-6, 0, 0]
        let path = InterpolationMethod.slerp.path(from: a[...], to: b[...], steps: 11)
        assertNormsBetweenEndpoints(path)
        for step in 1..<11 {
            XCTAssertGreaterThanOrEqual(path[step, 1], path[step - 1, 1])
            XCTAssertLessThanOrEqual(path[step, 1], 1e-6)
            XCTAssertEqual(path[step, 2], 0)
        }
    }

    func testSlerpOfOppositeCodesFollowsAHalfCircle() {
        for a: [Float] in [[2, 0, 0], [0.6, -0.8, 0, 0], [1, 1, 1, 1, 1]] {
            let b = a.map { -$0 }
            let path = InterpolationMethod.slerp.path(from: a[...], to: b[...], steps: 5)
            assertNormsBetweenEndpoints(path)
            for step in 0..<5 {
                XCTAssertEqual(norm(path.row(step)), norm(a[...]), accuracy: 1e-5)
            }
            // Half way round the half circle is at right angles to both ends.
            XCTAssertEqual(dot(path.row(2), a[...]), 0, accuracy: 1e-5, "\(a)")
            XCTAssertEqual(dot(path.row(1), a[...]) / (norm(path.row(1)) * norm(a[...])), cos(.pi / 4), accuracy: 1e-6)
        }
    }

    func testSlerpOfNearlyOppositeCodesIsFiniteAndKeepsItsNorm() {
        let a: [Float] = [1, 0, 0]
        for tilt: Float in [1e-3, 1e-6, 1e-9, 1e-30] {
            let b: [Float] = [-1, tilt, 0]
            let path = InterpolationMethod.slerp.path(from: a[...], to: b[...], steps: 9)
            assertNormsBetweenEndpoints(path)
            XCTAssertEqual(dot(path.row(4), a[...]), 0, accuracy: 1e-3, "tilt \(tilt)")
        }
    }

    func testSlerpWithoutAGreatCircleIsTheStraightLine() {
        // A zero code has no direction; opposite codes in one dimension span no plane.
        for (a, b): ([Float], [Float]) in [([0, 0], [3, 4]), ([2, -1], [0, 0]), ([2], [-3]), ([-1], [-5])] {
            XCTAssertEqual(
                InterpolationMethod.slerp.path(from: a[...], to: b[...], steps: 6),
                InterpolationMethod.lerp.path(from: a[...], to: b[...], steps: 6), "\(a) to \(b)")
        }
    }

    /// The must-have of ae-interp | ae-decode: a path's first and last code
    /// decode to exactly what decoding the two codes directly gives, whatever
    /// the path length and wherever the endpoints fall in the batch.
    func testPathEndpointsDecodeBitForBitLikeTheCodesAlone() {
        // Layers as wide as an MNIST model's: BLAS libraries switch kernels
        // by matrix size around there (OpenBLAS near a million products).
        var generator = SeededGenerator(seed: 5)
        let architecture = Architecture(kind: .vae, inputWidth: 784, hidden: [256], latent: 6, activation: .relu, loss: .bce)
        let model = TrainedModel(
            network: Autoencoder(architecture: architecture, generator: &generator),
            normalization: Normalization(method: .minmax, shift: .init(repeating: -1, count: 784), scale: .init(repeating: 2, count: 784)))
        let pool = WorkerPool(threads: 2)
        let codes = Matrix(rows: 2, cols: 6, storage: randomCode(12, scale: 1.5, generator: &generator))
        let direct = model.decode(codes, pool: pool)
        for method in InterpolationMethod.allCases {
            for steps in [2, 10, 63, 64, 65, 200] {
                let path = method.path(from: codes.row(0), to: codes.row(1), steps: steps)
                let decoded = model.decode(path, pool: pool)
                assertBitEqual(decoded.row(0), direct.row(0), "\(method), \(steps) steps, start")
                assertBitEqual(decoded.row(steps - 1), direct.row(1), "\(method), \(steps) steps, end")
            }
        }
    }

    private func assertBitEqual(
        _ actual: ArraySlice<Float>, _ expected: ArraySlice<Float>, _ message: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let differing = zip(actual, expected).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differing, 0, "\(message): \(differing) of \(actual.count) values differ", file: file, line: line)
    }
}
