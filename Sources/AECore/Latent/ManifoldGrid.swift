/// The 2-D latent manifold figure of Kingma and Welling's VAE paper: codes
/// on a `steps` x `steps` grid over two latent dimensions, the coordinates
/// linearly spaced on the unit square and mapped through the Gaussian
/// inverse CDF, so each cell stands for an equal share of the prior's mass.
///
/// Coordinate k is Φ⁻¹((k + 0.5) / steps): the centres of `steps` equally
/// probable intervals (±1.64 for 10 steps, ±1.96 for 20). Every other
/// dimension is 0, the prior's mean. Rows come row-major, like a plot with
/// the y axis up: row `r * steps + c` holds the horizontal dimension at
/// coordinate c (increasing left to right) and the vertical dimension at
/// coordinate `steps - 1 - r` (decreasing top to bottom).
public struct ManifoldGrid: Sendable {
    public let horizontal: Int
    public let vertical: Int
    public let width: Int
    public let steps: Int
    public let coordinates: [Float]

    public var count: Int { steps * steps }

    /// A grid over latent dimensions `horizontal` and `vertical` of codes of
    /// `width` values.
    public init(horizontal: Int, vertical: Int, width: Int, steps: Int) throws {
        precondition(steps >= 1, "a grid needs a cell")
        _ = try LatentDimensions.check([horizontal, vertical], width: width)
        self.horizontal = horizontal
        self.vertical = vertical
        self.width = width
        self.steps = steps
        coordinates = (0..<steps).map { Float(NormalQuantile.of((Double($0) + 0.5) / Double(steps))) }
    }

    /// Rows `range` of the grid (row-major, as documented above).
    public func codes(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "grid rows out of range")
        var codes = Matrix(rows: range.count, cols: width)
        for (row, index) in range.enumerated() {
            codes[row, horizontal] = coordinates[index % steps]
            codes[row, vertical] = coordinates[steps - 1 - index / steps]
        }
        return codes
    }
}
