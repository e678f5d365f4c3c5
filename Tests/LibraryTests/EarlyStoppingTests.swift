import AECore
import XCTest

/// With validation rows and patience, training stops once the validation
/// loss has not improved for `patience` epochs and keeps the parameters of
/// the best validation epoch, not the last ones.
final class EarlyStoppingTests: XCTestCase {
    private let pool = WorkerPool(threads: 1)

    /// Few noisy training rows and a wide network at a high learning rate:
    /// it fits the noise, and the validation loss turns up.
    private func rows(_ count: Int, seed: UInt64) -> InMemoryTrainingRows {
        var generator = SeededGenerator(seed: seed)
        return InMemoryTrainingRows(Matrix(rows: count, cols: 6, storage: (0..<(count * 6)).map { _ in Float(generator.gaussian()) }))
    }

    private func train(epochs: Int, patience: Int) throws -> (Autoencoder, [EpochMetrics]) {
        let architecture = Architecture(kind: .ae, inputWidth: 6, hidden: [32], latent: 4, activation: .relu, loss: .mse)
        var generator = SeededGenerator(seed: 2)
        var network = Autoencoder(architecture: architecture, generator: &generator)
        let settings = TrainingSettings(epochs: epochs, batchSize: 8, learningRate: 0.02, patience: patience, seed: 4)
        let history = try Trainer(settings: settings, pool: pool).train(
            &network, on: rows(24, seed: 7), validation: rows(24, seed: 8))
        return (network, history)
    }

    func testTheBestValidationEpochsParametersAreKept() throws {
        let (stopped, history) = try train(epochs: 300, patience: 5)
        let best = history.min { $0.validationLoss! < $1.validationLoss! }!.epoch
        // It stopped early, `patience` epochs after the best one, which is not the last.
        XCTAssertLessThan(history.count, 300)
        XCTAssertEqual(history.count, best + 5)
        XCTAssertGreaterThan(history.last!.validationLoss!, history[best - 1].validationLoss!)

        // A seeded run is deterministic, so training for exactly `best`
        // epochs (patience 0 keeps the last parameters) gives that epoch's.
        let (atBest, rerun) = try train(epochs: best, patience: 0)
        XCTAssertEqual(rerun, Array(history.prefix(best)).map { metrics in
            var same = metrics
            same.seconds = rerun[metrics.epoch - 1].seconds
            return same
        })
        XCTAssertEqual(stopped.parameters.map(\.bitPattern), atBest.parameters.map(\.bitPattern))

        let (last, _) = try train(epochs: history.count, patience: 0)
        XCTAssertNotEqual(stopped.parameters.map(\.bitPattern), last.parameters.map(\.bitPattern))
    }
}
