import AECore

/// The data interval `[low, high]` that maps linearly onto pixel bytes 0...255.
///
/// Decoded images usually lie in [0, 1] (sigmoid outputs), so `unit` keeps
/// their brightness comparable across grids; data in original units uses
/// `spanning(_:)` instead. Values outside the interval are clamped, never
/// wrapped, so an overshooting decoder saturates rather than turning dark.
public struct IntensityRange: Equatable, Sendable {
    public let low: Float
    public let high: Float

    /// Requires finite bounds with `low <= high`. When `low == high` the map
    /// is a step: values above `high` are 255 and all others 0, so a constant
    /// image renders black.
    public init(low: Float, high: Float) {
        precondition(low.isFinite && high.isFinite && low <= high, "intensity range needs finite low <= high")
        self.low = low
        self.high = high
    }

    /// [0, 1], the range of sigmoid outputs and min-max scaled data.
    public static let unit = IntensityRange(low: 0, high: 1)

    /// The smallest and largest finite value, or `unit` when there is none.
    public static func spanning(_ values: some Sequence<Float>) -> IntensityRange {
        var low = Float.infinity
        var high = -Float.infinity
        for value in values where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        return low <= high ? IntensityRange(low: low, high: high) : .unit
    }

    /// The pixel byte for `value`: linear in the range, rounded to nearest,
    /// clamped to 0...255; NaN gives 0. The arithmetic is in Double so that
    /// `value - low` cannot overflow for extreme Float bounds.
    public func byte(_ value: Float) -> UInt8 {
        guard !value.isNaN else { return 0 }
        let span = Double(high) - Double(low)
        guard span > 0 else { return value > high ? 255 : 0 }
        let scaled = ((Double(value) - Double(low)) * (255 / span)).rounded()
        return UInt8(min(max(scaled, 0), 255))
    }
}
