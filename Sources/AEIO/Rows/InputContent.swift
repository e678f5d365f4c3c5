#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore

/// The text formats rows come in. The file name's extension tells CSV and
/// TSV (`.csv`, `.tsv`, `.tab`, each also with `.gz`), `--input-format`
/// overrides it (and names the format of stdin); everything else is NDJSON.
public enum TextFormat: String, CaseIterable, Sendable {
    case ndjson
    case csv
    case tsv

    /// The format a file name's extension names, if it names CSV or TSV.
    public init?(fileExtensionOf path: String) {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") {
            self = .csv
        } else if name.hasSuffix(".tsv") || name.hasSuffix(".tab") {
            self = .tsv
        } else {
            return nil
        }
    }

    /// The field separator of a delimited format.
    var delimiter: UInt8? {
        switch self {
        case .ndjson: nil
        case .csv: UInt8(ascii: ",")
        case .tsv: UInt8(ascii: "\t")
        }
    }
}

/// An input opened and told apart by its first bytes: HDF5 and PNG by their
/// 8-byte signatures, gzip by its magic bytes and then by what is inside,
/// else text in the format its name or `--input-format` says.
enum InputContent {
    /// Text, decompressed when it was gzip.
    case text(ByteSource, TextFormat)
    /// HDF5: a file on disk (nil: read in blocks by path), or an image in
    /// memory, since HDF5 needs random access that a pipe or gzip lacks.
    case hdf5(image: [UInt8]?)
    /// One PNG image (from stdin or gzip: PNG files on disk are read as
    /// `InputArgument.images`).
    case png([UInt8])

    /// Opens `path` (nil or `-` for stdin), named `source` in messages.
    static func open(_ path: String?, source: String, format: TextFormat?) throws -> InputContent {
        let isStdin = path == nil || path == "-"
        let descriptor = isStdin ? STDIN_FILENO : Glibc.open(path!, O_RDONLY | O_CLOEXEC)
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
        if PNGDecoder.hasSignature(signature) { return .png(signature + (try bytes.readToEnd())) }
        guard HDF5File.hasSignature(signature) else {
            let named = isStdin ? nil : TextFormat(fileExtensionOf: path!)
            return .text(PrefixedBytes(signature, then: bytes), format ?? named ?? .ndjson)
        }
        return .hdf5(image: isStdin || compressed ? signature + (try bytes.readToEnd()) : nil)
    }
}
