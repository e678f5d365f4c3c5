import AECore
import CHDF5

/// A value of an attribute ae reads without knowing it in advance (the
/// members of a model's fit summary): a number, a string or a boolean (as
/// h5py stores numpy's), or a 1-D array of them; `other` says what else an
/// attribute holds.
public enum HDF5Value: Equatable, Sendable {
    case integer(Int)
    case number(Double)
    case string(String)
    case boolean(Bool)
    case integers([Int])
    case numbers([Double])
    case strings([String])
    case booleans([Bool])
    case other(String)
}

/// Attributes and datasets read whatever they hold, and arrays of strings
/// (as h5py writes them, of variable or fixed length).
extension HDF5File {
    /// The names of the attributes on the object at `path`, sorted by name
    /// (files record no creation order unless asked to).
    public func attributeNames(on path: String = "/") throws -> [String] {
        silenceHDF5Diagnostics()
        guard objectKind(path) != nil else { throw error("no object '\(path)'") }
        let collector = HDF5NameCollector()
        let status = H5Aiterate_by_name(handle, path, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, context in
            HDF5NameCollector.add(name, to: context)
        }, collector.context, ae_h5p_default())
        guard status >= 0 else { throw failure("cannot list the attributes of '\(path)'") }
        return collector.names
    }

    /// Attribute `name` on `path` as whatever it holds; nil when absent.
    public func attribute(_ name: String, on path: String = "/") throws -> HDF5Value? {
        let stored = try withAttribute(name, on: path) { _, type, dims, _ in (H5Tget_class(type), dims == nil) }
        guard let (storedClass, scalar) = stored else { return nil }
        switch storedClass {
        case H5T_INTEGER:
            let values = try readNumbers(name, on: path, as: Int64.self, single: scalar)!.map { Int($0) }
            return scalar ? .integer(values[0]) : .integers(values)
        case H5T_FLOAT:
            let values = try readNumbers(name, on: path, as: Double.self, single: scalar)!
            return scalar ? .number(values[0]) : .numbers(values)
        case H5T_STRING:
            let values = try stringArrayAttribute(name, on: path)!
            return scalar ? .string(values[0]) : .strings(values)
        case H5T_ENUM:
            guard let values = try booleanAttribute(name, on: path) else { fallthrough }
            return scalar ? .boolean(values[0]) : .booleans(values)
        default:
            return .other(describeContents(of: storedClass))
        }
    }

    /// The values of an enumerated attribute whose members are h5py's
    /// FALSE and TRUE; nil for any other enumeration.
    private func booleanAttribute(_ name: String, on path: String) throws -> [Bool]? {
        try withAttribute(name, on: path) { attribute, type, _, count in
            let size = H5Tget_size(type)
            guard H5Tget_nmembers(type) == 2, size >= 1, size <= 8 else { return nil }
            var bytes = [UInt8](repeating: 0, count: size * count)
            guard H5Aread(attribute, type, &bytes) >= 0 else { throw failure("cannot read attribute '\(name)' on '\(path)'") }
            var name = [CChar](repeating: 0, count: 8)
            var values: [Bool] = []
            for k in 0..<count {
                let found = bytes.withUnsafeBufferPointer { H5Tenum_nameof(type, $0.baseAddress! + k * size, &name, name.count) }
                switch found >= 0 ? String(cString: name) : "" {
                case "TRUE": values.append(true)
                case "FALSE": values.append(false)
                default: return nil
                }
            }
            return values
        } ?? nil
    }

    /// The strings of attribute `name` on `path` (one for a scalar); nil
    /// when absent.
    public func stringArrayAttribute(_ name: String, on path: String = "/") throws -> [String]? {
        try withAttribute(name, on: path) { attribute, type, _, count in
            guard H5Tget_class(type) == H5T_STRING else {
                throw error("attribute '\(name)' on '\(path)' holds \(describeContents(of: H5Tget_class(type))); expected strings")
            }
            return try readStrings(count: count, storedType: type, what: "attribute '\(name)' on '\(path)'") {
                H5Aread(attribute, $0, $1)
            }
        }
    }

    /// The strings of the 1-D dataset at `path`; refuses more than `maxCount`.
    public func readStrings(_ path: String, maxCount: Int) throws -> [String] {
        silenceHDF5Diagnostics()
        let dataset = try openDataset(path)
        defer { H5Dclose(dataset) }
        let header = try describeDataset(dataset, path: path)
        guard header.storedClass == H5T_STRING else {
            throw error("dataset '\(path)' holds \(describeContents(of: header.storedClass)); expected strings")
        }
        guard header.dims.count == 1 else { throw error("dataset '\(path)' has shape \(header.dims); expected a 1-D array") }
        guard header.dims[0] <= maxCount else {
            throw error("dataset '\(path)' holds \(header.dims[0]) strings; at most \(maxCount) expected")
        }
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw failure("cannot read the type of dataset '\(path)'") }
        defer { H5Tclose(type) }
        return try readStrings(count: header.dims[0], storedType: type, what: "dataset '\(path)'") {
            H5Dread(dataset, $0, ae_h5s_all(), ae_h5s_all(), ae_h5p_default(), $1)
        }
    }

    /// `count` strings of `storedType` read by `read(memoryType, buffer)`:
    /// pointers for variable-length strings (freed here), else `count`
    /// fixed-size fields, cut at their padding.
    func readStrings(
        count: Int, storedType: hid_t, what: String, read: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        guard count > 0 else { return [] }
        if H5Tis_variable_str(storedType) > 0 {
            // Reading keeps the stored character set: HDF5 refuses to convert
            // between ASCII and UTF-8 strings.
            let memoryType = try stringType(characterSet: H5Tget_cset(storedType))
            defer { H5Tclose(memoryType) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard read(memoryType, &pointers) >= 0 else { throw failure("cannot read \(what)") }
            defer { for pointer in pointers { H5free_memory(pointer) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(storedType)
        guard size > 0, let total = elementCount([size, count]), total <= Self.maxAttributeCount else {
            throw error("\(what) declares an impossible string size \(size)")
        }
        var bytes = [UInt8](repeating: 0, count: total)
        guard read(storedType, &bytes) >= 0 else { throw failure("cannot read \(what)") }
        let spacePadded = H5Tget_strpad(storedType) == H5T_STR_SPACEPAD
        return (0..<count).map { k in
            var text = bytes[(k * size)..<((k + 1) * size)].prefix { $0 != 0 }
            if spacePadded { while text.last == 0x20 { text.removeLast() } }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
