import AECLI
import AECore
import AEIO
import XCTest

/// The automatic schedule applies only when --epochs is not given, so a run
/// whose options are explicit trains exactly as asked.
final class FitScheduleTests: XCTestCase {
    func testExplicitEpochsTrainOnAllRows() {
        let given = FitConfiguration(kind: .vae, epochs: 10, settings: TrainingSettings(batchSize: 128))
        let resolved = given.resolved(rows: 8000)
        XCTAssertEqual(resolved.settings.epochs, 10)
        XCTAssertEqual(resolved.validationFraction, 0)
    }

    func testAutomaticScheduleAimsAtStepsWithAValidationSplit() {
        let automatic = FitConfiguration(kind: .vae, settings: TrainingSettings(batchSize: 128))
        let resolved = automatic.resolved(rows: 10_000)
        XCTAssertEqual(resolved.validationFraction, AutomaticSchedule.validationFraction)
        // 9000 training rows are 71 batches; 5000 steps need 71 epochs.
        XCTAssertEqual(resolved.settings.epochs, 71)
        XCTAssertEqual(resolved.resolved(rows: 10_000).settings.epochs, 71, "resolving twice changes nothing")
        XCTAssertEqual(FitConfiguration(kind: .ae).resolved(rows: 10_000).settings.epochs, 50, "10,000 steps would be 141 epochs; an AE gets at most 50")
        XCTAssertEqual(FitConfiguration(kind: .ae).resolved(rows: 100_000).settings.epochs, 15, "704 batches: 10,000 steps need 15 epochs")
    }

    func testAutomaticEpochsStayWithinTheirBounds() {
        XCTAssertEqual(AutomaticSchedule.epochs(for: .vae, rows: 10, batchSize: 128), 500)
        XCTAssertEqual(AutomaticSchedule.epochs(for: .vae, rows: 10_000_000, batchSize: 128), 10)
        XCTAssertEqual(AutomaticSchedule.epochs(for: .ae, rows: 10_000_000, batchSize: 128), 5)
        XCTAssertEqual(AutomaticSchedule.epochs(for: .ae, rows: 10, batchSize: 128), 50)
    }

    func testAnExplicitSplitWinsOverTheSchedule() {
        let resolved = FitConfiguration(validationFraction: 0.3).resolved(rows: 1000)
        XCTAssertEqual(resolved.validationFraction, 0.3)
        XCTAssertEqual(resolved.settings.epochs, 50, "700 training rows are 6 batches; an AE gets at most 50 epochs")
    }
}
