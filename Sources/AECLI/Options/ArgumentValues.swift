import AECore
import AEIO
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
    public static var allValueStrings: [String] { names }
}

/// A comma-separated list of layer widths, e.g. `256,128,64`.
public struct LayerWidths: ExpressibleByArgument, Equatable, Sendable {
    public var widths: [Int]

    public init(_ widths: [Int]) { self.widths = widths }

    public init?(argument: String) {
        guard let widths = commaSeparatedIntegers(argument, atLeast: 1) else { return nil }
        self.widths = widths
    }

    public var defaultValueDescription: String { widths.map(String.init).joined(separator: ",") }
}

/// An image shape `HxW` or `HxWxC`.
extension ImageShape: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension RowFormat: ExpressibleByArgument {}
extension TextFormat: ExpressibleByArgument {}
extension MissingValues: ExpressibleByArgument {}

/// A comma-separated list of column or member names, e.g. `temp,pressure`.
public struct NameList: ExpressibleByArgument, Equatable, Sendable {
    public var names: [String]

    public init?(argument: String) {
        let names = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !names.contains("") else { return nil }
        self.names = names
    }
}

/// A comma-separated list of latent dimension indices, e.g. `0,3`.
public struct DimensionList: ExpressibleByArgument, Equatable, Sendable {
    public var dimensions: [Int]

    public init?(argument: String) {
        guard let dimensions = commaSeparatedIntegers(argument, atLeast: 0) else { return nil }
        self.dimensions = dimensions
    }
}

extension InterpolationMethod: ExpressibleByArgument {}

/// `a,b,c` as integers of at least `minimum`, with blanks around each
/// allowed; nil when any part is not one.
private func commaSeparatedIntegers(_ argument: String, atLeast minimum: Int) -> [Int]? {
    let isText = { (character: Character) in !character.isWhitespace || character.isNewline }
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
    let values = parts.compactMap { part -> Int? in
        guard let first = part.firstIndex(where: isText), let last = part.lastIndex(where: isText) else { return nil }
        return Int(part[first...last])
    }
    guard values.count == parts.count, values.allSatisfy({ $0 >= minimum }) else { return nil }
    return values
}
