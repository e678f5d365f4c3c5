/// The per-row labels that `--label NAME` points at: member NAME of each
/// NDJSON object row, or dataset NAME beside the rows of an HDF5 input (like
/// `y` beside `x` in the ODDS files). A label marks an anomaly when it is
/// `true` or a non-zero number.
public final class RowLabels {
    public let name: String
    private let source: String
    private let besideRows: [Double]?
    private var rowsRead = 0

    public init(name: String, input: RowInput) throws {
        self.name = name
        source = input.source
        besideRows = try input.valuesBesideRows(name)
    }

    /// The labels of the next rows of the stream, `batch`.
    public func labels(of batch: RowBatch) throws -> [Bool] {
        defer { rowsRead += batch.count }
        if let besideRows {
            return besideRows[rowsRead..<(rowsRead + batch.count)].map { $0 != 0 }
        }
        return try (0..<batch.count).map { row in
            let line = batch.lineNumbers[row]
            switch batch.passThroughMember(name, row: row) {
            case .bool(let flag)?: return flag
            case .number(let value)?: return value != 0
            case nil: throw AEError("row has no label member \"\(name)\"", source: source, line: line)
            case let other?: throw AEError("label \"\(name)\" is \(other.text); expected a number or true/false", source: source, line: line)
            }
        }
    }
}
