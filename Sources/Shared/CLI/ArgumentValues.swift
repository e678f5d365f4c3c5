import Foundation
import ArgumentParser

// Option values that several tools parse, each defined once so help text,
// man pages and completions list the same choices.

extension ExpressibleByArgument {
    /// The accepted values as `a|b|c`: as an option's value name it shows
    /// them in the synopsis of --help and of the man page, which does not
    /// list them otherwise.
    public static var choices: String { allValueStrings.joined(separator: "|") }
}

extension ModelKind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension NormalizationMethod: ExpressibleByArgument {}

extension Loss: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { ["mse", "bce", "gaussian", "bernoulli"] }
}

/// A comma-separated list of layer widths, e.g. `256,128,64`.
public struct LayerWidths: ExpressibleByArgument, Equatable, Sendable {
    public var widths: [Int]

    public init(_ widths: [Int]) { self.widths = widths }

    public init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        let widths = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard widths.count == parts.count, widths.allSatisfy({ $0 >= 1 }) else { return nil }
        self.widths = widths
    }

    public var defaultValueDescription: String { widths.map(String.init).joined(separator: ",") }
}

/// An image shape `HxW` or `HxWxC`.
extension ImageShape: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension RowFormat: ExpressibleByArgument {}

/// A comma-separated list of latent dimension indices, e.g. `0,3`.
public struct DimensionList: ExpressibleByArgument, Equatable, Sendable {
    public var dimensions: [Int]

    public init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        let dimensions = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dimensions.count == parts.count, dimensions.allSatisfy({ $0 >= 0 }) else { return nil }
        self.dimensions = dimensions
    }
}

extension InterpolationMethod: ExpressibleByArgument {}
