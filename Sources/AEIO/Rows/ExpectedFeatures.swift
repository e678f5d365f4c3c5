import AECore

/// What every row must hold, and who requires it, for messages such as
/// "row has 3 values; the model expects 784".
public struct ExpectedFeatures: Sendable, Equatable {
    public var width: Int
    /// The features' names, in the model's order: CSV columns and the
    /// members of object rows without the vector field are found by these
    /// names. nil: by position only.
    public var names: [String]?
    /// Who requires it: "the model", or "the rows of a.ndjson".
    public var expectedBy: String

    public init(width: Int, names: [String]? = nil, expectedBy: String) {
        precondition(names == nil || names!.count == width, "one name per feature")
        self.width = width
        self.names = names
        self.expectedBy = expectedBy
    }
}

/// Whether rows are bare arrays or objects with pass-through members (NDJSON
/// objects, CSV records); the writers answer in kind.
public enum RowShape: Sendable {
    case array
    case object
}
