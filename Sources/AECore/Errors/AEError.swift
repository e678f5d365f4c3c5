/// An error a user can act on: where it happened and what was expected.
///
/// Every failure that reaches the command line is one of these, so the CLI
/// layer can print it as a single `tool: place: message` line and exit 1
/// instead of a Swift backtrace.
public struct AEError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Where the problem was found: a file name or `<stdin>`, with an optional
    /// 1-based line and column for text inputs.
    public struct Location: Equatable, Sendable {
        public var source: String
        public var line: Int?
        public var column: Int?

        public init(source: String, line: Int? = nil, column: Int? = nil) {
            self.source = source
            self.line = line
            self.column = column
        }
    }

    public var location: Location?
    public var message: String

    public init(_ message: String, at location: Location? = nil) {
        self.message = message
        self.location = location
    }

    public init(_ message: String, source: String, line: Int? = nil, column: Int? = nil) {
        self.init(message, at: Location(source: source, line: line, column: column))
    }

    /// `file:line:column: message`, with the parts that are known.
    public var description: String {
        guard let location else { return message }
        var place = location.source
        if let line = location.line { place += ":\(line)" }
        if let column = location.column { place += ":\(column)" }
        return "\(place): \(message)"
    }
}
