import AECLI
import AECore
import AEIO
import XCTest

final class FeatureExplanationTests: XCTestCase {
    func testLargestSharesFirstWithTiesByColumn() {
        let explanation = FeatureExplanation(featureLosses: [1, 4, 0, 4, 1][...], count: 3)
        XCTAssertEqual(explanation.entries.map(\.feature), [1, 3, 0])
        XCTAssertEqual(explanation.entries.map(\.share), [0.4, 0.4, 0.1])
        XCTAssertEqual(explanation.json(names: nil), #"[{"feature":1,"share":0.4},{"feature":3,"share":0.4},{"feature":0,"share":0.1}]"#)
        XCTAssertEqual(
            explanation.json(names: ["a", "b\"", "c", "d", "e"]),
            #"[{"feature":"b\"","share":0.4},{"feature":"d","share":0.4},{"feature":"a","share":0.1}]"#)
    }

    func testPerfectRowHasZeroShares() {
        let explanation = FeatureExplanation(featureLosses: [0, 0][...], count: 5)
        XCTAssertEqual(explanation.entries.map(\.feature), [0, 1])
        XCTAssertEqual(explanation.entries.map(\.share), [0, 0])
    }
}
