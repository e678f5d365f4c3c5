import AECLI
import AECore
import XCTest

/// ae-fit's options take their defaults from the core types, so that a fit
/// from the command line and one from the library train alike.
final class FitOptionDefaultsTests: XCTestCase {
    func testTrainingOptionsGiveTheDefaultSettings() throws {
        let options = try TrainingOptions.parse([])
        XCTAssertEqual(options.settings, TrainingSettings.defaults)
        XCTAssertEqual(options.settings, TrainingSettings())
    }

    func testModelOptionsGiveTheDefaultConfiguration() throws {
        let options = try ModelOptions.parse([])
        let defaults = FitConfiguration.defaults
        XCTAssertEqual(options.kind, defaults.kind)
        XCTAssertEqual(options.activation, defaults.activation)
        XCTAssertEqual(options.loss, defaults.loss)
    }
}
