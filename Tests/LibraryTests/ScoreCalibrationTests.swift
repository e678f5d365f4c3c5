import Foundation
import AECLI
import AECore
import AEIO
import XCTest

final class ScoreCalibrationTests: XCTestCase {
    func testSmallDistributionKeepsEveryScoreAndInterpolatesLikeNumPy() {
        let distribution = ScoreDistribution(summarizing: [4, 1, 3, 2, 5])
        XCTAssertEqual(distribution.quantiles, [1, 2, 3, 4, 5])
        XCTAssertEqual(distribution.rows, 5)
        // numpy.quantile([1, 2, 3, 4, 5], [0, 0.3, 0.5, 0.99, 1]) = 1, 2.2, 3, 4.96, 5
        XCTAssertEqual(distribution.quantile(0), 1)
        XCTAssertEqual(distribution.quantile(0.3), 2.2, accuracy: 1e-12)
        XCTAssertEqual(distribution.quantile(0.5), 3)
        XCTAssertEqual(distribution.quantile(0.99), 4.96, accuracy: 1e-12)
        XCTAssertEqual(distribution.quantile(1), 5)
    }

    func testLargeDistributionIsBoundedAndClose() {
        var generator = SeededGenerator(seed: 3)
        let scores = (0..<100_000).map { _ in generator.gaussian() }
        let distribution = ScoreDistribution(summarizing: scores)
        XCTAssertEqual(distribution.quantiles.count, ScoreDistribution.maximumPoints)
        XCTAssertEqual(distribution.rows, 100_000)
        let sorted = scores.sorted()
        for q in [0.01, 0.5, 0.9, 0.99, 0.999] {
            let exact = sorted[Int((q * Double(sorted.count - 1)).rounded())]
            XCTAssertEqual(distribution.quantile(q), exact, accuracy: 0.02, "quantile \(q)")
        }
    }

    func testThresholdsFromQuantileContaminationAndScore() throws {
        let scores = ScoreDistribution(summarizing: (0...100).map(Double.init))
        let calibration = ScoreCalibration(
            samples: 4, seed: 1,
            distributions: [.reconstruction: .init(training: scores, validation: nil)])
        XCTAssertEqual(try AnomalyThreshold.quantile(0.9).score(for: .reconstruction, calibration: calibration), 90)
        XCTAssertEqual(try AnomalyThreshold.contamination(0.05).score(for: .reconstruction, calibration: calibration), 95, accuracy: 1e-9)
        XCTAssertEqual(try AnomalyThreshold.standard.score(for: .reconstruction, calibration: calibration), 99, accuracy: 1e-9)
        XCTAssertEqual(try AnomalyThreshold.score(3.5).score(for: .elbo, calibration: nil), 3.5)
        XCTAssertThrowsError(try AnomalyThreshold.quantile(0.9).score(for: .elbo, calibration: calibration))
        XCTAssertThrowsError(try AnomalyThreshold.quantile(0.9).score(for: .reconstruction, calibration: nil))
    }

    func testValidationScoresSetTheThresholdWhenPresent() throws {
        let training = ScoreDistribution(summarizing: [1, 2, 3])
        let validation = ScoreDistribution(summarizing: [10, 20, 30])
        let calibration = ScoreCalibration(
            samples: 1, seed: 1, distributions: [.reconstruction: .init(training: training, validation: validation)])
        XCTAssertEqual(try AnomalyThreshold.quantile(0.5).score(for: .reconstruction, calibration: calibration), 20)
    }

    func testTooFewValidationRowsForTheQuantileAddTheTrainingRows() throws {
        // 3 validation rows hold the 0.5 quantile (it needs 2) but not the
        // 0.9 one (it needs 10): that one comes from all 6 scores.
        let training = ScoreDistribution(summarizing: [1, 2, 3])
        let validation = ScoreDistribution(summarizing: [10, 20, 30])
        let calibration = ScoreCalibration(
            samples: 1, seed: 1, distributions: [.reconstruction: .init(training: training, validation: validation)])
        XCTAssertEqual(try AnomalyThreshold.quantile(0.9).score(for: .reconstruction, calibration: calibration), 25, accuracy: 1e-12)
        XCTAssertEqual(calibration.reference(for: .reconstruction, probability: 0.9)?.rows, 6)
    }

    func testFittedModelCarriesCalibrationThroughTheModelFile() throws {
        var generator = SeededGenerator(seed: 5)
        let data = Matrix(rows: 300, cols: 4, storage: (0..<1200).map { _ in Float(generator.gaussian()) })
        let configuration = FitConfiguration(
            kind: .vae, hidden: [8], latent: 2, epochs: 2, validationFraction: 0.2,
            settings: TrainingSettings(batchSize: 32))
        let model = try Fitting.fit(.memory(data), configuration, pool: WorkerPool(threads: 1))
        let calibration = try XCTUnwrap(model.calibration)
        XCTAssertEqual(Set(calibration.distributions.keys), Set(ScoreMethod.available(for: .vae)))
        XCTAssertNotNil(calibration.density)
        XCTAssertEqual(calibration.distributions[.elbo]?.training.rows, 240)
        XCTAssertEqual(calibration.distributions[.elbo]?.validation?.rows, 60)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ae-calibration-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(model, to: path)
        XCTAssertEqual(try ModelFile.load(path).calibration, calibration)
    }
}
