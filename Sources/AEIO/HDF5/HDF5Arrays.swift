import AECore
import CHDF5

/// Whole datasets written and read in one piece: model weights, statistics,
/// histories. Reads check shape and size against the caller's limit before
/// allocating, so a hostile file cannot ask for terabytes.
extension HDF5File {
    /// Writes `matrix` as a float32 dataset of shape [rows, cols], replacing
    /// any dataset at `path` and creating missing parent groups.
    public func write(_ matrix: Matrix, to path: String) throws {
        try matrix.storage.withUnsafeBytes { bytes in
            try writeWhole(path, storage: .float32, dims: [matrix.rows, matrix.cols], data: bytes.baseAddress)
        }
    }

    /// Writes `values` as a float32 dataset of shape `shape` (row-major),
    /// as model parameters are stored.
    public func write(_ values: [Float], shape: [Int], to path: String) throws {
        precondition(shape.reduce(1, *) == values.count, "values do not fill the shape")
        try values.withUnsafeBytes { bytes in
            try writeWhole(path, storage: .float32, dims: shape, data: bytes.baseAddress)
        }
    }

    /// Writes `values` as a 1-D dataset of their own type.
    public func write<Element: HDF5Element>(_ values: [Element], to path: String) throws {
        try values.withUnsafeBytes { bytes in
            try writeWhole(path, storage: Element.hdf5StorageType, dims: [values.count], data: bytes.baseAddress)
        }
    }

    /// Reads the 1-D dataset at `path`, converting integers to floating
    /// point where `Element` is one; refuses more than `maxCount` values.
    public func read<Element: HDF5Element>(_ path: String, as _: Element.Type = Element.self, maxCount: Int) throws -> [Element] {
        silenceHDF5Diagnostics()
        let storage = Element.hdf5StorageType
        let dataset = try openDataset(path)
        defer { H5Dclose(dataset) }
        let header = try describeDataset(dataset, path: path)
        try header.check(readableAs: storage, path: path, in: self)
        guard header.dims.count == 1 else {
            throw error("dataset '\(path)' has shape \(header.dims); expected a 1-D array")
        }
        let count = header.dims[0]
        guard count <= maxCount else {
            throw error("dataset '\(path)' holds \(count) values; at most \(maxCount) expected")
        }
        return try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0,
               H5Dread(dataset, storage.memoryType, ae_h5s_all(), ae_h5s_all(), ae_h5p_default(), buffer.baseAddress) < 0 {
                throw failure("cannot read dataset '\(path)'")
            }
            initialized = count
        }
    }

    /// Reads the 2-D dataset at `path` whole; refuses more than `maxCount`
    /// values.
    public func readMatrix(_ path: String, maxCount: Int) throws -> Matrix {
        let dataset = try HDF5Dataset(path, in: self)
        defer { dataset.close() }
        guard let count = elementCount([dataset.rows, dataset.cols]), count <= maxCount else {
            throw error("dataset '\(path)' holds \(dataset.rows) × \(dataset.cols) values; at most \(maxCount) expected")
        }
        return try dataset.readRows(0 ..< dataset.rows)
    }

    private func writeWhole(_ path: String, storage: HDF5StorageType, dims: [Int], data: UnsafeRawPointer?) throws {
        silenceHDF5Diagnostics()
        let dataset = try createDataset(path, storage: storage, dims: dims)
        defer { H5Dclose(dataset) }
        if !dims.contains(0),
           H5Dwrite(dataset, storage.memoryType, ae_h5s_all(), ae_h5s_all(), ae_h5p_default(), data) < 0 {
            throw failure("cannot write dataset '\(path)'")
        }
    }

    /// Creates a dataset at `path` in place of any dataset there, with missing
    /// parent groups. `maxDims` and `creation` (a dataset creation property
    /// list) make it extendable and chunked.
    func createDataset(
        _ path: String, storage: HDF5StorageType, dims: [Int], maxDims: [hsize_t]? = nil, creation: hid_t = ae_h5p_default()
    ) throws -> hid_t {
        try createDataset(path, fileType: storage.fileType, dims: dims, maxDims: maxDims, creation: creation)
    }

    /// `createDataset(_:storage:dims:maxDims:creation:)` for any stored type, such as strings.
    func createDataset(
        _ path: String, fileType: hid_t, dims: [Int], maxDims: [hsize_t]? = nil, creation: hid_t = ae_h5p_default()
    ) throws -> hid_t {
        switch objectKind(path) {
        case .dataset:
            guard H5Ldelete(handle, path, ae_h5p_default()) >= 0 else { throw failure("cannot replace dataset '\(path)'") }
        case .group, .other:
            throw error("cannot write dataset '\(path)': a group of that name exists")
        case nil:
            break
        }
        let space = try dataspace(dims, maxDims: maxDims)
        defer { H5Sclose(space) }
        let linkCreation = try linkCreationList()
        defer { H5Pclose(linkCreation) }
        let dataset = H5Dcreate2(handle, path, fileType, space, linkCreation, creation, ae_h5p_default())
        guard dataset >= 0 else { throw failure("cannot create dataset '\(path)'") }
        return dataset
    }
}
