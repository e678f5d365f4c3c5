import AECore
import XCTest

/// Training's forward pass and the tools' inference walk the same layers
/// (`LayerStack`) and sum each row's loss with the same kernel, so on the
/// same batch they give the same loss bit for bit: the reconstruction from
/// z = μ that `GradientStep` measures is the sum of the rows' reconstruction
/// scores, and a VAE's KL is `LatentCodes.kl` summed over the encoded codes.
final class TrainingInferenceAgreementTests: XCTestCase {
    /// 100 rows, more than one inference block (`TrainedModel.blockRows`),
    /// in [0, 1] so that bce applies too.
    private static let rows: Matrix = {
        var generator = SeededGenerator(seed: 11)
        return Matrix(rows: 100, cols: 12, storage: (0..<1200).map { _ in Float(generator.uniform()) })
    }()

    private func check(_ kind: ModelKind, _ loss: Loss) {
        let label = "\(kind) \(loss)"
        let architecture = Architecture(
            kind: kind, inputWidth: 12, hidden: [10, 6], latent: 3, activation: .tanh, loss: loss)
        var generator = SeededGenerator(seed: 3)
        let network = Autoencoder(architecture: architecture, generator: &generator)
        let rows = Self.rows
        let training = rows.storage.withUnsafeBufferPointer { x in
            GradientStep(model: network, capacity: rows.rows).run(
                model: network, input: x.baseAddress!, target: x.baseAddress!, rows: rows.rows, klWeight: 1,
                latentNoise: nil, gradients: nil, gradientScale: 1, pool: WorkerPool(threads: 1))
        }

        let identity = Normalization(method: .none, shift: .init(repeating: 0, count: 12), scale: .init(repeating: 1, count: 12))
        let model = TrainedModel(network: network, normalization: identity)
        let pool = WorkerPool(threads: 2)
        let scores = RowScorer(model: model, density: nil).score(normalizedRows: rows, methods: [.reconstruction], pool: pool)
        let reconstruction = scores.scores[.reconstruction]!.reduce(0, +)
        XCTAssertEqual(training.reconstruction.bitPattern, reconstruction.bitPattern, "\(label): \(training.reconstruction) vs \(reconstruction)")
        XCTAssertGreaterThan(reconstruction, 0, label)

        let codes = model.encode(rows, pool: pool)
        guard let logVariance = codes.logVariance else {
            XCTAssertEqual(training.kl, 0, label)
            return
        }
        XCTAssertTrue(logVariance.storage.allSatisfy(LatentCodes.logVarianceRange.contains), "\(label): no clamping")
        let kl = zip(codes.mean.storage, logVariance.storage).reduce(0.0) { sum, code in
            sum + LatentCodes.kl(mean: Double(code.0), logVariance: Double(code.1))
        }
        XCTAssertEqual(training.kl.bitPattern, kl.bitPattern, "\(label): \(training.kl) vs \(kl)")
        XCTAssertGreaterThan(kl, 0, label)
    }

    func testAutoencoderLossesAgree() {
        check(.ae, .mse)
        check(.ae, .bce)
    }

    func testVariationalLossesAgreeAtTheMean() {
        check(.vae, .mse)
        check(.vae, .bce)
    }
}
