/// How input features are scaled before the network sees them.
public enum NormalizationMethod: String, CaseIterable, Sendable, Codable {
    /// Zero mean and unit variance per feature.
    case standard
    /// Each feature mapped to [0, 1] by its training minimum and maximum.
    case minmax
    /// Values used as they are.
    case none
}

/// Per-feature affine preprocessing, stored in the model and applied by every
/// tool: normalised = (x − shift) / scale, and the inverse on decode.
///
/// Constant features get scale 1, so they map to 0 instead of dividing by 0.
public struct Normalization: Equatable, Sendable {
    public var method: NormalizationMethod
    public var shift: [Float]
    public var scale: [Float]

    public init(method: NormalizationMethod, shift: [Float], scale: [Float]) {
        precondition(shift.count == scale.count, "shift and scale differ in length")
        self.method = method
        self.shift = shift
        self.scale = scale
    }

    public var width: Int { shift.count }

    /// The statistics of `data`'s columns for `method`.
    public init(fitting method: NormalizationMethod, to data: Matrix) {
        let cols = data.cols
        var shift = [Float](repeating: 0, count: cols)
        var scale = [Float](repeating: 1, count: cols)
        switch method {
        case .none:
            break
        case .standard:
            var sum = [Double](repeating: 0, count: cols)
            var sumOfSquares = [Double](repeating: 0, count: cols)
            for row in 0..<data.rows {
                let offset = row * cols
                for j in 0..<cols {
                    let v = Double(data.storage[offset + j])
                    sum[j] += v
                    sumOfSquares[j] += v * v
                }
            }
            let n = Double(max(data.rows, 1))
            for j in 0..<cols {
                let mean = sum[j] / n
                let variance = max(sumOfSquares[j] / n - mean * mean, 0)
                shift[j] = Float(mean)
                let deviation = Float(variance.squareRoot())
                scale[j] = deviation > 1e-12 ? deviation : 1
            }
        case .minmax:
            var low = [Float](repeating: .infinity, count: cols)
            var high = [Float](repeating: -.infinity, count: cols)
            for row in 0..<data.rows {
                let offset = row * cols
                for j in 0..<cols {
                    let v = data.storage[offset + j]
                    low[j] = min(low[j], v)
                    high[j] = max(high[j], v)
                }
            }
            for j in 0..<cols where data.rows > 0 {
                shift[j] = low[j]
                let range = high[j] - low[j]
                scale[j] = range > 0 ? range : 1
            }
        }
        self.init(method: method, shift: shift, scale: scale)
    }

    /// Normalises `data` in place.
    public func apply(to data: inout Matrix) {
        guard method != .none else { return }
        precondition(data.cols == width, "width does not match the normalisation")
        let inverse = scale.map { 1 / $0 }
        let cols = width
        data.storage.withUnsafeMutableBufferPointer { values in
            for row in 0..<data.rows {
                let offset = row * cols
                for j in 0..<cols { values[offset + j] = (values[offset + j] - shift[j]) * inverse[j] }
            }
        }
    }

    /// Maps normalised values back to data units, in place.
    public func invert(_ data: inout Matrix) {
        guard method != .none else { return }
        precondition(data.cols == width, "width does not match the normalisation")
        let cols = width
        data.storage.withUnsafeMutableBufferPointer { values in
            for row in 0..<data.rows {
                let offset = row * cols
                for j in 0..<cols { values[offset + j] = values[offset + j] * scale[j] + shift[j] }
            }
        }
    }
}
