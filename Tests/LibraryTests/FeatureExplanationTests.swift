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

    /// A row's per-feature terms come from the kernels that sum its loss
    /// (`Loss.elementLosses`), so they add up to its reconstruction score, and
    /// each share is its term over that score. The kernel sums a row in
    /// vector lanes and the test in order: two Float sums of `width`
    /// non-negative terms, each within width · ε of the exact sum.
    func testSharesAreEachFeaturesPartOfTheScoredLoss() {
        let width = 20
        var generator = SeededGenerator(seed: 9)
        let rows = Matrix(rows: 50, cols: width, storage: (0..<(50 * width)).map { _ in Float(generator.uniform()) })
        let identity = Normalization(method: .none, shift: .init(repeating: 0, count: width), scale: .init(repeating: 1, count: width))
        let tolerance = 2 * Double(width) * Double(Float.ulpOfOne)
        for loss in Loss.allCases {
            let architecture = Architecture(kind: .ae, inputWidth: width, hidden: [12], latent: 3, activation: .tanh, loss: loss)
            let model = TrainedModel(network: Autoencoder(architecture: architecture, generator: &generator), normalization: identity)
            let scored = RowScorer(model: model, density: nil).score(
                normalizedRows: rows, methods: [.reconstruction], featureLosses: true, pool: WorkerPool(threads: 2))
            let scores = scored.scores[.reconstruction]!, terms = scored.featureLosses!
            for row in 0..<rows.rows {
                let rowTerms = terms.row(row)
                let score = scores[row]
                XCTAssertGreaterThan(score, 0)
                XCTAssertEqual(rowTerms.reduce(0) { $0 + Double($1) }, score, accuracy: tolerance * score, "\(loss) row \(row)")
                let explanation = FeatureExplanation(featureLosses: rowTerms, count: width)
                XCTAssertEqual(explanation.entries.count, width)
                XCTAssertEqual(
                    explanation.entries.reduce(0) { $0 + Double($1.share) }, 1, accuracy: 2 * tolerance, "\(loss) row \(row)")
                for entry in explanation.entries {
                    let term = Double(rowTerms[rowTerms.startIndex + entry.feature])
                    XCTAssertEqual(Double(entry.share) * score, term, accuracy: 2 * tolerance * score, "\(loss) row \(row)")
                }
            }
        }
    }
}
