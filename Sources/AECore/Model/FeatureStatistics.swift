/// Per-feature sums, minimum and maximum, gathered block by block, so the
/// normalisation of data larger than memory comes from one streaming pass.
///
/// The sums are of each value's difference from the feature's first value
/// (the assumed-mean method), so a feature whose spread is tiny beside its
/// magnitude (a constant up to rounding) gets its true, tiny variance instead
/// of the cancellation noise of Σx² − n·mean².
public struct FeatureStatistics: Sendable {
    public private(set) var rows = 0
    private var origin: [Double]
    private var sum: [Double]
    private var sumOfSquares: [Double]
    public private(set) var minimum: [Float]
    public private(set) var maximum: [Float]

    public init(width: Int) {
        origin = [Double](repeating: 0, count: width)
        sum = [Double](repeating: 0, count: width)
        sumOfSquares = [Double](repeating: 0, count: width)
        minimum = [Float](repeating: .infinity, count: width)
        maximum = [Float](repeating: -.infinity, count: width)
    }

    public var width: Int { sum.count }

    /// Adds the rows of `block`.
    public mutating func add(_ block: Matrix) {
        precondition(block.cols == width, "block width does not match the statistics")
        let cols = width
        block.storage.withUnsafeBufferPointer { values in
            if rows == 0, block.rows > 0 {
                for j in 0..<cols { origin[j] = Double(values[j]) }
            }
            for row in 0..<block.rows {
                let offset = row * cols
                for j in 0..<cols {
                    let v = values[offset + j]
                    let d = Double(v) - origin[j]
                    sum[j] += d
                    sumOfSquares[j] += d * d
                    minimum[j] = min(minimum[j], v)
                    maximum[j] = max(maximum[j], v)
                }
            }
        }
        rows += block.rows
    }

    /// Whether every value seen lies in [0, 1].
    public var withinUnitInterval: Bool {
        rows > 0 && minimum.allSatisfy { $0 >= 0 } && maximum.allSatisfy { $0 <= 1 }
    }

    /// A spread at most this share of a feature's magnitude is rounding, not
    /// variation: the feature counts as constant.
    public static let constantSpread = 1e-6

    /// The scale of a constant feature: a thousandth of its magnitude (at
    /// least of 1). Any real change of such a feature is far outside
    /// anything seen in training, so it must weigh heavily in a score; this
    /// makes a change of 0.1% of the value one normalised unit, while the
    /// rounding noise the feature had stays negligible.
    static func constantScale(magnitude: Double) -> Float {
        Float(1e-3 * max(magnitude, 1))
    }

    /// Whether feature `j` is constant: its spread (standard deviation or
    /// range) is zero or at most `constantSpread` of its magnitude.
    public func isConstant(_ j: Int) -> Bool {
        let range = Double(maximum[j]) - Double(minimum[j])
        return rows == 0 || range <= Self.constantSpread * magnitude(j)
    }

    /// The largest absolute value feature `j` took.
    func magnitude(_ j: Int) -> Double {
        max(abs(Double(minimum[j])), abs(Double(maximum[j])))
    }

    /// The normalisation `method` derives from these statistics. Constant
    /// features (`isConstant`) get `constantScale`, so they map to 0 and
    /// any real change is large, never a division by zero.
    public func normalization(_ method: NormalizationMethod) -> Normalization {
        var shift = [Float](repeating: 0, count: width)
        var scale = [Float](repeating: 1, count: width)
        switch method {
        case .none:
            break
        case .standard:
            let n = Double(max(rows, 1))
            for j in 0..<width {
                let meanOffset = sum[j] / n
                let variance = max(sumOfSquares[j] / n - meanOffset * meanOffset, 0)
                shift[j] = Float(origin[j] + meanOffset)
                scale[j] = isConstant(j) ? Self.constantScale(magnitude: magnitude(j)) : max(Float(variance.squareRoot()), .leastNormalMagnitude)
            }
        case .minmax:
            for j in 0..<width where rows > 0 {
                shift[j] = minimum[j]
                scale[j] = isConstant(j) ? Self.constantScale(magnitude: magnitude(j)) : max(maximum[j] - minimum[j], .leastNormalMagnitude)
            }
        }
        return Normalization(method: method, shift: shift, scale: scale)
    }
}
