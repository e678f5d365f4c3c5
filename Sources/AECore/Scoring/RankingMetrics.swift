/// How well scores rank labelled anomalies above normal rows: ROC-AUC and
/// average precision, computed exactly from all scores.
public enum RankingMetrics {
    /// The area under the ROC curve: the probability that a random anomaly
    /// scores above a random normal row, ties counting one half (the
    /// Mann–Whitney U statistic with tied scores given their average rank).
    /// Nil unless both classes occur.
    public static func rocAUC(scores: [Double], labels: [Bool]) -> Double? {
        precondition(scores.count == labels.count, "one label per score")
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = ascendingOrder(scores)
        var rankSum = 0.0
        forEachTieGroup(order, scores) { group in
            let anomalies = group.reduce(0) { $0 + (labels[Int($1)] ? 1 : 0) }
            let averageRank = Double(group.startIndex + 1) + Double(group.count - 1) / 2
            rankSum += averageRank * Double(anomalies)
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
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard positives > 0 else { return nil }
        let order = ascendingOrder(scores)
        var truePositives = 0, seen = 0
        var total = 0.0
        forEachTieGroup(order, scores, descending: true) { group in
            let anomalies = group.reduce(0) { $0 + (labels[Int($1)] ? 1 : 0) }
            truePositives += anomalies
            seen += group.count
            total += Double(anomalies) / Double(positives) * Double(truePositives) / Double(seen)
        }
        return total
    }

    /// Row indices by ascending score, 32-bit to halve the memory of a long stream.
    private static func ascendingOrder(_ scores: [Double]) -> [UInt32] {
        precondition(scores.count <= Int(UInt32.max), "too many rows to rank")
        var order = (0..<UInt32(scores.count)).map { $0 }
        order.sort { scores[Int($0)] < scores[Int($1)] }
        return order
    }

    /// Calls `body` with each run of equal scores in `order`, from the lowest
    /// score up (or the highest down).
    private static func forEachTieGroup(
        _ order: [UInt32], _ scores: [Double], descending: Bool = false, _ body: (ArraySlice<UInt32>) -> Void
    ) {
        func score(_ position: Int) -> Double { scores[Int(order[position])] }
        if descending {
            var end = order.count
            while end > 0 {
                var start = end - 1
                while start > 0, score(start - 1) == score(end - 1) { start -= 1 }
                body(order[start..<end])
                end = start
            }
        } else {
            var start = 0
            while start < order.count {
                var end = start + 1
                while end < order.count, score(end) == score(start) { end += 1 }
                body(order[start..<end])
                start = end
            }
        }
    }
}
