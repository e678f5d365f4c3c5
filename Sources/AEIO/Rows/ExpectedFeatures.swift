import AECore

/// What every row must hold, and who requires it, for messages such as
/// "row has 3 values; the model expects 784".
public struct ExpectedFeatures: Sendable, Equatable {
    public var width: Int
    /// The features' names, in the model's order: CSV columns and the
    /// members of object rows without the vector field are found by these
    /// names. nil: by position only.
    public var names: [String]?
    /// The image shape rows of images must have, when it is known (a
    /// model's): 64x32 images hold as many values as 32x64 ones.
    public var image: ImageShape?
    /// Who requires it: "the model", or "the rows of a.ndjson".
    public var expectedBy: String

    public init(width: Int, names: [String]? = nil, image: ImageShape? = nil, expectedBy: String) {
        precondition(names == nil || names!.count == width, "one name per feature")
        self.width = width
        self.names = names
        self.image = image
        self.expectedBy = expectedBy
    }
}

/// Whether rows are bare arrays or objects with pass-through members (NDJSON
/// objects, CSV records); the writers answer in kind.
public enum RowShape: Sendable {
    case array
    case object
}
