import AECore
import XCTest

/// The KL warm-up: weight = beta · min(1, step / warm-up steps), with
/// `klWarmupEpochs` epochs of warm-up steps and the first step numbered 1.
final class KLWarmupTests: XCTestCase {
    func testTheWeightRampsLinearlyToBetaOverTheWarmupEpochs() {
        let settings = TrainingSettings(beta: 2, klWarmupEpochs: 2)
        // Three batches an epoch: six warm-up steps.
        let weights = (1...8).map { settings.klWeight(step: $0, batchesPerEpoch: 3) }
        for (weight, expected) in zip(weights, [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2, 2, 2] as [Float]) {
            XCTAssertEqual(weight, expected, accuracy: 1e-6, "\(weights)")
        }
        XCTAssertEqual(weights[5], 2, "beta exactly once the warm-up is over")
    }

    func testWithoutWarmupTheWeightIsBetaFromTheFirstStep() {
        let settings = TrainingSettings(beta: 0.7)
        XCTAssertEqual([1, 2, 100].map { settings.klWeight(step: $0, batchesPerEpoch: 5) }, [0.7, 0.7, 0.7])
    }

    /// The VAE after one gradient step of `settings` (one batch of five of the ten rows).
    private func firstStep(_ settings: TrainingSettings) throws -> [UInt32] {
        var generator = SeededGenerator(seed: 6)
        let rows = InMemoryTrainingRows(Matrix(rows: 10, cols: 4, storage: (0..<40).map { _ in Float(generator.gaussian()) }))
        let architecture = Architecture(kind: .vae, inputWidth: 4, hidden: [6], latent: 2, activation: .tanh, loss: .mse)
        var network = Autoencoder(architecture: architecture, generator: &generator)
        var batches = 0
        _ = try Trainer(settings: settings, pool: WorkerPool(threads: 1)).train(
            &network, on: rows, validation: nil, shouldStop: {
                batches += 1
                return batches > 1
            })
        return network.parameters.map(\.bitPattern)
    }

    func testTrainingTakesItsFirstStepAtTheRampsFirstWeight() throws {
        // Two batches an epoch and two epochs of warm-up: the first step's
        // weight is beta / 4.
        let warming = try firstStep(TrainingSettings(epochs: 3, batchSize: 5, beta: 1, klWarmupEpochs: 2))
        XCTAssertEqual(warming, try firstStep(TrainingSettings(epochs: 3, batchSize: 5, beta: 0.25)))
        XCTAssertNotEqual(warming, try firstStep(TrainingSettings(epochs: 3, batchSize: 5, beta: 1)))
    }
}
