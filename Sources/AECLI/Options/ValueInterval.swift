import AECore
import AEIO
import ArgumentParser

/// Two finite numbers `LOW:HIGH`, as in `ae-interp --range -3:3` and
/// `ae-decode --value-range 0:255`.
public struct ValueInterval: ExpressibleByArgument, Equatable, Sendable, CustomStringConvertible {
    public var low: Float
    public var high: Float

    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }

    public init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Float(parts[0]), let high = Float(parts[1]),
              low.isFinite, high.isFinite else { return nil }
        self.init(low: low, high: high)
    }

    public var description: String { "\(low):\(high)" }
    public var defaultValueDescription: String { description }
}
