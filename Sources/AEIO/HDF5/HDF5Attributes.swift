import AECore
import CHDF5

/// Attributes on the root, a group or a dataset: the model file keeps its
/// settings here. Writing replaces an attribute of the same name; reading
/// returns nil when the attribute is absent and throws when it holds the
/// wrong kind or shape of value.
extension HDF5File {
    /// Longest attribute array ae reads: attributes hold settings, and a
    /// larger declared size means a damaged or hostile file.
    static let maxAttributeCount = 1 << 20

    // MARK: Writing

    /// Stores a variable-length UTF-8 string, which h5py reads as `str`.
    public func setAttribute(_ name: String, to value: String, on path: String = "/") throws {
        silenceHDF5Diagnostics()
        let type = try stringType(characterSet: H5T_CSET_UTF8)
        defer { H5Tclose(type) }
        try value.withCString { characters in
            var pointer: UnsafePointer<CChar>? = characters
            try writeAttribute(name, on: path, fileType: type, memoryType: type, dims: nil, data: &pointer)
        }
    }

    public func setAttribute(_ name: String, to value: Int, on path: String = "/") throws {
        var stored = Int64(value)
        try writeAttribute(name, on: path, storage: .int64, dims: nil, data: &stored)
    }

    public func setAttribute(_ name: String, to values: [Int], on path: String = "/") throws {
        try values.map(Int64.init).withUnsafeBytes { bytes in
            try writeAttribute(name, on: path, storage: .int64, dims: [values.count], data: bytes.baseAddress)
        }
    }

    public func setAttribute(_ name: String, to value: Double, on path: String = "/") throws {
        var stored = value
        try writeAttribute(name, on: path, storage: .float64, dims: nil, data: &stored)
    }

    public func setAttribute(_ name: String, to values: [Double], on path: String = "/") throws {
        try values.withUnsafeBytes { bytes in
            try writeAttribute(name, on: path, storage: .float64, dims: [values.count], data: bytes.baseAddress)
        }
    }

    // MARK: Reading

    public func stringAttribute(_ name: String, on path: String = "/") throws -> String? {
        try withAttribute(name, on: path) { attribute, type, _, count in
            guard H5Tget_class(type) == H5T_STRING else {
                throw error("attribute '\(name)' on '\(path)' holds \(describeContents(of: H5Tget_class(type))); expected a string")
            }
            guard count == 1 else {
                throw error("attribute '\(name)' on '\(path)' holds \(count) strings; expected one")
            }
            return try readStrings(count: 1, storedType: type, what: "attribute '\(name)' on '\(path)'") {
                H5Aread(attribute, $0, $1)
            }[0]
        }
    }

    public func intAttribute(_ name: String, on path: String = "/") throws -> Int? {
        try readNumbers(name, on: path, as: Int64.self, single: true).map { Int($0[0]) }
    }

    public func intArrayAttribute(_ name: String, on path: String = "/") throws -> [Int]? {
        try readNumbers(name, on: path, as: Int64.self, single: false).map { $0.map { Int($0) } }
    }

    public func doubleAttribute(_ name: String, on path: String = "/") throws -> Double? {
        try readNumbers(name, on: path, as: Double.self, single: true).map { $0[0] }
    }

    public func doubleArrayAttribute(_ name: String, on path: String = "/") throws -> [Double]? {
        try readNumbers(name, on: path, as: Double.self, single: false)
    }

    // MARK: Implementation

    /// A variable-length string type in `characterSet`.
    func stringType(characterSet: H5T_cset_t) throws -> hid_t {
        let type = H5Tcopy(ae_h5t_c_s1())
        guard type >= 0,
              H5Tset_size(type, ae_h5t_variable()) >= 0,
              H5Tset_cset(type, characterSet) >= 0
        else {
            if type >= 0 { H5Tclose(type) }
            throw failure("cannot set up an HDF5 string type")
        }
        return type
    }

    private func writeAttribute(
        _ name: String, on path: String, storage: HDF5StorageType, dims: [Int]?, data: UnsafeRawPointer?
    ) throws {
        silenceHDF5Diagnostics()
        try writeAttribute(name, on: path, fileType: storage.fileType, memoryType: storage.memoryType, dims: dims, data: data)
    }

    /// Writes one attribute; `dims` nil means a scalar.
    private func writeAttribute(
        _ name: String, on path: String, fileType: hid_t, memoryType: hid_t, dims: [Int]?, data: UnsafeRawPointer?
    ) throws {
        guard objectKind(path) != nil else { throw error("cannot write attribute '\(name)': no object '\(path)'") }
        let object = H5Oopen(handle, path, ae_h5p_default())
        guard object >= 0 else { throw failure("cannot open '\(path)'") }
        defer { H5Oclose(object) }
        if H5Aexists(object, name) > 0, H5Adelete(object, name) < 0 {
            throw failure("cannot replace attribute '\(name)' on '\(path)'")
        }
        let space = try dataspace(dims)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(object, name, fileType, space, ae_h5p_default(), ae_h5p_default())
        guard attribute >= 0 else { throw failure("cannot write attribute '\(name)' on '\(path)'") }
        defer { H5Aclose(attribute) }
        if dims?.contains(0) != true, H5Awrite(attribute, memoryType, data) < 0 {
            throw failure("cannot write attribute '\(name)' on '\(path)'")
        }
    }

    /// Opens attribute `name` on `path` and hands its stored type, shape (nil
    /// for a scalar) and number of values to `body`; nil when there is no
    /// such attribute.
    func withAttribute<Value>(
        _ name: String, on path: String,
        _ body: (_ attribute: hid_t, _ type: hid_t, _ dims: [Int]?, _ count: Int) throws -> Value
    ) throws -> Value? {
        silenceHDF5Diagnostics()
        guard objectKind(path) != nil else { throw error("cannot read attribute '\(name)': no object '\(path)'") }
        let found = H5Aexists_by_name(handle, path, name, ae_h5p_default())
        guard found >= 0 else { throw failure("cannot read attribute '\(name)' on '\(path)'") }
        guard found > 0 else { return nil }
        let attribute = H5Aopen_by_name(handle, path, name, ae_h5p_default(), ae_h5p_default())
        guard attribute >= 0 else { throw failure("cannot open attribute '\(name)' on '\(path)'") }
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        guard type >= 0 else { throw failure("cannot read attribute '\(name)' on '\(path)'") }
        defer { H5Tclose(type) }
        let dims = try attributeDims(attribute, name: name, path: path)
        guard let count = elementCount(dims ?? []), count <= Self.maxAttributeCount else {
            throw error("attribute '\(name)' on '\(path)' declares an impossible size \(dims ?? [])")
        }
        if let dims, dims.count != 1 {
            throw error("attribute '\(name)' on '\(path)' has shape \(dims); expected a single value or a 1-D array")
        }
        return try body(attribute, type, dims, count)
    }

    /// The attribute's dimensions; nil for a scalar.
    private func attributeDims(_ attribute: hid_t, name: String, path: String) throws -> [Int]? {
        let space = H5Aget_space(attribute)
        guard space >= 0 else { throw failure("cannot read attribute '\(name)' on '\(path)'") }
        defer { H5Sclose(space) }
        switch H5Sget_simple_extent_type(space) {
        case H5S_SCALAR: return nil
        case H5S_SIMPLE: break
        default: throw error("attribute '\(name)' on '\(path)' holds no value")
        }
        return try simpleExtent(of: space, what: "attribute '\(name)' on '\(path)'")
    }

    func readNumbers<Value: HDF5Element>(
        _ name: String, on path: String, as _: Value.Type, single: Bool
    ) throws -> [Value]? {
        let storage = Value.hdf5StorageType
        return try withAttribute(name, on: path) { attribute, type, dims, count in
            let storedClass = H5Tget_class(type)
            guard storage.canRead(storedClass) else {
                throw error("attribute '\(name)' on '\(path)' holds \(describeContents(of: storedClass)); expected \(storage.expectation)")
            }
            if single, count != 1 {
                throw error("attribute '\(name)' on '\(path)' holds \(count) values; expected one")
            }
            if !single, dims == nil {
                throw error("attribute '\(name)' on '\(path)' holds a single value; expected a 1-D array")
            }
            return try [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0, H5Aread(attribute, storage.memoryType, buffer.baseAddress) < 0 {
                    throw failure("cannot read attribute '\(name)' on '\(path)'")
                }
                initialized = count
            }
        }
    }

    /// A dataspace for `dims`, or a scalar one for nil.
    func dataspace(_ dims: [Int]?, maxDims: [hsize_t]? = nil) throws -> hid_t {
        let space: hid_t
        if let dims {
            space = dims.map { hsize_t($0) }.withUnsafeBufferPointer { current in
                if let maxDims {
                    maxDims.withUnsafeBufferPointer { H5Screate_simple(Int32(dims.count), current.baseAddress, $0.baseAddress) }
                } else {
                    H5Screate_simple(Int32(dims.count), current.baseAddress, nil)
                }
            }
        } else {
            space = H5Screate(H5S_SCALAR)
        }
        guard space >= 0 else { throw failure("cannot set up an HDF5 dataspace of shape \(dims ?? [])") }
        return space
    }

    /// The current dimensions of a simple dataspace, checked to fit in `Int`.
    func simpleExtent(of space: hid_t, what: String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw failure("cannot read the shape of \(what)") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard rank == 0 || H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else {
            throw failure("cannot read the shape of \(what)")
        }
        return try dims.map { dim in
            guard let size = Int(exactly: dim) else { throw error("\(what) declares an impossible size \(dims)") }
            return size
        }
    }
}
