/// A latent traversal: each chosen dimension of a code swept over a range of
/// values while the other dimensions keep the code's values, the figure of
/// beta-VAE papers that shows what a single latent dimension controls.
///
/// Rows for one code come dimension by dimension (in the order given), and
/// within a dimension from the low value to the high one: row
/// `d * steps + k` sets dimension `dimensions[d]` to `values[k]`. With
/// `steps` images per grid row, each grid row shows one dimension's sweep.
public struct LatentTraversal: Sendable {
    public let dimensions: [Int]
    /// `steps` values from `low` to `high`, both included.
    public let values: [Float]

    /// Sweeps `dimensions` (all `width` of them when nil) over `low...high`.
    public init(dimensions: [Int]?, width: Int, low: Float, high: Float, steps: Int) throws {
        precondition(steps >= 2, "a sweep needs both ends")
        self.dimensions = try LatentDimensions.check(dimensions ?? Array(0..<width), width: width)
        // As numpy.linspace: low + k * step, so evenly spaced nice numbers
        // (-3:3 in 7 steps, -1:2 in 4) come out exact; the last is `high`.
        let step = (Double(high) - Double(low)) / Double(steps - 1)
        values = (0..<steps).map { k in k == steps - 1 ? high : Float(Double(low) + Double(k) * step) }
    }

    public var rowsPerCode: Int { dimensions.count * values.count }

    /// The traversal rows around `code`.
    public func rows(around code: ArraySlice<Float>) -> Matrix {
        var rows = Matrix(rows: rowsPerCode, cols: code.count)
        for (d, dimension) in dimensions.enumerated() {
            for (k, value) in values.enumerated() {
                let row = d * values.count + k
                rows.storage.replaceSubrange(row * code.count..<(row + 1) * code.count, with: code)
                rows[row, dimension] = value
            }
        }
        return rows
    }

    /// The dimension swept and the value it holds in row `row` of `rows(around:)`.
    public func setting(ofRow row: Int) -> (dimension: Int, value: Float) {
        (dimensions[row / values.count], values[row % values.count])
    }
}
