import AECore

/// What a reader does with a missing value in a feature: an empty CSV cell
/// (or `NA`, `NaN`, `null`, as pandas and R write them), or `null` in an
/// object row.
public enum MissingValues: String, CaseIterable, Sendable {
    /// Stop with an error naming the line and the feature.
    case error
    /// Read it as 0.
    case zero
}

/// Which named columns (CSV) or members (object rows without the vector
/// field) are the features, as the user chose them. A model that stores
/// names overrides the automatic choice: its features are found by name.
public struct FeatureSelection: Sendable, Equatable {
    /// `--columns`: exactly these, in this order.
    public var columns: [String]?
    /// `--exclude`: every other numeric column.
    public var exclude: [String]
    public var missing: MissingValues
    /// Whether object rows without the vector field may choose their
    /// features themselves, as their numeric members (ae-fit, which has no
    /// model to take names from). Elsewhere such rows need the model's names
    /// or `--columns`: the order of an object's members means nothing in
    /// JSON, so it cannot stand in for positions.
    public var namesFromObjects: Bool

    public init(columns: [String]? = nil, exclude: [String] = [], missing: MissingValues = .error, namesFromObjects: Bool = false) {
        self.columns = columns
        self.exclude = exclude
        self.missing = missing
        self.namesFromObjects = namesFromObjects
    }

    /// The features among `names` (a CSV header, or an object row's member
    /// names, in order), in feature order: the model's names when `expected`
    /// has them, else `--columns`, else the numeric ones (`isNumeric`) not
    /// excluded and not unnamed. `kind` is "column" or "member" for messages.
    func features(
        among names: [String], isNumeric: (Int) -> Bool, expected: ExpectedFeatures?, kind: String
    ) throws(FeatureChoiceError) -> [String] {
        let available = Set(names)
        func require(_ wanted: [String], because reason: String) throws(FeatureChoiceError) {
            if let missing = wanted.first(where: { !available.contains($0) }) {
                throw FeatureChoiceError(
                    "no \(kind) \(JSONValue.string(missing).text)\(reason) (\(kind)s here: \(Self.listing(names)))")
            }
        }
        if columns == nil, let names = expected?.names {
            try require(names, because: ", a feature of \(expected!.expectedBy)")
            return names
        }
        let chosen: [String]
        if let columns {
            try require(columns, because: " named by --columns")
            chosen = columns
        } else {
            try require(exclude, because: " named by --exclude")
            let excluded = Set(exclude)
            chosen = names.indices.filter { !names[$0].isEmpty && !excluded.contains(names[$0]) && isNumeric($0) }.map { names[$0] }
            guard !chosen.isEmpty else {
                throw FeatureChoiceError(
                    "no numeric \(kind)s to use as features (\(kind)s here: \(Self.listing(names))); name them with --columns")
            }
        }
        if let expected, chosen.count != expected.width {
            throw FeatureChoiceError(
                "\(chosen.count) feature \(kind)s (\(Self.listing(chosen))); \(expected.expectedBy) expects \(expected.width)"
                    + (columns == nil ? "; choose them with --columns or --exclude" : ""))
        }
        var seen = Set<String>()
        if let repeated = chosen.first(where: { !seen.insert($0).inserted }) {
            throw FeatureChoiceError("feature \(JSONValue.string(repeated).text) is named twice")
        }
        return chosen
    }

    /// Names for a message: the first 20, then how many there are.
    public static func listing(_ names: [String]) -> String {
        names.count <= 20 ? names.joined(separator: ", ") : names.prefix(20).joined(separator: ", ") + ", … (\(names.count))"
    }
}

/// Why the features could not be chosen; the reader adds the place.
struct FeatureChoiceError: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
