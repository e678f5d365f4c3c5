import AECore
import AEIO

/// Which input codes ae-interp joins by a path: consecutive pairs (0→1, 2→3,
/// …) or a chain through every row (0→1, 1→2, …).
///
/// Rows arrive one at a time, so pairing streams: it holds at most one row
/// (the unpaired one, or the chain's previous one) between calls.
public struct PathPairing {
    public enum Kind: Sendable {
        case pairs
        case chain
    }

    /// One end of a path: its code and the input row's other members, as raw
    /// JSON text (`"id":3,"label":7`, empty for array rows).
    public struct Endpoint {
        public var code: [Float]
        public var members: [UInt8]
        /// The 1-based input line (or HDF5 row) the code came from.
        public var line: Int
    }

    public let kind: Kind
    private var held: Endpoint?
    private var rowsSeen = 0

    public init(_ kind: Kind) {
        self.kind = kind
    }

    /// How many paths have been completed so far.
    public private(set) var pathCount = 0

    /// Takes row `row` of `batch`; returns the endpoints of the path it
    /// completes, if any.
    public mutating func add(row: Int, of batch: RowBatch) -> (from: Endpoint, to: Endpoint)? {
        let endpoint = Endpoint(
            code: Array(batch.vectors.row(row)), members: Array(batch.passThrough(row: row)),
            line: batch.lineNumbers[row])
        rowsSeen += 1
        guard let start = held else {
            held = endpoint
            return nil
        }
        held = kind == .chain ? endpoint : nil
        pathCount += 1
        return (start, endpoint)
    }

    /// Checks, at the end of the input, that every row was joined: pairs need
    /// an even number of rows, a chain at least two.
    public func finish(source: String) throws {
        switch kind {
        case .pairs where held != nil:
            throw AEError(
                "paths join rows in pairs (the first to the second, the third to the fourth, ...), but the input has \(rowsSeen) rows; "
                    + "the last one (line \(held!.line)) has no partner (use --chain for a path through all rows)",
                source: source)
        case .chain where rowsSeen == 1:
            throw AEError("a chain needs at least 2 rows; the input has \(rowsSeen)", source: source)
        default:
            break
        }
    }
}
