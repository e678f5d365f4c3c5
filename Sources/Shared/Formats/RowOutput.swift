import Foundation

/// The values a tool writes for a batch of rows: named columns, each holding
/// one entry per row.
public struct OutputColumns {
    public enum Values {
        /// A vector per row: an array field in NDJSON, a 2-D dataset in HDF5.
        case vectors(Matrix)
        case floats([Float])
        /// true/false in NDJSON, uint8 0/1 in HDF5.
        case flags([Bool])
        case integers([Int])
        /// `columns` integers per row, row-major: an array field in NDJSON,
        /// an int64 [rows, columns] dataset in HDF5.
        case integerVectors(columns: Int, values: [Int])
        /// Raw JSON text per row; NDJSON only (HDF5 outputs leave it out).
        case json([String])
    }

    public var rows: Int
    public var columns: [(name: String, values: Values)]

    public init(rows: Int, columns: [(name: String, values: Values)]) {
        self.rows = rows
        self.columns = columns
    }
}

/// Output formats a tool can write rows in.
public enum RowFormat: String, CaseIterable, Sendable {
    case ndjson
    case h5

    /// The format implied by a file name's extension, if it names one.
    public init?(fileExtensionOf path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "ndjson", "jsonl", "json": self = .ndjson
        case "h5", "hdf5": self = .h5
        default: return nil
        }
    }
}

/// Where a tool's rows go: NDJSON or HDF5, to stdout or a file.
///
/// A named file is written under a temporary name and renamed into place by
/// `finish()`, so a run that fails leaves no partial file under that name.
/// HDF5 to stdout is built in memory and written at the end.
public final class RowOutput {
    public let format: RowFormat
    /// The output's name in messages.
    public let name: String

    private let finalPath: String?
    private let temporaryPath: String?
    private var ndjson: (writer: NDJSONRowWriter, bytes: ByteWriter, descriptor: Int32)?
    private var hdf5: HDF5File?
    private var vectorWriters: [String: HDF5RowWriter] = [:]
    private var floatWriters: [String: HDF5ColumnWriter<Float>] = [:]
    private var byteWriters: [String: HDF5ColumnWriter<UInt8>] = [:]
    private var integerWriters: [String: HDF5ColumnWriter<Int64>] = [:]

    /// Opens `path` (nil or `-` for stdout) in `format`, else the format the
    /// file's extension names, else NDJSON.
    public init(path: String?, format: RowFormat?) throws {
        let toStdout = path == nil || path == "-"
        finalPath = toStdout ? nil : path
        name = finalPath ?? "<stdout>"
        if let format {
            self.format = format
        } else if let path = finalPath, let implied = RowFormat(fileExtensionOf: path) {
            self.format = implied
        } else {
            self.format = .ndjson
        }
        if self.format == .h5, isatty(STDOUT_FILENO) != 0, toStdout {
            throw AEError("refusing to write HDF5 to a terminal; use -o FILE.h5 or a pipe")
        }
        switch (self.format, finalPath) {
        case (.ndjson, nil):
            temporaryPath = nil
            ndjson = Self.ndjsonWriter(descriptor: STDOUT_FILENO, name: name)
        case (.ndjson, let path?):
            let (temporary, descriptor) = try TemporaryFiles.create(beside: path)
            temporaryPath = temporary
            ndjson = Self.ndjsonWriter(descriptor: descriptor, name: name)
        case (.h5, nil):
            temporaryPath = nil
            hdf5 = try HDF5File.createInMemory(name: name)
        case (.h5, let path?):
            let (temporary, descriptor) = try TemporaryFiles.create(beside: path)
            close(descriptor)
            temporaryPath = temporary
            hdf5 = try HDF5File.create(temporary)
        }
    }

    private static func ndjsonWriter(descriptor: Int32, name: String) -> (NDJSONRowWriter, ByteWriter, Int32) {
        let bytes = ByteWriter(fileDescriptor: descriptor, name: name)
        return (NDJSONRowWriter(output: bytes), bytes, descriptor)
    }

    /// Writes the stream header: a first NDJSON record, or the HDF5 root
    /// attribute `ae` holding the same JSON.
    public func writeHeader(_ header: JSONValue) throws {
        if let ndjson { try ndjson.writer.writeHeader(header) }
        if let hdf5 { try hdf5.setAttribute("ae", to: header.text) }
    }

    /// Writes a batch. NDJSON rows are objects (`passThrough` members first,
    /// then the columns) unless `asArrays` is set and there is a single vector
    /// column, which is then written as bare arrays.
    public func write(_ output: OutputColumns, passThrough: RowBatch? = nil, asArrays: Bool) throws {
        if let ndjson {
            try writeNDJSON(output, passThrough: passThrough, asArrays: asArrays, writer: ndjson.writer)
        } else if let hdf5 {
            try writeHDF5(output, into: hdf5)
        }
    }

    private func writeNDJSON(_ output: OutputColumns, passThrough: RowBatch?, asArrays: Bool, writer: NDJSONRowWriter) throws {
        if asArrays, output.columns.count == 1, case .vectors(let matrix) = output.columns[0].values {
            for row in 0..<output.rows { try writer.writeArrayRow(matrix.row(row)) }
            return
        }
        for row in 0..<output.rows {
            let fields = output.columns.map { column -> (name: String, value: NDJSONFieldValue) in
                switch column.values {
                case .vectors(let matrix): return (column.name, .floats(matrix.row(row)))
                case .floats(let values): return (column.name, .float(values[row]))
                case .flags(let values): return (column.name, .bool(values[row]))
                case .integers(let values): return (column.name, .int(values[row]))
                case .integerVectors(let columns, let values):
                    let items = values[(row * columns)..<((row + 1) * columns)].map(String.init)
                    return (column.name, .rawJSON("[" + items.joined(separator: ",") + "]"))
                case .json(let values): return (column.name, .rawJSON(values[row]))
                }
            }
            try writer.writeObjectRow(passThrough: passThrough?.passThrough(row: row) ?? [], fields: fields)
        }
    }

    private func writeHDF5(_ output: OutputColumns, into file: HDF5File) throws {
        for (name, values) in output.columns {
            switch values {
            case .vectors(let matrix):
                if vectorWriters[name] == nil { vectorWriters[name] = try HDF5RowWriter(name, cols: matrix.cols, in: file) }
                try vectorWriters[name]!.append(matrix)
            case .floats(let values):
                if floatWriters[name] == nil { floatWriters[name] = try HDF5ColumnWriter(name, in: file) }
                try floatWriters[name]!.append(values)
            case .flags(let values):
                if byteWriters[name] == nil { byteWriters[name] = try HDF5ColumnWriter(name, in: file) }
                try byteWriters[name]!.append(values.map { $0 ? 1 : 0 })
            case .integers(let values):
                if integerWriters[name] == nil { integerWriters[name] = try HDF5ColumnWriter(name, in: file) }
                try integerWriters[name]!.append(values.map(Int64.init))
            case .integerVectors(let columns, let values):
                if integerWriters[name] == nil { integerWriters[name] = try HDF5ColumnWriter(name, columns: columns, in: file) }
                try integerWriters[name]!.append(values.map(Int64.init))
            case .json:
                continue
            }
        }
    }

    /// Pushes the rows written so far out to stdout, for a run that fails
    /// part-way: the rows in front of a bad row still reach the reader. A
    /// named file stays unfinished (the failure removes it), and HDF5 on
    /// stdout, which only exists as a whole, is not written.
    public func deliverWrittenRows() {
        guard let ndjson, temporaryPath == nil else { return }
        try? ndjson.bytes.flush()
    }

    /// Completes the output: flushes, closes, and renames a file into place.
    public func finish() throws {
        if let ndjson {
            try ndjson.bytes.flush()
            if let temporaryPath, let finalPath {
                guard fsync(ndjson.descriptor) == 0 || errno == EINVAL, close(ndjson.descriptor) == 0 else {
                    throw AEError("cannot write: \(String(cString: strerror(errno)))", source: name)
                }
                try TemporaryFiles.commit(temporaryPath, to: finalPath)
            }
            self.ndjson = nil
        }
        if let hdf5 {
            vectorWriters.values.forEach { $0.close() }
            floatWriters.values.forEach { $0.close() }
            byteWriters.values.forEach { $0.close() }
            integerWriters.values.forEach { $0.close() }
            if let temporaryPath, let finalPath {
                try hdf5.close()
                try TemporaryFiles.commit(temporaryPath, to: finalPath)
            } else {
                let image = try hdf5.fileImage()
                try hdf5.close()
                let bytes = ByteWriter(fileDescriptor: STDOUT_FILENO, name: name)
                try image.withUnsafeBytes { try bytes.write($0) }
                try bytes.flush()
            }
            self.hdf5 = nil
        }
    }
}
