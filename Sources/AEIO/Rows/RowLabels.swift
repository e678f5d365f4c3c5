import AECore

/// The per-row labels that `--label NAME` points at: member NAME of each
/// NDJSON object row, or dataset NAME beside the rows of an HDF5 input (like
/// `y` beside `x` in the ODDS files). A label marks an anomaly when it is
/// `true` or a non-zero number.
public final class RowLabels {
    public let name: String
    private let besideRows: [Double]?
    private var rowsRead = 0

    public init(name: String, input: RowInput) throws {
        self.name = name
        besideRows = try input.valuesBesideRows(name)
    }

    /// The labels of the next rows of the stream, `batch`: one per row up to
    /// the first row whose label is missing or not a number or boolean, and
    /// the error for that row (nil when every row has a label), so the caller
    /// can still deliver the rows in front of it.
    public func labels(of batch: RowBatch) -> (labels: [Bool], error: AEError?) {
        defer { rowsRead += batch.count }
        if let besideRows {
            return (besideRows[rowsRead..<(rowsRead + batch.count)].map { $0 != 0 }, nil)
        }
        var labels: [Bool] = []
        for row in 0..<batch.count {
            let line = batch.lineNumbers[row]
            switch batch.passThroughMember(name, row: row) {
            case .bool(let flag)?: labels.append(flag)
            case .number(let value)?: labels.append(value != 0)
            case nil: return (labels, AEError("row has no label member \"\(name)\"", source: batch.source, line: line))
            case let other?:
                return (labels, AEError("label \"\(name)\" is \(other.text); expected a number or true/false", source: batch.source, line: line))
            }
        }
        return (labels, nil)
    }
}
