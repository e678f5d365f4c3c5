import AECore
import CHDF5
import FoundationEssentials

/// An open HDF5 file: on disk, or an in-memory image for pipes.
///
/// Every failure is thrown as an `AEError` located at `name`, so a tool can
/// print it as one line. Closing is explicit (`close()`), and `deinit`
/// closes a file that was left open.
public final class HDF5File {
    /// The name errors are reported under: the path, or a stream name such as
    /// `<stdin>` for an in-memory image.
    public let name: String
    private var id: hid_t

    private init(id: hid_t, name: String) {
        self.id = id
        self.name = name
    }

    deinit {
        silenceHDF5Diagnostics()
        // The library may have closed every identifier already (its exit
        // handler runs before a late deinit on another thread).
        if id >= 0, H5Iis_valid(id) > 0 {
            H5Fclose(id)
        }
    }

    /// The HDF5 identifier, for the other types of this layer.
    var handle: hid_t {
        precondition(id >= 0, "HDF5 file '\(name)' used after close()")
        return id
    }

    // MARK: Opening and creating

    /// Opens the file at `path` read-only.
    public static func open(_ path: String) throws -> HDF5File {
        silenceHDF5Diagnostics()
        let access = try fileAccess(name: path)
        defer { H5Pclose(access) }
        let id = H5Fopen(path, ae_h5f_acc_rdonly(), access)
        guard id >= 0 else {
            let stack = HDF5ErrorStack.takeCurrent()
            if let reason = stack.systemMessage {
                throw AEError("cannot open file: \(reason)", source: path)
            }
            if H5Fis_hdf5(path) <= 0 {
                throw AEError("not an HDF5 file", source: path)
            }
            throw AEError(damagedMessage(stack), source: path)
        }
        return HDF5File(id: id, name: path)
    }

    /// Opens an HDF5 file image read-only, e.g. stdin read to its end.
    ///
    /// HDF5 keeps a copy of its own, so the caller may release `image` as
    /// soon as this returns; until then the image is held two or three times.
    public static func open(image: [UInt8], name: String) throws -> HDF5File {
        silenceHDF5Diagnostics()
        guard signatureOffset(in: image) != nil else {
            throw AEError("not an HDF5 file", source: name)
        }
        let access = try fileAccess(name: name, inMemory: true)
        defer { H5Pclose(access) }
        let status = image.withUnsafeBytes { bytes in
            // HDF5 only reads the buffer while copying it; the parameter is
            // not const in the C API.
            H5Pset_file_image(access, UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        }
        guard status >= 0 else {
            throw AEError("cannot load the HDF5 image (\(image.count) bytes)", source: name)
        }
        let id = H5Fopen(uniqueMemoryName(), ae_h5f_acc_rdonly(), access)
        guard id >= 0 else {
            throw AEError(damagedMessage(HDF5ErrorStack.takeCurrent()), source: name)
        }
        return HDF5File(id: id, name: name)
    }

    /// Creates the file at `path`, replacing any file of that name; errors
    /// name it `name` (such as the final name of a temporary file).
    public static func create(_ path: String, name: String? = nil) throws -> HDF5File {
        silenceHDF5Diagnostics()
        let access = try fileAccess(name: path)
        defer { H5Pclose(access) }
        let id = H5Fcreate(path, ae_h5f_acc_trunc(), ae_h5p_default(), access)
        guard id >= 0 else {
            let reason = HDF5ErrorStack.takeCurrent().systemMessage
            throw AEError("cannot create file" + (reason.map { ": \($0)" } ?? ""), source: name ?? path)
        }
        return HDF5File(id: id, name: name ?? path)
    }

    /// Creates an empty file that lives only in memory; `fileImage()` hands
    /// back its bytes, e.g. to write HDF5 to stdout.
    public static func createInMemory(name: String) throws -> HDF5File {
        silenceHDF5Diagnostics()
        let access = try fileAccess(name: name, inMemory: true)
        defer { H5Pclose(access) }
        let id = H5Fcreate(uniqueMemoryName(), ae_h5f_acc_trunc(), ae_h5p_default(), access)
        guard id >= 0 else {
            throw AEError("cannot create an in-memory HDF5 file", source: name)
        }
        return HDF5File(id: id, name: name)
    }

    /// Whether `bytes` begin with the 8-byte HDF5 signature.
    public static func hasSignature(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: signature)
    }

    private static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Where the signature sits: HDF5 allows a user block before the
    /// superblock, so it may be at 0, 512, 1024, 2048, ...
    private static func signatureOffset(in image: [UInt8]) -> Int? {
        var offset = 0
        while offset + signature.count <= image.count {
            if image[offset ..< offset + signature.count].elementsEqual(signature) { return offset }
            offset = offset == 0 ? 512 : offset * 2
        }
        return nil
    }

    private static func damagedMessage(_ stack: HDF5ErrorStack) -> String {
        stack.mentions("truncated file") ? "truncated HDF5 file" : "damaged or truncated HDF5 file"
    }

    /// A file access property list: strong close degree, so `close()` really
    /// closes the file together with any dataset still open in it, and the
    /// core (memory) driver for images.
    private static func fileAccess(name: String, inMemory: Bool = false) throws -> hid_t {
        let access = H5Pcreate(ae_h5p_file_access())
        guard access >= 0,
              H5Pset_fclose_degree(access, H5F_CLOSE_STRONG) >= 0,
              !inMemory || H5Pset_fapl_core(access, 1 << 20, false) >= 0
        else {
            if access >= 0 { H5Pclose(access) }
            throw AEError("cannot set up HDF5 file access", source: name)
        }
        return access
    }

    /// HDF5 treats files of the same name as one open file, even in memory,
    /// so every in-memory file gets a name of its own.
    private static func uniqueMemoryName() -> String {
        "ae-memory-\(UUID().uuidString)"
    }

    // MARK: Image, flush, close

    /// The complete bytes of the file as it stands, as a file on disk would
    /// hold them after closing.
    public func fileImage() throws -> [UInt8] {
        try flush()
        let size = H5Fget_file_image(handle, nil, 0)
        guard size >= 0 else { throw failure("cannot take the file image") }
        var copied = 0
        let image = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            copied = H5Fget_file_image(handle, buffer.baseAddress, size)
            count = copied == size ? size : 0
        }
        guard copied == size else { throw failure("cannot take the file image") }
        return image
    }

    /// Writes everything buffered so far to the file.
    public func flush() throws {
        silenceHDF5Diagnostics()
        guard H5Fflush(handle, H5F_SCOPE_GLOBAL) >= 0 else { throw failure("cannot write file") }
    }

    /// Closes the file and every dataset still open in it. A second call does
    /// nothing. Throws when buffered data cannot be written (e.g. a full disk).
    public func close() throws {
        guard id >= 0 else { return }
        silenceHDF5Diagnostics()
        let status = H5Fclose(id)
        id = -1
        guard status >= 0 else { throw failure("cannot finish writing file") }
    }

    /// An `AEError` for a failed HDF5 call, with the operating system's reason
    /// when HDF5 recorded one.
    func failure(_ what: String) -> AEError {
        let reason = HDF5ErrorStack.takeCurrent().systemMessage
        return AEError(what + (reason.map { ": \($0)" } ?? ""), source: name)
    }

    func error(_ message: String) -> AEError {
        AEError(message, source: name)
    }
}
