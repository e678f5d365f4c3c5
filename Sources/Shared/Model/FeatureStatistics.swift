/// Per-feature sums, minimum and maximum, gathered block by block, so the
/// normalisation of data larger than memory comes from one streaming pass.
public struct FeatureStatistics: Sendable {
    public private(set) var rows = 0
    private var sum: [Double]
    private var sumOfSquares: [Double]
    public private(set) var minimum: [Float]
    public private(set) var maximum: [Float]

    public init(width: Int) {
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
            for row in 0..<block.rows {
                let offset = row * cols
                for j in 0..<cols {
                    let v = values[offset + j]
                    sum[j] += Double(v)
                    sumOfSquares[j] += Double(v) * Double(v)
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

    /// The normalisation `method` derives from these statistics. Constant
    /// features get scale 1, so they map to 0 instead of dividing by 0.
    public func normalization(_ method: NormalizationMethod) -> Normalization {
        var shift = [Float](repeating: 0, count: width)
        var scale = [Float](repeating: 1, count: width)
        switch method {
        case .none:
            break
        case .standard:
            let n = Double(max(rows, 1))
            for j in 0..<width {
                let mean = sum[j] / n
                let variance = max(sumOfSquares[j] / n - mean * mean, 0)
                shift[j] = Float(mean)
                let deviation = Float(variance.squareRoot())
                scale[j] = deviation > 1e-12 ? deviation : 1
            }
        case .minmax:
            for j in 0..<width where rows > 0 {
                shift[j] = minimum[j]
                let range = maximum[j] - minimum[j]
                scale[j] = range > 0 ? range : 1
            }
        }
        return Normalization(method: method, shift: shift, scale: scale)
    }
}
