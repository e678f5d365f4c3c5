import Glibc

/// The rows a tool reads: NDJSON or an HDF5 dataset, from a file or stdin,
/// told apart by the 8-byte HDF5 signature.
///
/// NDJSON streams line by line. An HDF5 file is read in row blocks; HDF5 on
/// stdin is read into memory first (HDF5 needs random access), which holds
/// that tensor in memory. Once rows are asked for through `readBatch`, the
/// next batch is read on another thread while the tool works on the current
/// one; `readBatchHere` reads on the caller's thread, for `BatchPipeline`.
public final class RowInput {
    /// The input's name in messages: the path, or `<stdin>`.
    public let source: String
    /// The stream's header record, if it has one. HDF5 inputs carry it as the
    /// root attribute `ae` (JSON text), as ae's own HDF5 outputs write it.
    public let header: JSONValue?

    private let rows: RowSource
    /// The size of an HDF5 input, which sets how long `HDF5CrashGuard` waits.
    private let hdf5Bytes: Int
    private var prefetcher: BatchPrefetcher<NDJSONRowReader.RowShape?>?
    /// The row shape seen with the last batch delivered.
    private var deliveredShape: NDJSONRowReader.RowShape?

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
        var bytes: ByteSource = FileBytes(descriptor: descriptor, source: source, closesDescriptor: !isStdin)
        var signature = try bytes.readPrefix(8)
        let compressed = GzipBytes.hasMagic(signature)
        if compressed {
            bytes = try GzipBytes(PrefixedBytes(signature, then: bytes), source: source)
            signature = try bytes.readPrefix(8)
        }
        guard HDF5File.hasSignature(signature) else {
            let reader = NDJSONRowReader(
                PrefixedBytes(signature, then: bytes), source: source, field: field, expectedWidth: nil,
                droppedFields: droppedFields)
            rows = RowSource(storage: .ndjson(reader), source: source)
            hdf5Bytes = 0
            header = try reader.header
            return
        }
        // HDF5 needs random access: from a pipe or through gzip it is read
        // into memory first.
        let image = isStdin || compressed ? signature + (try bytes.readToEnd()) : nil
        let source = source
        hdf5Bytes = image?.count ?? HDF5CrashGuard.size(of: source)
        let (file, rowsDataset, header) = try HDF5CrashGuard.run(checking: source, fileBytes: hdf5Bytes) {
            let file = try image.map { try HDF5File.open(image: $0, name: source) } ?? HDF5File.open(path!)
            let header = try file.stringAttribute("ae").flatMap { text in try? JSONValue.parse(text) }
            return (file, try HDF5Dataset(dataset, in: file), header)
        }
        rows = RowSource(storage: .hdf5(file, rowsDataset), source: source)
        self.header = header
    }

    deinit {
        prefetcher?.stop()
    }

    /// Whether rows are bare arrays or objects with pass-through members; nil
    /// for NDJSON until a row has been read. HDF5 rows are arrays.
    public var shape: NDJSONRowReader.RowShape? {
        switch rows.storage {
        case .ndjson: return deliveredShape
        case .hdf5: return .array
        }
    }

    /// The HDF5 dataset of an input read from a file on disk (so it can be
    /// read again, as training larger-than-memory data does), before any
    /// row has been read through this input.
    public var fileDataset: HDF5Dataset? {
        guard prefetcher == nil, source != "<stdin>", case .hdf5(_, let dataset) = rows.storage else { return nil }
        return dataset
    }

    /// The row width when the input declares it up front (HDF5).
    public var declaredWidth: Int? {
        if case .hdf5(_, let dataset) = rows.storage { return dataset.cols }
        return nil
    }

    /// The values of the dataset `path` that lies beside the rows of an HDF5
    /// input, one per row (shape [rows] or [rows, 1]), such as labels `y`
    /// beside `x`; nil for NDJSON, whose rows carry such values as members.
    public func valuesBesideRows(_ path: String) throws -> [Double]? {
        guard case .hdf5(let file, let dataset) = rows.storage else { return nil }
        return try HDF5CrashGuard.run(checking: source, fileBytes: hdf5Bytes) {
            let shape = try file.shape(of: path)
            guard shape == [dataset.rows] || shape == [dataset.rows, 1] else {
                throw AEError(
                    "dataset '\(path)' has shape \(shape); expected one value per row of '\(dataset.path)' ([\(dataset.rows)])",
                    source: source)
            }
            if shape.count == 1 { return try file.read(path, as: Double.self, maxCount: dataset.rows) }
            return try file.readMatrix(path, maxCount: dataset.rows).storage.map(Double.init)
        }
    }

    /// Requires every row to hold `width` values; `expectedBy` names who
    /// requires it in the message, e.g. "the model". Call it before reading.
    public func require(width: Int, expectedBy: String) throws {
        precondition(prefetcher == nil, "require(width:) after reading has started")
        switch rows.storage {
        case .ndjson(let reader):
            reader.expectedWidth = .init(width, expectedBy: expectedBy)
        case .hdf5(_, let dataset):
            guard dataset.cols == width else {
                throw AEError("dataset '\(dataset.path)' has rows of \(dataset.cols) values; \(expectedBy) expects \(width)", source: source)
            }
        }
    }

    /// Appends up to `capacity` rows to `batch`; returns how many (0 at the
    /// end). Rows with NaN or infinite values are an error. The first call
    /// starts reading ahead, in batches of `capacity` rows.
    public func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int {
        if prefetcher == nil {
            let rows = rows
            prefetcher = BatchPrefetcher(
                capacity: capacity,
                read: { batch, capacity in try rows.read(into: &batch, capacity: capacity) },
                observe: { rows.shape })
        }
        switch prefetcher!.next() {
        case .end:
            return 0
        case .failure(let error):
            throw error
        case .batch(let delivered, let shape):
            deliveredShape = shape
            if batch.count == 0 {
                prefetcher!.recycle(batch)
                batch = delivered
            } else {
                batch.append(contentsOf: delivered)
                prefetcher!.recycle(delivered)
            }
            return delivered.count
        }
    }

    /// Reads up to `capacity` rows into a new batch on the calling thread,
    /// without reading ahead: for `BatchPipeline`, whose threads take turns
    /// reading while the others compute. Returns nil at the end.
    ///
    /// `shape` is set by the first batch only (every later row has to match
    /// it), so a thread that writes an earlier batch may read `shape` while
    /// another thread reads the next.
    public func readBatchHere(capacity: Int) throws -> RowBatch? {
        precondition(prefetcher == nil, "readBatchHere(capacity:) after reading ahead has started")
        var batch = RowBatch()
        guard try rows.read(into: &batch, capacity: capacity) > 0 else { return nil }
        if deliveredShape == nil { deliveredShape = rows.shape }
        return batch
    }

    /// Every remaining row in one matrix (for training, which needs them all).
    /// An input without rows is an error.
    public func readAll() throws -> RowBatch {
        var batch = RowBatch()
        while try readBatch(into: &batch, capacity: 1 << 14) > 0 {}
        guard batch.count > 0 else { throw AEError("empty input: no rows", source: source) }
        return batch
    }
}

/// The reading state behind a `RowInput`, owned by the thread that reads
/// ahead, so it outlives the `RowInput` until that thread's last read ends.
private final class RowSource: @unchecked Sendable {
    enum Storage {
        case ndjson(NDJSONRowReader)
        case hdf5(HDF5File, HDF5Dataset)
    }

    let storage: Storage
    let source: String
    private var nextHDF5Row = 0

    init(storage: Storage, source: String) {
        self.storage = storage
        self.source = source
    }

    var shape: NDJSONRowReader.RowShape? {
        switch storage {
        case .ndjson(let reader): return reader.shape
        case .hdf5: return .array
        }
    }

    func read(into batch: inout RowBatch, capacity: Int) throws -> Int {
        switch storage {
        case .ndjson(let reader):
            return try reader.readBatch(into: &batch, capacity: capacity)
        case .hdf5(_, let dataset):
            let rows = min(capacity, dataset.rows - nextHDF5Row)
            guard rows > 0 else { return 0 }
            let range = nextHDF5Row..<(nextHDF5Row + rows)
            try batch.appendRows(rows, width: dataset.cols, firstNumber: nextHDF5Row + 1) { buffer in
                try dataset.readFiniteRows(range, into: buffer)
            }
            nextHDF5Row += rows
            return rows
        }
    }
}
