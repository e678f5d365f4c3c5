/// A bounded summary of many scores: the empirical quantiles at the
/// probabilities 0, 1/(m−1), 2/(m−1), …, 1.
///
/// With at most `maximumPoints` scores these are the sorted scores
/// themselves, and `quantile(_:)` is exactly NumPy's default (linear)
/// quantile; with more, the stored points are that quantile function sampled
/// on the grid, and `quantile(_:)` interpolates between them.
public struct ScoreDistribution: Equatable, Sendable {
    /// Points kept: fine enough that quantiles up to 0.999 fall between
    /// distinct stored points, small enough (32 KiB) for any model file.
    public static let maximumPoints = 4001

    /// The quantiles at evenly spaced probabilities, ascending.
    public let quantiles: [Double]
    /// How many scores were summarised.
    public let rows: Int

    public init(quantiles: [Double], rows: Int) {
        self.quantiles = quantiles
        self.rows = rows
    }

    /// Summarises `scores`.
    public init(summarizing scores: [Double]) {
        let sorted = scores.sorted()
        rows = sorted.count
        guard sorted.count > Self.maximumPoints else {
            quantiles = sorted
            return
        }
        let last = Self.maximumPoints - 1
        quantiles = (0...last).map { Self.interpolate(sorted, at: Double($0) / Double(last)) }
    }

    /// The distribution of both summaries' scores, when both still hold
    /// every score they summarise (nil otherwise).
    public func merged(with other: ScoreDistribution) -> ScoreDistribution? {
        guard rows == quantiles.count, other.rows == other.quantiles.count else { return nil }
        return ScoreDistribution(summarizing: quantiles + other.quantiles)
    }

    /// The score below which a fraction `probability` of the summarised
    /// scores lie (linear interpolation between order statistics).
    public func quantile(_ probability: Double) -> Double {
        precondition(!quantiles.isEmpty, "quantile of an empty distribution")
        return Self.interpolate(quantiles, at: min(max(probability, 0), 1))
    }

    /// The value at `probability` of ascending `values`, read as the points
    /// of a quantile function on an even grid over [0, 1].
    private static func interpolate(_ values: [Double], at probability: Double) -> Double {
        let position = probability * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        guard lower < values.count - 1 else { return values[values.count - 1] }
        let fraction = position - Double(lower)
        return values[lower] + fraction * (values[lower + 1] - values[lower])
    }
}
