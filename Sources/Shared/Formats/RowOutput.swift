import FoundationEssentials
import Glibc

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
/// Stdout, pipes and devices (`-o /dev/stdout`, `-o /dev/null`) are written
/// in place; HDF5 for them is built in memory and written at the end.
public final class RowOutput {
    public let format: RowFormat
    /// The output's name in messages.
    public let name: String

    /// The file to rename into place at the end, for a regular file.
    private let renaming: (temporary: String, final: String)?
    /// Where streamed output goes: stdout, or an opened pipe or device.
    private let streamDescriptor: Int32?
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
        let finalPath = toStdout ? nil : path
        name = finalPath ?? "<stdout>"
        if let format {
            self.format = format
        } else if let path = finalPath, let implied = RowFormat(fileExtensionOf: path) {
            self.format = implied
        } else {
            self.format = .ndjson
        }
        if let finalPath, !TemporaryFiles.isStreamTarget(finalPath) {
            let (temporary, descriptor) = try TemporaryFiles.create(beside: finalPath)
            renaming = (temporary, finalPath)
            streamDescriptor = nil
            switch self.format {
            case .ndjson:
                ndjson = Self.ndjsonWriter(descriptor: descriptor, name: name)
            case .h5:
                close(descriptor)
                hdf5 = try HDF5File.create(temporary)
            }
            return
        }
        let descriptor = finalPath.map { open($0, O_WRONLY | O_CLOEXEC) } ?? STDOUT_FILENO
        guard descriptor >= 0 else {
            throw AEError("cannot write: \(String(cString: strerror(errno)))", source: name)
        }
        if self.format == .h5, isatty(descriptor) != 0 {
            throw AEError("refusing to write HDF5 to a terminal; use -o FILE.h5 or a pipe")
        }
        renaming = nil
        streamDescriptor = descriptor
        switch self.format {
        case .ndjson:
            ndjson = Self.ndjsonWriter(descriptor: descriptor, name: name)
            Self.stdoutBytes = ndjson?.bytes
        case .h5:
            hdf5 = try HDF5File.createInMemory(name: name)
        }
    }

    /// The NDJSON writer on stdout, flushed when a tool stops on an error so
    /// that the rows before a bad row reach the reader. Held strongly: the
    /// output object is gone by the time the error reaches the tool's main.
    nonisolated(unsafe) private static var stdoutBytes: ByteWriter?

    /// Writes out what the stdout writer holds; called on the way out after an
    /// error (write failures are ignored there: the error is already reported).
    /// Pipes and devices named with -o count as stdout here.
    public static func flushStdoutAfterFailure() {
        try? stdoutBytes?.flush()
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

    /// Completes the output: flushes, closes, and renames a file into place.
    public func finish() throws {
        if let ndjson {
            try ndjson.bytes.flush()
            if Self.stdoutBytes === ndjson.bytes { Self.stdoutBytes = nil }
            if let renaming {
                guard fsync(ndjson.descriptor) == 0 || errno == EINVAL, close(ndjson.descriptor) == 0 else {
                    throw AEError("cannot write: \(String(cString: strerror(errno)))", source: name)
                }
                try TemporaryFiles.commit(renaming.temporary, to: renaming.final)
            }
            self.ndjson = nil
        }
        if let hdf5 {
            vectorWriters.values.forEach { $0.close() }
            floatWriters.values.forEach { $0.close() }
            byteWriters.values.forEach { $0.close() }
            integerWriters.values.forEach { $0.close() }
            if let renaming {
                try hdf5.close()
                try TemporaryFiles.commit(renaming.temporary, to: renaming.final)
            } else if let streamDescriptor {
                let image = try hdf5.fileImage()
                try hdf5.close()
                let bytes = ByteWriter(fileDescriptor: streamDescriptor, name: name)
                try image.withUnsafeBytes { try bytes.write($0) }
                try bytes.flush()
            }
            self.hdf5 = nil
        }
    }
}
