import Foundation

/// The rows a tool reads: NDJSON or an HDF5 dataset, from a file or stdin,
/// told apart by the 8-byte HDF5 signature.
///
/// NDJSON streams line by line. An HDF5 file is read in row blocks; HDF5 on
/// stdin is read into memory first (HDF5 needs random access), which holds
/// that tensor in memory.
public final class RowInput {
    /// The input's name in messages: the path, or `<stdin>`.
    public let source: String
    /// The stream's header record, if it has one. HDF5 inputs carry it as the
    /// root attribute `ae` (JSON text), as ae's own HDF5 outputs write it.
    public let header: JSONValue?

    private enum Storage {
        case ndjson(NDJSONRowReader, descriptor: Int32)
        case hdf5(HDF5File, HDF5Dataset)
    }

    private let storage: Storage
    private var nextHDF5Row = 0

    /// Opens `path` (nil or `-` for stdin). `field` names the vector member of
    /// NDJSON object rows, `dataset` the HDF5 dataset; `droppedFields` are
    /// left out of what passes through, because the tool writes them itself.
    public init(path: String?, field: String, dataset: String, droppedFields: [String] = []) throws {
        let isStdin = path == nil || path == "-"
        source = isStdin ? "<stdin>" : path!
        let descriptor = isStdin ? STDIN_FILENO : open(path!, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw AEError("cannot open: \(String(cString: strerror(errno)))", source: source)
        }
        let signature = try Self.readPrefix(descriptor, count: 8, source: source)
        guard HDF5File.hasSignature(signature) else {
            let reader = NDJSONRowReader(
                fileDescriptor: descriptor, source: source, field: field, droppedFields: droppedFields,
                alreadyRead: signature)
            storage = .ndjson(reader, descriptor: isStdin ? -1 : descriptor)
            header = try reader.header
            return
        }
        let file: HDF5File
        if isStdin {
            file = try HDF5File.open(image: signature + Self.readToEnd(descriptor, source: source), name: source)
        } else {
            close(descriptor)
            file = try HDF5File.open(path!)
        }
        storage = .hdf5(file, try HDF5Dataset(dataset, in: file))
        header = try file.stringAttribute("ae").flatMap { text in
            try? JSONValue.parse(text)
        }
    }

    deinit {
        if case .ndjson(_, let descriptor) = storage, descriptor >= 0 { close(descriptor) }
    }

    /// Whether rows are bare arrays or objects with pass-through members; nil
    /// for NDJSON until a row has been read. HDF5 rows are arrays.
    public var shape: NDJSONRowReader.RowShape? {
        switch storage {
        case .ndjson(let reader, _): return reader.shape
        case .hdf5: return .array
        }
    }

    /// The row width when the input declares it up front (HDF5).
    public var declaredWidth: Int? {
        if case .hdf5(_, let dataset) = storage { return dataset.cols }
        return nil
    }

    /// The values of the dataset `path` that lies beside the rows of an HDF5
    /// input, one per row (shape [rows] or [rows, 1]), such as labels `y`
    /// beside `x`; nil for NDJSON, whose rows carry such values as members.
    public func valuesBesideRows(_ path: String) throws -> [Double]? {
        guard case .hdf5(let file, let dataset) = storage else { return nil }
        let shape = try file.shape(of: path)
        guard shape == [dataset.rows] || shape == [dataset.rows, 1] else {
            throw AEError(
                "dataset '\(path)' has shape \(shape); expected one value per row of '\(dataset.path)' ([\(dataset.rows)])",
                source: source)
        }
        if shape.count == 1 { return try file.read(path, as: Double.self, maxCount: dataset.rows) }
        return try file.readMatrix(path, maxCount: dataset.rows).storage.map(Double.init)
    }

    /// Requires every row to hold `width` values; `expectedBy` names who
    /// requires it in the message, e.g. "the model".
    public func require(width: Int, expectedBy: String) throws {
        switch storage {
        case .ndjson(let reader, _):
            reader.expectedWidth = .init(width, expectedBy: expectedBy)
        case .hdf5(_, let dataset):
            guard dataset.cols == width else {
                throw AEError("dataset '\(dataset.path)' has rows of \(dataset.cols) values; \(expectedBy) expects \(width)", source: source)
            }
        }
    }

    /// Appends up to `capacity` rows to `batch`; returns how many (0 at the end).
    /// Rows with NaN or infinite values are an error.
    public func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int {
        switch storage {
        case .ndjson(let reader, _):
            return try reader.readBatch(into: &batch, capacity: capacity)
        case .hdf5(_, let dataset):
            let rows = min(capacity, dataset.rows - nextHDF5Row)
            guard rows > 0 else { return 0 }
            let range = nextHDF5Row..<(nextHDF5Row + rows)
            try batch.appendRows(rows, width: dataset.cols, firstNumber: nextHDF5Row + 1) { buffer in
                try dataset.readRows(range, into: buffer)
                if let bad = buffer.firstIndex(where: { !$0.isFinite }) {
                    throw AEError(
                        "dataset '\(dataset.path)' row \(range.lowerBound + bad / dataset.cols + 1) holds \(buffer[bad]); rows must be finite",
                        source: source)
                }
            }
            nextHDF5Row += rows
            return rows
        }
    }

    /// Every remaining row in one matrix (for training, which needs them all).
    /// An input without rows is an error.
    public func readAll() throws -> RowBatch {
        var batch = RowBatch()
        while try readBatch(into: &batch, capacity: 1 << 16) > 0 {}
        guard batch.count > 0 else { throw AEError("empty input: no rows", source: source) }
        return batch
    }

    /// Reads up to `count` bytes (fewer only at the end of input).
    private static func readPrefix(_ descriptor: Int32, count: Int, source: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, count - filled) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw AEError("cannot read: \(String(cString: strerror(errno)))", source: source)
            }
            filled += n
        }
        return Array(bytes[..<filled])
    }

    private static func readToEnd(_ descriptor: Int32, source: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if n == 0 { return bytes }
            if n < 0 {
                if errno == EINTR { continue }
                throw AEError("cannot read: \(String(cString: strerror(errno)))", source: source)
            }
            bytes.append(contentsOf: chunk[..<n])
        }
    }
}
