import AECLI
import AECore
import AEIO
import XCTest

/// Encoding gives each row a result that depends on the row alone: not on
/// its neighbours in a batch, the batch size or the thread count, whether
/// the row takes the sparse first-layer product or BLAS.
final class InferenceTests: XCTestCase {
    private func model(generator: inout SeededGenerator) -> TrainedModel {
        let architecture = Architecture(kind: .vae, inputWidth: 784, hidden: [200], latent: 5, activation: .relu, loss: .bce)
        return TrainedModel(
            network: Autoencoder(architecture: architecture, generator: &generator),
            normalization: Normalization(method: .none, shift: .init(repeating: 0, count: 784), scale: .init(repeating: 1, count: 784)))
    }

    /// 150 rows alternating between mostly-zero (sparse path) and dense ones.
    private func mixedRows(generator: inout SeededGenerator) -> Matrix {
        var rows = Matrix(rows: 150, cols: 784)
        for r in 0..<150 {
            let density = r % 3 == 0 ? 0.9 : 0.12
            for j in 0..<784 where generator.uniform() < density { rows[r, j] = Float(generator.uniform()) }
        }
        return rows
    }

    func testEachRowsCodeIsIndependentOfItsBatchAndThreads() {
        var generator = SeededGenerator(seed: 31)
        let model = model(generator: &generator)
        let rows = mixedRows(generator: &generator)
        let together = model.encode(rows, pool: WorkerPool(threads: 2))
        let serial = model.encode(rows, pool: WorkerPool(threads: 1))
        XCTAssertEqual(together.mean.storage.map(\.bitPattern), serial.mean.storage.map(\.bitPattern))
        for r in [0, 1, 2, 64, 99, 149] {
            let alone = model.encode(rows.gathering(rows: [r]), pool: WorkerPool(threads: 1))
            XCTAssertEqual(alone.mean.storage.map(\.bitPattern), together.mean.row(r).map(\.bitPattern), "row \(r)")
            XCTAssertEqual(
                alone.logVariance!.storage.map(\.bitPattern), together.logVariance!.row(r).map(\.bitPattern), "row \(r)")
        }
    }

    func testMeansAloneMatchTheFullEncoding() {
        var generator = SeededGenerator(seed: 32)
        let model = model(generator: &generator)
        let rows = mixedRows(generator: &generator)
        let full = model.encode(rows, pool: WorkerPool(threads: 2))
        let meansAlone = model.encode(rows, pool: WorkerPool(threads: 2), logVariance: false)
        XCTAssertNotNil(full.logVariance)
        XCTAssertNil(meansAlone.logVariance)
        XCTAssertEqual(meansAlone.mean.storage.map(\.bitPattern), full.mean.storage.map(\.bitPattern))
    }

    /// The data layer takes each row's sparse product unless the row is
    /// dense, and gathers the dense rows into a block of their own: either
    /// way a row gets what the plain layer's dense product gives it.
    func testDataLayerMatchesTheDenseProductOnMixedRows() {
        var generator = SeededGenerator(seed: 32)
        let rows = mixedRows(generator: &generator)
        let layer = DenseLayer(inputs: 784, outputs: 200, activation: .relu)
        let dataLayer = DenseLayer(inputs: 784, outputs: 200, activation: .relu, readsData: true)
        let parameters = (0..<layer.parameterCount).map { _ in Float(generator.gaussian() * 0.05) }
        var dense = [Float](repeating: 0, count: 150 * 200)
        var rowwise = [Float](repeating: .nan, count: 150 * 200)
        let pool = WorkerPool(threads: 2)
        layer.forward(rows.storage, rows: 150, parameters: parameters, output: &dense, workspace: nil, pool: pool)
        dataLayer.forward(rows.storage, rows: 150, parameters: parameters, output: &rowwise, workspace: dataLayer.makeWorkspace(rows: 150), pool: pool)
        for i in dense.indices { XCTAssertEqual(rowwise[i], dense[i], accuracy: 1e-4 * max(1, abs(dense[i])), "\(i)") }
    }
}
