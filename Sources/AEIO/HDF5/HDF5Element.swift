import AECore
import CHDF5

/// How numbers are stored in a dataset that ae writes.
public enum HDF5StorageType: Sendable {
    case float32, float64, int64, uint8
    /// Variable-length UTF-8 strings, which h5py reads as `str` (in memory:
    /// one pointer to a NUL-terminated string per value).
    case utf8String

    /// The little-endian file type: files read the same on every machine.
    var fileType: hid_t {
        switch self {
        case .float32: ae_h5t_ieee_f32le()
        case .float64: ae_h5t_ieee_f64le()
        case .int64: ae_h5t_std_i64le()
        case .uint8: ae_h5t_std_u8le()
        case .utf8String: Self.variableLengthUTF8
        }
    }

    /// The in-memory type that HDF5 converts stored values to on reading.
    var memoryType: hid_t {
        switch self {
        case .float32: ae_h5t_native_float()
        case .float64: ae_h5t_native_double()
        case .int64: ae_h5t_native_int64()
        case .uint8: ae_h5t_native_uint8()
        case .utf8String: Self.variableLengthUTF8
        }
    }

    /// One string type for the whole process, made on first use; HDF5 has no
    /// predefined variable-length string type.
    private static let variableLengthUTF8: hid_t = {
        let type = H5Tcopy(ae_h5t_c_s1())
        let made = type >= 0 && H5Tset_size(type, ae_h5t_variable()) >= 0 && H5Tset_cset(type, H5T_CSET_UTF8) >= 0
        precondition(made, "HDF5 cannot make a variable-length string type")
        return type
    }()

    var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// Integers convert to floating point, but not the other way: truncating
    /// stored fractions silently would hide a wrong file.
    func canRead(_ storedClass: H5T_class_t) -> Bool {
        if self == .utf8String { return storedClass == H5T_STRING }
        return storedClass == H5T_INTEGER || (isFloatingPoint && storedClass == H5T_FLOAT)
    }

    /// What a reader of this type expects, for messages.
    var expectation: String {
        switch self {
        case .float32, .float64: "numbers"
        case .int64, .uint8: "integers"
        case .utf8String: "strings"
        }
    }
}

/// A Swift number type that ae stores in HDF5 datasets and columns.
public protocol HDF5Element: BitwiseCopyable {
    static var hdf5StorageType: HDF5StorageType { get }
}

extension Float: HDF5Element {
    public static var hdf5StorageType: HDF5StorageType { .float32 }
}

extension Double: HDF5Element {
    public static var hdf5StorageType: HDF5StorageType { .float64 }
}

extension Int64: HDF5Element {
    public static var hdf5StorageType: HDF5StorageType { .int64 }
}

extension UInt8: HDF5Element {
    public static var hdf5StorageType: HDF5StorageType { .uint8 }
}

/// What values of a stored HDF5 type class are, in a user's words.
func describeContents(of typeClass: H5T_class_t) -> String {
    switch typeClass {
    case H5T_INTEGER: "integers"
    case H5T_FLOAT: "floating-point numbers"
    case H5T_STRING: "strings"
    case H5T_COMPOUND: "compound records"
    case H5T_ENUM: "enumerated values (such as booleans)"
    case H5T_ARRAY: "fixed-size arrays"
    case H5T_VLEN: "variable-length sequences"
    case H5T_OPAQUE: "opaque bytes"
    case H5T_BITFIELD: "bit fields"
    case H5T_REFERENCE: "object references"
    case H5T_TIME: "times"
    default: "values of an unknown type"
    }
}

/// The product of `dims`, or nil when it does not fit in an `Int`: shapes
/// come from files, which may be hostile.
func elementCount(_ dims: [Int]) -> Int? {
    var count = 1
    for dim in dims {
        let (product, overflow) = count.multipliedReportingOverflow(by: dim)
        guard !overflow else { return nil }
        count = product
    }
    return count
}
