import AECore

/// The values a tool writes for a batch of rows: named columns, each holding
/// one entry per row.
public struct OutputColumns {
    public enum Values {
        /// A vector per row: an array field in NDJSON, columns `name0, name1, …`
        /// in CSV, a 2-D dataset in HDF5.
        case vectors(Matrix)
        case floats([Float])
        /// true/false in NDJSON and CSV, uint8 0/1 in HDF5.
        case flags([Bool])
        case integers([Int])
        /// `columns` integers per row, row-major: an array field in NDJSON,
        /// columns `name0, name1, …` in CSV, an int64 [rows, columns] dataset
        /// in HDF5.
        case integerVectors(columns: Int, values: [Int])
        /// A string per row: a string dataset in HDF5.
        case strings([String])
        /// Raw JSON text per row: written as it is in NDJSON, as a text field
        /// in CSV, as a string dataset in HDF5.
        case json([String])
    }

    public var rows: Int
    public var columns: [(name: String, values: Values)]

    public init(rows: Int, columns: [(name: String, values: Values)]) {
        self.rows = rows
        self.columns = columns
    }
}
