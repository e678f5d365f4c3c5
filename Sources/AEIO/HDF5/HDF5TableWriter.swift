import AECore

/// Writes a tool's rows into an HDF5 file as one dataset per column, each
/// grown a batch at a time (memory bounded by the batch): vectors as float32
/// [rows, width], numbers as float32 or int64 [rows], flags as uint8,
/// strings and JSON text as UTF-8 strings; the pass-through members of object
/// rows as datasets beside them (see `HDF5PassThroughColumns`).
final class HDF5TableWriter {
    let file: HDF5File
    private var vectors: [String: HDF5RowWriter] = [:]
    private var floats: [String: HDF5ColumnWriter<Float>] = [:]
    private var bytes: [String: HDF5ColumnWriter<UInt8>] = [:]
    private var integers: [String: HDF5ColumnWriter<Int64>] = [:]
    private var strings: [String: HDF5StringColumnWriter] = [:]
    private let passThrough: HDF5PassThroughColumns

    init(file: HDF5File) {
        self.file = file
        passThrough = HDF5PassThroughColumns(file: file)
    }

    func write(_ output: OutputColumns, passThrough rows: RowBatch?) throws {
        if let rows { try passThrough.append(rows, reserved: Set(output.columns.map(\.name))) }
        for (name, values) in output.columns {
            switch values {
            case .vectors(let matrix):
                if vectors[name] == nil { vectors[name] = try HDF5RowWriter(name, cols: matrix.cols, in: file) }
                try vectors[name]!.append(matrix)
            case .floats(let values):
                if floats[name] == nil { floats[name] = try HDF5ColumnWriter(name, in: file) }
                try floats[name]!.append(values)
            case .flags(let values):
                if bytes[name] == nil { bytes[name] = try HDF5ColumnWriter(name, in: file) }
                try bytes[name]!.append(values.map { $0 ? 1 : 0 })
            case .integers(let values):
                if integers[name] == nil { integers[name] = try HDF5ColumnWriter(name, in: file) }
                try integers[name]!.append(values.map(Int64.init))
            case .integerVectors(let columns, let values):
                if integers[name] == nil { integers[name] = try HDF5ColumnWriter(name, columns: columns, in: file) }
                try integers[name]!.append(values.map(Int64.init))
            case .strings(let values), .json(let values):
                if strings[name] == nil { strings[name] = try HDF5StringColumnWriter(name, in: file) }
                try strings[name]!.append(values.map { Array($0.utf8) })
            }
        }
    }

    /// Releases every dataset; the file stays open.
    func closeDatasets() {
        vectors.values.forEach { $0.close() }
        floats.values.forEach { $0.close() }
        bytes.values.forEach { $0.close() }
        integers.values.forEach { $0.close() }
        strings.values.forEach { $0.close() }
        passThrough.close()
    }
}
