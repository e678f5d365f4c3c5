import AECLI
import AECore
import AEIO
import XCTest

/// ROC-AUC and average precision on cases small enough to check by hand
/// (and against scikit-learn's roc_auc_score / average_precision_score).
final class RankingMetricsTests: XCTestCase {
    func testTiedScoresCountHalf() {
        // Anomalies score 2 and 3, normal rows 1 and 2: of the four pairs,
        // three are ordered right and one is tied, so AUC = 3.5 / 4.
        let scores: [Double] = [1, 2, 2, 3]
        let labels = [false, true, false, true]
        XCTAssertEqual(RankingMetrics.rocAUC(scores: scores, labels: labels)!, 0.875, accuracy: 1e-12)
        // Thresholds 3 (recall ½, precision 1) then 2 (recall 1, precision ⅔).
        XCTAssertEqual(RankingMetrics.averagePrecision(scores: scores, labels: labels)!, 0.5 + 0.5 * 2 / 3, accuracy: 1e-12)
    }

    func testTieGroupsSpanningBothClasses() {
        let scores = [0.5, 0.5, 0.2, 0.9, 0.2, 0.5]
        let labels = [true, false, true, false, false, true]
        XCTAssertEqual(RankingMetrics.rocAUC(scores: scores, labels: labels)!, 3.5 / 9, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.averagePrecision(scores: scores, labels: labels)!, 0.5, accuracy: 1e-12)
    }

    func testPerfectReversedAndConstantRankings() {
        let labels = [false, false, true, true]
        XCTAssertEqual(RankingMetrics.rocAUC(scores: [1, 2, 3, 4], labels: labels), 1)
        XCTAssertEqual(RankingMetrics.averagePrecision(scores: [1, 2, 3, 4], labels: labels), 1)
        XCTAssertEqual(RankingMetrics.rocAUC(scores: [4, 3, 2, 1], labels: labels), 0)
        XCTAssertEqual(RankingMetrics.rocAUC(scores: [7, 7, 7, 7], labels: labels), 0.5)
        XCTAssertEqual(RankingMetrics.averagePrecision(scores: [7, 7, 7, 7], labels: labels), 0.5)
    }

    func testUndefinedWithOneClass() {
        XCTAssertNil(RankingMetrics.rocAUC(scores: [1, 2], labels: [false, false]))
        XCTAssertNil(RankingMetrics.rocAUC(scores: [1, 2], labels: [true, true]))
        XCTAssertNil(RankingMetrics.averagePrecision(scores: [1, 2], labels: [false, false]))
        XCTAssertEqual(RankingMetrics.averagePrecision(scores: [1, 2], labels: [true, true]), 1)
    }
}
