/// How well scores rank labelled anomalies above normal rows: ROC-AUC and
/// average precision, computed exactly from all scores.
public enum RankingMetrics {
    /// The area under the ROC curve: the probability that a random anomaly
    /// scores above a random normal row, ties counting one half (the
    /// Mann–Whitney U statistic with tied scores given their average rank).
    /// Nil unless both classes occur.
    public static func rocAUC(scores: [Double], labels: [Bool]) -> Double? {
        precondition(scores.count == labels.count, "one label per score")
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        var rankSum = 0.0
        forEachTieGroup(scores) { group, firstRank in
            let averageRank = Double(firstRank) + Double(group.count - 1) / 2
            rankSum += averageRank * Double(group.filter { labels[$0] }.count)
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// Average precision, Σ (Rₖ − Rₖ₋₁)·Pₖ over the distinct score
    /// thresholds from the highest down (scikit-learn's
    /// `average_precision_score`: tied rows enter together). Nil without
    /// anomalies.
    public static func averagePrecision(scores: [Double], labels: [Bool]) -> Double? {
        precondition(scores.count == labels.count, "one label per score")
        let positives = labels.filter { $0 }.count
        guard positives > 0 else { return nil }
        var groups: [[Int]] = []
        forEachTieGroup(scores) { group, _ in groups.append(group) }
        var truePositives = 0, seen = 0
        var previousRecall = 0.0, total = 0.0
        for group in groups.reversed() {
            truePositives += group.filter { labels[$0] }.count
            seen += group.count
            let recall = Double(truePositives) / Double(positives)
            total += (recall - previousRecall) * Double(truePositives) / Double(seen)
            previousRecall = recall
        }
        return total
    }

    /// Calls `body` with the indices of each group of equal scores, in
    /// ascending score order, and the 1-based rank of the group's first row.
    private static func forEachTieGroup(_ scores: [Double], _ body: ([Int], Int) -> Void) {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, scores[order[end]] == scores[order[start]] { end += 1 }
            body(Array(order[start..<end]), start + 1)
            start = end
        }
    }
}
