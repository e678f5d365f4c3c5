import AECore
import CHDF5

/// A numeric dataset of rank 2 or more read in row blocks, so that a file
/// larger than memory streams: the first dimension counts the samples, the
/// others hold each sample's values (a rank-3 [N, H, W] or rank-4
/// [N, H, W, C] stack of images is rows of H·W·C values in that order).
///
/// float32, float64 and integer datasets are all read as Float; HDF5
/// converts while reading. Anything else (strings, records, rank 0 or 1, a
/// compression filter this HDF5 library lacks) is refused when the dataset
/// is opened, with a message that says what it holds.
public final class HDF5Dataset {
    public let file: HDF5File
    public let path: String
    public let rows: Int
    /// Values per row: the product of the dimensions after the first.
    public let cols: Int
    /// The dimensions after the first: the shape of one sample.
    public let sampleShape: [Int]
    /// The stored element type, such as `float64` or `int32`.
    public let storedType: String
    private var id: hid_t

    public init(_ path: String, in file: HDF5File) throws {
        silenceHDF5Diagnostics()
        var id = try file.openDataset(path)
        do {
            let header = try file.describeDataset(id, path: path)
            try header.check(readableAs: .float32, path: path, in: file)
            guard header.dims.count >= 2 else {
                let hint = header.dims.count == 1 ? " (a single feature needs shape [n, 1])" : ""
                throw file.error("dataset '\(path)' has rank \(header.dims.count); expected rows: an array of rank 2 or more\(hint)")
            }
            guard let cols = elementCount(Array(header.dims.dropFirst())) else {
                throw file.error("dataset '\(path)' declares an impossible size \(header.dims)")
            }
            if header.dims.allSatisfy({ $0 > 0 }), Self.holdsNoData(id) {
                throw file.error(
                    "dataset '\(path)' declares \(header.dims[0]) rows of \(cols) values but none were ever written")
            }
            if let filter = Self.unavailableFilter(id, includingOptional: false) {
                throw file.error(Self.missingFilterMessage(filter, path: path))
            }
            if let cacheBytes = Self.chunkCacheBytes(id, dims: header.dims, elementSize: header.elementSize) {
                H5Dclose(id)
                id = -1
                id = try file.openDataset(path, chunkCacheBytes: cacheBytes)
            }
            self.rows = header.dims[0]
            self.cols = cols
            self.sampleShape = Array(header.dims.dropFirst())
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

    /// The image shape of a rank-3 [N, H, W] (grey) or rank-4 [N, H, W, C]
    /// (C = 1 or 3) dataset; nil for other ranks.
    public var imageShape: ImageShape? {
        switch sampleShape.count {
        case 2: try? ImageShape(height: sampleShape[0], width: sampleShape[1])
        case 3: try? ImageShape(height: sampleShape[0], width: sampleShape[1], channels: sampleShape[2])
        default: nil
        }
    }

    /// The first filter of the dataset's pipeline that this HDF5 library
    /// cannot apply, as "HDF5 filter 32000 (lzf)"; nil when none is missing.
    /// A missing optional filter (h5py marks its LZF so) fails only the
    /// chunks written with it, so it is named when reading fails.
    private static func unavailableFilter(_ dataset: hid_t, includingOptional: Bool) -> String? {
        let creation = H5Dget_create_plist(dataset)
        guard creation >= 0 else { return nil }
        defer { H5Pclose(creation) }
        let count = H5Pget_nfilters(creation)
        guard count > 0 else { return nil }
        for index in 0..<UInt32(count) {
            var flags: UInt32 = 0, valueCount = 8, configuration: UInt32 = 0
            var values = [UInt32](repeating: 0, count: valueCount)
            var name = [CChar](repeating: 0, count: 256)
            let filter = H5Pget_filter2(creation, index, &flags, &valueCount, &values, name.count, &name, &configuration)
            let isOptional = flags & 1 != 0
            guard filter >= 0, includingOptional || !isOptional, H5Zfilter_avail(filter) <= 0 else { continue }
            let label = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return "HDF5 filter \(filter)" + (label.isEmpty ? "" : " (\(label))")
        }
        return nil
    }

    private static func missingFilterMessage(_ filter: String, path: String) -> String {
        "dataset '\(path)' is compressed with \(filter), which this HDF5 library does not have; "
            + "write it uncompressed or with gzip (h5py: compression=\"gzip\")"
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
        let start: [hsize_t] = [hsize_t(range.lowerBound)] + sampleShape.map { _ in 0 }
        let count: [hsize_t] = [hsize_t(range.count)] + sampleShape.map { hsize_t($0) }
        guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil) >= 0 else { throw file.failure(what) }
        let memorySpace = H5Screate_simple(Int32(count.count), count, nil)
        guard memorySpace >= 0 else { throw file.failure(what) }
        defer { H5Sclose(memorySpace) }
        guard H5Dread(id, ae_h5t_native_float(), memorySpace, fileSpace, ae_h5p_default(), buffer.baseAddress) >= 0 else {
            if let filter = Self.unavailableFilter(id, includingOptional: true) {
                throw file.error(Self.missingFilterMessage(filter, path: path))
            }
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

    /// A chunk cache big enough for one full row of chunks (every chunk that
    /// holds part of a block of rows), when the default 1 MiB is not:
    /// otherwise reading row blocks smaller than a chunk would read (and
    /// decompress) every chunk again for each block.
    private static func chunkCacheBytes(_ dataset: hid_t, dims: [Int], elementSize: Int) -> Int? {
        let creation = H5Dget_create_plist(dataset)
        guard creation >= 0 else { return nil }
        defer { H5Pclose(creation) }
        var chunk = [hsize_t](repeating: 0, count: dims.count)
        guard H5Pget_layout(creation) == H5D_CHUNKED, H5Pget_chunk(creation, Int32(dims.count), &chunk) == dims.count else {
            return nil
        }
        let chunkDims = chunk.map { Int(exactly: $0) ?? 0 }
        guard chunkDims.allSatisfy({ $0 > 0 }),
              let chunkBytes = elementCount(chunkDims + [elementSize]),
              let chunksPerRow = elementCount(zip(dims, chunkDims).dropFirst().map { ($0 + $1 - 1) / $1 }),
              let rowOfChunks = elementCount([chunkBytes, chunksPerRow])
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
