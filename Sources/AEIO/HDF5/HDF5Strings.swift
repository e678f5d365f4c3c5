#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHDF5
import AECore

/// Whole 1-D datasets of strings, such as a model's feature names
/// (`readStrings` reads them back).
extension HDF5File {
    /// Writes `strings` as variable-length UTF-8 strings (h5py reads them as
    /// bytes; `.asstr()[:]` gives `str`), replacing any dataset at `path`.
    public func write(_ strings: [String], to path: String) throws {
        silenceHDF5Diagnostics()
        let type = try stringType(characterSet: H5T_CSET_UTF8)
        defer { H5Tclose(type) }
        let dataset = try createDataset(path, fileType: type, dims: [strings.count])
        defer { H5Dclose(dataset) }
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer<CChar>($0) }
        guard strings.isEmpty || H5Dwrite(dataset, type, ae_h5s_all(), ae_h5s_all(), ae_h5p_default(), pointers) >= 0 else {
            throw failure("cannot write dataset '\(path)'")
        }
    }
}
