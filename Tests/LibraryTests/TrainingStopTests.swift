import AECLI
import AECore
import AEIO
import XCTest

/// Training asked to stop (Ctrl-C in ae-fit) ends before its next batch,
/// keeping what it would keep at its end.
final class TrainingStopTests: XCTestCase {
    /// 300 rows in batches of 100: three batches an epoch, 240 training rows
    /// (so three batches of 100, 100, 40) with a 0.2 validation split.
    private func fit(stoppingBeforeBatch stop: Int, validation: Double = 0) throws -> TrainedModel {
        var generator = SeededGenerator(seed: 5)
        let data = Matrix(rows: 300, cols: 4, storage: (0..<1200).map { _ in Float(generator.gaussian()) })
        let configuration = FitConfiguration(
            hidden: [8], latent: 2, epochs: 50, validationFraction: validation, settings: TrainingSettings(batchSize: 100))
        var asked = 0
        return try Fitting.fit(.memory(data), configuration, pool: WorkerPool(threads: 1), shouldStop: {
            asked += 1
            return asked >= stop
        })
    }

    func testStoppingDuringAnEpochKeepsTheFinishedEpochs() throws {
        let model = try fit(stoppingBeforeBatch: 9)
        XCTAssertEqual(model.training?.history.map(\.epoch), [1, 2])
        XCTAssertEqual(model.training?.settings.epochs, 50)
        XCTAssertNotNil(model.calibration)
        XCTAssertEqual(Interrupted.fit(model, writtenTo: "m.h5").message,
                       "interrupted after 2 of 50 epochs: wrote the model as trained so far to m.h5")
    }

    func testWithEarlyStoppingTheBestValidationEpochIsNamed() throws {
        let model = try fit(stoppingBeforeBatch: 3 * 6 + 1, validation: 0.2)
        let history = try XCTUnwrap(model.training?.history)
        XCTAssertEqual(history.count, 6)
        let best = history.min { $0.validationLoss! < $1.validationLoss! }!.epoch
        XCTAssertEqual(model.training?.bestValidationEpoch, best)
        XCTAssertEqual(Interrupted.fit(model, writtenTo: "m.h5").message,
                       "interrupted after 6 of 50 epochs: wrote the best model so far (epoch \(best), by validation loss) to m.h5")
    }

    func testStoppingBeforeTheFirstBatchKeepsNoModel() {
        XCTAssertThrowsError(try fit(stoppingBeforeBatch: 1)) { error in
            XCTAssertEqual(error as? Interrupted, Interrupted("interrupted before training began: no model was written"))
        }
    }
}
