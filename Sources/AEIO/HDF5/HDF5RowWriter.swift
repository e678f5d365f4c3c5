import AECore
import CHDF5

/// Streams rows into a float32 2-D dataset that grows as blocks arrive, so a
/// tool writes HDF5 output with memory bounded by its batch size.
public final class HDF5RowWriter {
    public let path: String
    public let cols: Int
    public var rows: Int { dataset.length }
    private let dataset: ExtendableDataset

    public init(_ path: String, cols: Int, in file: HDF5File) throws {
        precondition(cols > 0, "an HDF5 row writer needs at least one column")
        self.path = path
        self.cols = cols
        dataset = try ExtendableDataset(path, storage: .float32, cols: cols, in: file)
    }

    /// Appends the rows of `block`.
    public func append(_ block: Matrix) throws {
        precondition(block.cols == cols, "block has \(block.cols) columns; dataset '\(path)' has \(cols)")
        try block.storage.withUnsafeBytes { try dataset.append(block.rows, from: $0.baseAddress) }
    }

    /// Releases the dataset; the file stays open.
    public func close() {
        dataset.close()
    }
}

/// Streams values into a dataset that grows as they arrive: 1-D, such as the
/// `score` (Float) and `anomaly` (UInt8) columns of ae-score, or with a fixed
/// number of `columns` per row, such as its `explain_feature` (Int64).
public final class HDF5ColumnWriter<Element: HDF5Element> {
    public let path: String
    public let columns: Int?
    public var count: Int { dataset.length }
    private let dataset: ExtendableDataset

    public init(_ path: String, columns: Int? = nil, in file: HDF5File) throws {
        precondition(columns.map { $0 > 0 } ?? true, "an HDF5 column writer needs at least one column")
        self.path = path
        self.columns = columns
        dataset = try ExtendableDataset(path, storage: Element.hdf5StorageType, cols: columns, in: file)
    }

    /// Appends values (whole rows of `columns` values when it is set).
    public func append(_ values: [Element]) throws {
        let width = columns ?? 1
        precondition(values.count % width == 0, "values do not fill whole rows of dataset '\(path)'")
        try values.withUnsafeBytes { try dataset.append(values.count / width, from: $0.baseAddress) }
    }

    /// Releases the dataset; the file stays open.
    public func close() {
        dataset.close()
    }
}

/// Streams strings into a 1-D dataset of variable-length UTF-8 strings that
/// grows as they arrive, such as ids and labels passed through from NDJSON.
/// A string ends at its first NUL byte, as C strings do.
public final class HDF5StringColumnWriter {
    public let path: String
    public var count: Int { dataset.length }
    private let dataset: ExtendableDataset

    public init(_ path: String, in file: HDF5File) throws {
        self.path = path
        dataset = try ExtendableDataset(path, storage: .utf8String, cols: nil, in: file)
    }

    /// Appends one string per element of `values`, each given as its UTF-8 bytes.
    public func append(_ values: [[UInt8]]) throws {
        try dataset.append(strings: values)
    }

    /// Releases the dataset; the file stays open.
    public func close() {
        dataset.close()
    }
}

/// A chunked dataset with an unlimited first dimension: 1-D, or 2-D with a
/// fixed number of columns.
final class ExtendableDataset {
    /// About 64 Ki values per chunk: large enough for efficient I/O, small
    /// enough that a chunk fits HDF5's default 1 MiB chunk cache, which
    /// gathers small appends into whole-chunk writes.
    static let chunkElements = 1 << 16

    let file: HDF5File
    let path: String
    let storage: HDF5StorageType
    let cols: Int?
    private(set) var length = 0
    private var id: hid_t

    init(_ path: String, storage: HDF5StorageType, cols: Int?, in file: HDF5File) throws {
        silenceHDF5Diagnostics()
        let chunk: [hsize_t]
        if let cols {
            chunk = [hsize_t(max(1, Self.chunkElements / cols)), hsize_t(cols)]
        } else {
            chunk = [hsize_t(Self.chunkElements)]
        }
        let creation = H5Pcreate(ae_h5p_dataset_create())
        guard creation >= 0 else { throw file.failure("cannot set up dataset '\(path)'") }
        defer { H5Pclose(creation) }
        guard H5Pset_chunk(creation, Int32(chunk.count), chunk) >= 0 else {
            throw file.failure("cannot set up dataset '\(path)'")
        }
        let dims = cols.map { [0, $0] } ?? [0]
        let maxDims = cols.map { [ae_h5s_unlimited(), hsize_t($0)] } ?? [ae_h5s_unlimited()]
        self.id = try file.createDataset(path, storage: storage, dims: dims, maxDims: maxDims, creation: creation)
        self.file = file
        self.path = path
        self.storage = storage
        self.cols = cols
    }

    deinit {
        close()
    }

    /// Appends `rows` rows (values, for 1-D) read from `data`.
    func append(_ rows: Int, from data: UnsafeRawPointer?) throws {
        precondition(id >= 0, "HDF5 dataset '\(path)' used after close()")
        guard rows > 0 else { return }
        silenceHDF5Diagnostics()
        let what = "cannot append to dataset '\(path)'"
        let newLength = length + rows
        let extent: [hsize_t] = cols.map { [hsize_t(newLength), hsize_t($0)] } ?? [hsize_t(newLength)]
        guard H5Dset_extent(id, extent) >= 0 else { throw file.failure(what) }
        try selecting(rows, from: length, what: what) { memorySpace, fileSpace in
            guard H5Dwrite(id, storage.memoryType, memorySpace, fileSpace, ae_h5p_default(), data) >= 0 else {
                throw file.failure(what)
            }
        }
        length = newLength
    }

    /// Calls `body` with a file dataspace that selects `rows` rows from row
    /// `start` and a memory dataspace of their shape.
    private func selecting(
        _ rows: Int, from start: Int, what: String, _ body: (_ memorySpace: hid_t, _ fileSpace: hid_t) throws -> Void
    ) throws {
        let offset: [hsize_t] = cols == nil ? [hsize_t(start)] : [hsize_t(start), 0]
        let count: [hsize_t] = cols.map { [hsize_t(rows), hsize_t($0)] } ?? [hsize_t(rows)]
        let fileSpace = H5Dget_space(id)
        guard fileSpace >= 0 else { throw file.failure(what) }
        defer { H5Sclose(fileSpace) }
        guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, offset, nil, count, nil) >= 0 else { throw file.failure(what) }
        let memorySpace = H5Screate_simple(Int32(count.count), count, nil)
        guard memorySpace >= 0 else { throw file.failure(what) }
        defer { H5Sclose(memorySpace) }
        try body(memorySpace, fileSpace)
    }

    /// Appends strings to a dataset of `.utf8String`, each given as its UTF-8
    /// bytes.
    func append(strings values: [[UInt8]]) throws {
        precondition(storage == .utf8String, "strings appended to a dataset of numbers")
        var bytes: [CChar] = []
        bytes.reserveCapacity(values.reduce(values.count) { $0 + $1.count })
        var starts: [Int] = []
        for value in values {
            starts.append(bytes.count)
            bytes.append(contentsOf: value.map { CChar(bitPattern: $0) })
            bytes.append(0)
        }
        try bytes.withUnsafeBufferPointer { characters in
            let pointers: [UnsafePointer<CChar>?] = starts.map { characters.baseAddress! + $0 }
            try pointers.withUnsafeBytes { try append(values.count, from: $0.baseAddress) }
        }
    }

    /// A dataset of `storage` in place of this one, under the same path and
    /// holding the same values converted (such as integers that turn out to
    /// need float64), copied a chunk at a time; this one is closed.
    func converted(to storage: HDF5StorageType) throws -> ExtendableDataset {
        precondition(storage != .utf8String, "strings are not converted")
        let temporary = path + " (converting)"
        let copy = try ExtendableDataset(temporary, storage: storage, cols: cols, in: file)
        let width = cols ?? 1
        let rowsPerBlock = max(1, Self.chunkElements / width)
        var buffer = [UInt8](repeating: 0, count: rowsPerBlock * width * 8)
        silenceHDF5Diagnostics()
        let what = "cannot convert dataset '\(path)'"
        for start in stride(from: 0, to: length, by: rowsPerBlock) {
            let rows = min(rowsPerBlock, length - start)
            try selecting(rows, from: start, what: what) { memorySpace, fileSpace in
                try buffer.withUnsafeMutableBytes { bytes in
                    guard H5Dread(id, storage.memoryType, memorySpace, fileSpace, ae_h5p_default(), bytes.baseAddress) >= 0 else {
                        throw file.failure(what)
                    }
                    try copy.append(rows, from: bytes.baseAddress)
                }
            }
        }
        close()
        copy.close()
        let linkCreation = try file.linkCreationList()
        defer { H5Pclose(linkCreation) }
        guard H5Ldelete(file.handle, path, ae_h5p_default()) >= 0,
              H5Lmove(file.handle, temporary, file.handle, path, linkCreation, ae_h5p_default()) >= 0
        else { throw file.failure(what) }
        return try ExtendableDataset(reopening: path, storage: storage, cols: cols, length: length, in: file)
    }

    /// Opens the dataset at `path`, which holds `length` rows, to append more.
    private init(reopening path: String, storage: HDF5StorageType, cols: Int?, length: Int, in file: HDF5File) throws {
        silenceHDF5Diagnostics()
        id = H5Dopen2(file.handle, path, ae_h5p_default())
        guard id >= 0 else { throw file.failure("cannot open dataset '\(path)'") }
        self.file = file
        self.path = path
        self.storage = storage
        self.cols = cols
        self.length = length
    }

    func close() {
        guard id >= 0 else { return }
        silenceHDF5Diagnostics()
        H5Dclose(id)
        id = -1
    }
}
