import AECore
import AEIO

/// The features that account for most of a row's reconstruction loss: what
/// `ae-score --explain K` reports, so a user sees why a row stands out.
public struct FeatureExplanation: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        /// The feature's 0-based column.
        public var feature: Int
        /// Its term of the loss divided by the row's whole loss.
        public var share: Float
    }

    public var entries: [Entry]

    /// The `count` largest of a row's per-feature losses, largest first (the
    /// lower column first among equals).
    public init(featureLosses: ArraySlice<Float>, count: Int) {
        let losses = Array(featureLosses)
        let total = losses.reduce(0, +)
        let ranked = losses.indices.sorted { losses[$0] > losses[$1] || (losses[$0] == losses[$1] && $0 < $1) }
        entries = ranked.prefix(count).map { Entry(feature: $0, share: total > 0 ? losses[$0] / total : 0) }
    }

    /// `[{"feature":3,"share":0.41},…]`, with the feature's name from
    /// `names` when given.
    public func json(names: [String]?) -> String {
        let items = entries.map { entry -> String in
            let feature = names.map { JSONValue.string($0[entry.feature]).text } ?? String(entry.feature)
            return "{\"feature\":\(feature),\"share\":\(entry.share.description)}"
        }
        return "[" + items.joined(separator: ",") + "]"
    }
}
