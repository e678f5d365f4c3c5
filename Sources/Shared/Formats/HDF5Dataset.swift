import CHDF5

/// A 2-D numeric dataset read in row blocks, so that a file larger than
/// memory streams: rows are samples, columns are features.
///
/// float32, float64 and integer datasets are all read as Float; HDF5
/// converts while reading. Anything else (strings, records, other ranks) is
/// refused when the dataset is opened, with a message that says what it holds.
public final class HDF5Dataset {
    public let file: HDF5File
    public let path: String
    public let rows: Int
    public let cols: Int
    /// The stored element type, such as `float64` or `int32`.
    public let storedType: String
    private var id: hid_t

    public init(_ path: String, in file: HDF5File) throws {
        silenceHDF5Diagnostics()
        var id = try file.openDataset(path)
        do {
            let header = try file.describeDataset(id, path: path)
            try header.check(readableAs: .float32, path: path, in: file)
            guard header.dims.count == 2 else {
                let hint = header.dims.count == 1 ? " (a single feature needs shape [n, 1])" : ""
                throw file.error("dataset '\(path)' has rank \(header.dims.count); expected a 2-D array of rows\(hint)")
            }
            if header.dims.allSatisfy({ $0 > 0 }), Self.holdsNoData(id) {
                throw file.error(
                    "dataset '\(path)' declares \(header.dims[0]) rows of \(header.dims[1]) values but none were ever written")
            }
            if let cacheBytes = Self.chunkCacheBytes(id, cols: header.dims[1], elementSize: header.elementSize) {
                H5Dclose(id)
                id = -1
                id = try file.openDataset(path, chunkCacheBytes: cacheBytes)
            }
            self.rows = header.dims[0]
            self.cols = header.dims[1]
            self.storedType = header.storedTypeName
        } catch {
            if id >= 0 { H5Dclose(id) }
            throw error
        }
        self.file = file
        self.path = path
        self.id = id
    }

    deinit {
        close()
    }

    /// Whether a chunked or contiguous dataset has no storage allocated: its
    /// shape is only a declaration (HDF5 would return fill values for every
    /// row), such as 10^12 rows in a file of a few KiB. Reading it would take
    /// forever and mean nothing. Virtual and external datasets keep their data
    /// elsewhere and are not judged by their own storage.
    private static func holdsNoData(_ dataset: hid_t) -> Bool {
        let creation = H5Dget_create_plist(dataset)
        guard creation >= 0 else { return false }
        defer { H5Pclose(creation) }
        let layout = H5Pget_layout(creation)
        let ownStorage = layout == H5D_CHUNKED || (layout == H5D_CONTIGUOUS && H5Pget_external_count(creation) == 0)
        return ownStorage && H5Dget_storage_size(dataset) == 0
    }

    /// Reads rows `range` into the first `range.count * cols` elements of
    /// `buffer`.
    public func readRows(_ range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
        precondition(buffer.count >= range.count * cols, "buffer too small for \(range.count) rows")
        precondition(id >= 0, "HDF5 dataset '\(path)' used after close()")
        guard !range.isEmpty, cols > 0 else { return }
        silenceHDF5Diagnostics()
        let what = "cannot read rows \(range.lowerBound + 1) to \(range.upperBound) of dataset '\(path)'"
        let fileSpace = H5Dget_space(id)
        guard fileSpace >= 0 else { throw file.failure(what) }
        defer { H5Sclose(fileSpace) }
        let start: [hsize_t] = [hsize_t(range.lowerBound), 0]
        let count: [hsize_t] = [hsize_t(range.count), hsize_t(cols)]
        guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil) >= 0 else { throw file.failure(what) }
        let memorySpace = H5Screate_simple(2, count, nil)
        guard memorySpace >= 0 else { throw file.failure(what) }
        defer { H5Sclose(memorySpace) }
        guard H5Dread(id, ae_h5t_native_float(), memorySpace, fileSpace, ae_h5p_default(), buffer.baseAddress) >= 0 else {
            throw file.failure(what)
        }
    }

    /// Reads rows `range` into `matrix`, resizing it to `range.count` rows;
    /// a stream reuses one matrix for all its batches this way.
    public func readRows(_ range: Range<Int>, into matrix: inout Matrix) throws {
        precondition(matrix.cols == cols, "matrix has \(matrix.cols) columns; dataset '\(path)' has \(cols)")
        matrix.resize(rows: range.count)
        try matrix.storage.withUnsafeMutableBufferPointer { try readRows(range, into: $0) }
    }

    /// Reads rows `range` as a new matrix.
    public func readRows(_ range: Range<Int>) throws -> Matrix {
        var matrix = Matrix(rows: 0, cols: cols)
        try readRows(range, into: &matrix)
        return matrix
    }

    /// Releases the dataset; the file stays open.
    public func close() {
        guard id >= 0 else { return }
        silenceHDF5Diagnostics()
        // Closing the file strongly, or the library's exit handler, may have
        // closed the dataset already.
        if H5Iis_valid(id) > 0 { H5Dclose(id) }
        id = -1
    }

    /// A chunk cache big enough for one full row of chunks, when the default
    /// 1 MiB is not: otherwise reading row blocks smaller than a chunk would
    /// read (and decompress) every chunk again for each block.
    private static func chunkCacheBytes(_ dataset: hid_t, cols: Int, elementSize: Int) -> Int? {
        let creation = H5Dget_create_plist(dataset)
        guard creation >= 0 else { return nil }
        defer { H5Pclose(creation) }
        var chunk: [hsize_t] = [0, 0]
        guard H5Pget_layout(creation) == H5D_CHUNKED, H5Pget_chunk(creation, 2, &chunk) == 2,
              let chunkRows = Int(exactly: chunk[0]), let chunkCols = Int(exactly: chunk[1]), chunkCols > 0,
              let chunkBytes = elementCount([chunkRows, chunkCols, elementSize]),
              let rowOfChunks = elementCount([chunkBytes, (cols + chunkCols - 1) / chunkCols])
        else { return nil }
        let defaultBytes = 1 << 20
        let largestUseful = 64 << 20
        return rowOfChunks > defaultBytes && rowOfChunks <= largestUseful ? rowOfChunks : nil
    }
}

/// Opening datasets by path with messages that say what the file holds.
extension HDF5File {
    /// Shape, stored type and element size of an open dataset.
    struct DatasetHeader {
        let dims: [Int]
        let storedClass: H5T_class_t
        let storedTypeName: String
        let elementSize: Int

        func check(readableAs storage: HDF5StorageType, path: String, in file: HDF5File) throws {
            guard storage.canRead(storedClass) else {
                throw file.error("dataset '\(path)' holds \(describeContents(of: storedClass)); expected \(storage.expectation)")
            }
        }
    }

    /// The shape of the dataset at `path`, without reading it: loaders check
    /// that shapes fit together before allocating for them.
    public func shape(of path: String) throws -> [Int] {
        silenceHDF5Diagnostics()
        let dataset = try openDataset(path)
        defer { H5Dclose(dataset) }
        return try describeDataset(dataset, path: path).dims
    }

    func openDataset(_ path: String, chunkCacheBytes: Int? = nil) throws -> hid_t {
        switch objectKind(path) {
        case .dataset: break
        case .group: throw error("'\(path)' is a group, not a dataset\(datasetListing())")
        case .other: throw error("'\(path)' is not a dataset\(datasetListing())")
        case nil: throw error("no dataset '\(path)'\(datasetListing())")
        }
        var access = ae_h5p_default()
        if let chunkCacheBytes {
            access = H5Pcreate(ae_h5p_dataset_access())
            // Fully read chunks are evicted first, but not always (w0 below
            // 1): with 1.0 HDF5 never evicts a partly read chunk, and reading
            // ae-fit's evenly spaced calibration rows, one row from each
            // chunk, kept every chunk of the file in memory (3 GB for a
            // 3.1 GB file).
            guard access >= 0, H5Pset_chunk_cache(access, 10007, chunkCacheBytes, 0.75) >= 0 else {
                if access >= 0 { H5Pclose(access) }
                throw failure("cannot set up the chunk cache for dataset '\(path)'")
            }
        }
        defer { if access != ae_h5p_default() { H5Pclose(access) } }
        let dataset = H5Dopen2(handle, path, access)
        guard dataset >= 0 else { throw failure("cannot open dataset '\(path)'") }
        return dataset
    }

    func describeDataset(_ dataset: hid_t, path: String) throws -> DatasetHeader {
        let what = "dataset '\(path)'"
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw failure("cannot read the shape of \(what)") }
        defer { H5Sclose(space) }
        let dims = try simpleExtent(of: space, what: what)
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw failure("cannot read the type of \(what)") }
        defer { H5Tclose(type) }
        let storedClass = H5Tget_class(type)
        let elementSize = H5Tget_size(type)
        let bits = elementSize * 8
        let name = switch storedClass {
        case H5T_FLOAT: "float\(bits)"
        case H5T_INTEGER: H5Tget_sign(type) == H5T_SGN_NONE ? "uint\(bits)" : "int\(bits)"
        default: describeContents(of: storedClass)
        }
        return DatasetHeader(dims: dims, storedClass: storedClass, storedTypeName: name, elementSize: elementSize)
    }

    /// ` (datasets here: a, b)`: what the user could have meant.
    private func datasetListing() -> String {
        let (paths, more) = datasetPaths(limit: 10)
        guard !paths.isEmpty else { return " (the file holds no datasets)" }
        return " (datasets here: \(paths.joined(separator: ", "))\(more ? ", …" : ""))"
    }
}
