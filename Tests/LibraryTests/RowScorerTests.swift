import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// Scores on models whose answer is known: hand-set weights where the math
/// can be followed exactly, and trained models on data with planted anomalies.
final class RowScorerTests: XCTestCase {
    private let pool = WorkerPool(threads: 2)

    private func model(_ kind: ModelKind, width: Int, latent: Int, loss: Loss = .mse) -> TrainedModel {
        let architecture = Architecture(kind: kind, inputWidth: width, hidden: [], latent: latent, activation: .relu, loss: loss)
        let identity = Normalization(method: .none, shift: .init(repeating: 0, count: width), scale: .init(repeating: 1, count: width))
        return TrainedModel(
            network: Autoencoder(architecture: architecture), normalization: identity,
            calibration: Self.unitDensity(width: width, latent: latent))
    }

    /// A calibration whose density statistics weigh every feature 1 and
    /// measure latent codes from 0 in the identity metric, so the density
    /// score is the reconstruction loss plus ½|z|².
    static func unitDensity(width: Int, latent: Int) -> ScoreCalibration {
        let identity = (0..<(latent * latent)).map { $0 % (latent + 1) == 0 ? Float(1) : 0 }
        return ScoreCalibration(
            samples: 1, seed: 1, distributions: [:],
            density: DensityStatistics(
                featureWeights: .init(repeating: 1, count: width), latentMean: .init(repeating: 0, count: latent),
                latentPrecision: identity))
    }

    func testZeroNetworkScoresAreTheSquaredNormForEveryMethod() {
        // All weights zero: the reconstruction is 0 whatever z is, and the
        // posterior is N(0, I), the prior itself, so KL = 0 and every
        // importance weight p(z)/q(z) is 1.
        let rows = Matrix([[1, 2, 0], [0, -3, 4]])
        let vae = RowScorer(model: model(.vae, width: 3, latent: 2), samples: 5)
        let scores = vae.score(rows: rows, methods: ScoreMethod.allCases, pool: pool).scores
        for method in ScoreMethod.allCases {
            XCTAssertEqual(scores[method]![0], 5, accuracy: 1e-9, "\(method)")
            XCTAssertEqual(scores[method]![1], 25, accuracy: 1e-9, "\(method)")
        }
        let bernoulli = RowScorer(model: model(.ae, width: 3, latent: 2, loss: .bce))
        let nats = bernoulli.score(rows: Matrix([[0, 1, 0.5]]), methods: [.reconstruction], pool: pool).scores
        XCTAssertEqual(nats[.reconstruction]![0], 3 * log(2), accuracy: 1e-6, "logit 0 costs log 2 nats per feature")
    }

    func testElboAddsTheExactKLAndIWAEApproachesTheLikelihood() {
        // The decoder ignores z (zero weights, bias 1), so p(x) = p(x|z) and
        // −log p(x) is the reconstruction loss alone; the encoder's biases
        // give every row μ = (1, −0.5), log σ² = (0.4, −0.3) (σ² > ½, so the
        // importance weights have finite variance).
        var trained = model(.vae, width: 2, latent: 2)
        let network = trained.network
        let mean = network.offset(of: "encoder/mean/bias"), logVariance = network.offset(of: "encoder/logvar/bias")
        let output = network.offset(of: "decoder/output/bias")
        trained.network.parameters[mean] = 1
        trained.network.parameters[mean + 1] = -0.5
        trained.network.parameters[logVariance] = 0.4
        trained.network.parameters[logVariance + 1] = -0.3
        trained.network.parameters[output] = 1
        trained.network.parameters[output + 1] = 1
        let kl = [(1.0, 0.4), (-0.5, -0.3)].reduce(0) { $0 - 0.5 * (1 + $1.1 - $1.0 * $1.0 - exp($1.1)) }
        let rows = Matrix([[3, 1]])  // reconstruction loss (3 − 1)² + 0 = 4
        let scorer = RowScorer(model: trained, samples: 4000)
        let scores = scorer.score(rows: rows, methods: [.elbo, .iwae], pool: pool).scores
        XCTAssertEqual(scores[.elbo]![0], 4 + kl, accuracy: 1e-6)
        XCTAssertEqual(scores[.iwae]![0], 4, accuracy: 0.02, "the IWAE bound closes the ELBO's KL gap of \(kl)")
    }

    func testRowScoresDoNotDependOnTheBatchBeyondRounding() {
        var generator = SeededGenerator(seed: 11)
        let architecture = Architecture(kind: .vae, inputWidth: 5, hidden: [7], latent: 3, activation: .tanh, loss: .mse)
        let network = Autoencoder(architecture: architecture, generator: &generator)
        let trained = TrainedModel(
            network: network, normalization: Normalization(method: .none, shift: .init(repeating: 0, count: 5), scale: .init(repeating: 1, count: 5)),
            calibration: Self.unitDensity(width: 5, latent: 3))
        let rows = Matrix(rows: 9, cols: 5, storage: (0..<45).map { _ in Float(generator.gaussian()) })
        let scorer = RowScorer(model: trained, samples: 3, seed: 42)
        let together = scorer.score(rows: rows, methods: ScoreMethod.allCases, pool: pool).scores
        for row in [0, 4, 8] {
            let alone = scorer.score(rows: rows.gathering(rows: [row]), methods: ScoreMethod.allCases, pool: WorkerPool(threads: 1)).scores
            for method in ScoreMethod.allCases {
                XCTAssertEqual(alone[method]![0], together[method]![row], accuracy: 1e-5 * together[method]![row], "\(method) row \(row)")
            }
        }
        let reseeded = RowScorer(model: trained, samples: 3, seed: 43).score(rows: rows, methods: [.elbo], pool: pool).scores
        XCTAssertNotEqual(reseeded[.elbo]!, together[.elbo]!, "the seed changes the draws")
    }

    func testDensityIsTheWeightedLossPlusHalfTheLatentMahalanobisDistance() {
        // Encoder mean head: z = (x₀, x₁) (weights 1 on the first two inputs);
        // decoder: zero weights, bias 0, so the reconstruction is 0 and each
        // feature's loss is xⱼ². With weights (2, 1, 4), mean (1, 0) and
        // precision [[2, 0.5], [0.5, 1]]:
        // row (3, 2, 2): 9/2 + 4/1 + 4/4 + ½ [(2, 2) P (2, 2)] = 9.5 + ½ (8 + 4 + 4) = 17.5.
        var trained = model(.ae, width: 3, latent: 2)
        let head = trained.network.offset(of: "encoder/mean/weight")
        trained.network.parameters[head] = 1
        trained.network.parameters[head + 2 + 1] = 1
        trained.calibration = ScoreCalibration(
            samples: 1, seed: 1, distributions: [:],
            density: DensityStatistics(featureWeights: [2, 1, 4], latentMean: [1, 0], latentPrecision: [2, 0.5, 0.5, 1]))
        let scores = RowScorer(model: trained).score(rows: Matrix([[3, 2, 2]]), methods: [.density, .reconstruction], pool: pool).scores
        XCTAssertEqual(scores[.reconstruction]![0], 17, accuracy: 1e-9)
        XCTAssertEqual(scores[.density]![0], 17.5, accuracy: 1e-9)
    }

    func testDensityStatisticsWeighFeaturesByTheirMeanLossAndInvertTheCodeCovariance() {
        // Codes (0, 0), (2, 0), (0, 2), (2, 2): mean (1, 1), covariance I
        // (population), so the precision is I up to the tiny ridge.
        let codes = Matrix([[0, 0], [2, 0], [0, 2], [2, 2]])
        let statistics = DensityStatistics(meanFeatureLosses: [1, 3, 0], codes: codes, perFeatureScale: true)
        // Weights 2·mean; the zero feature is floored at 1% of the mean (4/3).
        XCTAssertEqual(statistics.featureWeights[0], 2, accuracy: 1e-6)
        XCTAssertEqual(statistics.featureWeights[1], 6, accuracy: 1e-6)
        XCTAssertEqual(statistics.featureWeights[2], 2 * 0.01 * 4 / 3, accuracy: 1e-6)
        XCTAssertEqual(statistics.latentMean, [1, 1])
        for (value, expected) in zip(statistics.latentPrecision, [Float(1), 0, 0, 1]) {
            XCTAssertEqual(value, expected, accuracy: 1e-5)
        }
        let nats = DensityStatistics(meanFeatureLosses: [1, 3, 0], codes: codes, perFeatureScale: false)
        XCTAssertEqual(nats.featureWeights, [1, 1, 1], "bce terms are nats already")
    }

    func testInverseOfAPositiveDefiniteMatrix() {
        let matrix: [Double] = [4, 2, 0.6, 2, 2, 0.5, 0.6, 0.5, 3]
        let inverse = DensityStatistics.inverse(ofPositiveDefinite: matrix, size: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                let product = (0..<3).reduce(0.0) { $0 + matrix[i * 3 + $1] * inverse[$1 * 3 + j] }
                XCTAssertEqual(product, i == j ? 1 : 0, accuracy: 1e-12)
            }
        }
    }

    /// Rows near a 2-D plane in 8-D, with 12 planted rows of the same size off
    /// it: every method must rank the planted rows above all the others.
    func testEveryMethodRanksOffSubspaceRowsFirst() throws {
        var generator = SeededGenerator(seed: 2024)
        let width = 8, normal = 600, planted = 12
        let basis = (0..<2).map { _ in (0..<width).map { _ in Float(generator.gaussian()) } }
        var values: [Float] = []
        for row in 0..<(normal + planted) {
            let a = Float(generator.gaussian()), b = Float(generator.gaussian())
            for j in 0..<width {
                let onPlane = a * basis[0][j] + b * basis[1][j]
                let offPlane = row >= normal ? Float(generator.gaussian()) * 2 : Float(generator.gaussian()) * 0.05
                values.append(onPlane + offPlane)
            }
        }
        let data = Matrix(rows: normal + planted, cols: width, storage: values)
        let labels = (0..<(normal + planted)).map { $0 >= normal }
        for kind in ModelKind.allCases {
            let configuration = FitConfiguration(
                kind: kind, hidden: [16], latent: 2, normalization: .standard, epochs: 150,
                settings: TrainingSettings(batchSize: 64, learningRate: 3e-3, seed: 7))
            let trained = try Fitting.fit(.memory(data), configuration, pool: pool)
            let scores = RowScorer(model: trained, samples: 8).score(
                rows: data, methods: ScoreMethod.available(for: kind), pool: pool).scores
            for (method, values) in scores {
                XCTAssertEqual(RankingMetrics.rocAUC(scores: values, labels: labels)!, 1, accuracy: 0.005, "\(kind) \(method)")
            }
        }
    }
}
