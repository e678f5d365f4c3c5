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
/// tool: normalised = (x − shift) / scale, clamped to ±`limit`, and the
/// inverse on decode.
///
/// The clamp is what keeps every score finite: a value far outside anything
/// seen in training (1e30, or a sentinel like -9999 in a column around 20)
/// still lands 10,000 normalised units out, which scores far above any
/// threshold, but its square and the network's outputs stay within Float's
/// range. No value seen in training comes near it.
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

    /// The largest normalised magnitude a value is given.
    public static let limit: Float = 1e4

    /// The statistics of `data`'s columns for `method`.
    public init(fitting method: NormalizationMethod, to data: Matrix) {
        var statistics = FeatureStatistics(width: data.cols)
        statistics.add(data)
        self = statistics.normalization(method)
    }

    /// Normalises `data` in place (for `none`, only the clamp).
    public func apply(to data: inout Matrix) {
        precondition(data.cols == width, "width does not match the normalisation")
        let inverse = scale.map { 1 / $0 }
        let cols = width, limit = Self.limit
        data.storage.withUnsafeMutableBufferPointer { values in
            for row in 0..<data.rows {
                let offset = row * cols
                for j in 0..<cols {
                    values[offset + j] = min(max((values[offset + j] - shift[j]) * inverse[j], -limit), limit)
                }
            }
        }
    }

    /// Maps normalised values back to data units, in place; a value beyond
    /// Float's range (a huge scale times a large output) becomes the largest
    /// finite one.
    public func invert(_ data: inout Matrix) {
        precondition(data.cols == width, "width does not match the normalisation")
        let cols = width, largest = Float.greatestFiniteMagnitude
        data.storage.withUnsafeMutableBufferPointer { values in
            for row in 0..<data.rows {
                let offset = row * cols
                for j in 0..<cols { values[offset + j] = min(max(values[offset + j] * scale[j] + shift[j], -largest), largest) }
            }
        }
    }

    /// Whether every feature's range in `statistics` lands within [0, 1]
    /// (up to rounding), as binary cross-entropy needs of its targets.
    public func mapsIntoUnitInterval(_ statistics: FeatureStatistics) -> Bool {
        let tolerance: Float = 1e-5
        for j in 0..<width {
            let low = (statistics.minimum[j] - shift[j]) / scale[j]
            let high = (statistics.maximum[j] - shift[j]) / scale[j]
            guard low >= -tolerance, high <= 1 + tolerance else { return false }
        }
        return true
    }
}
