import AECore
import FoundationEssentials
import Glibc

/// Where a tool's rows go: NDJSON, CSV, TSV or HDF5, to stdout or a file.
///
/// A named file is written under a temporary name and renamed into place by
/// `finish()`, so a run that fails leaves no partial file under that name.
/// Stdout, pipes and devices (`-o /dev/stdout`, `-o /dev/null`) are written
/// in place; HDF5 for them is built in memory and written at the end.
public final class RowOutput {
    public let format: RowFormat
    /// The output's name in messages.
    public let name: String

    /// The file to rename into place at the end, for a regular file.
    private let renaming: (temporary: String, final: String)?
    /// Where streamed output goes: stdout, or an opened pipe or device.
    private let streamDescriptor: Int32?
    /// The buffer and descriptor of a text format (NDJSON, CSV, TSV).
    private var text: (bytes: ByteWriter, descriptor: Int32)?
    private var ndjson: NDJSONRowWriter?
    private var csv: CSVRowWriter?
    private var hdf5: HDF5TableWriter?

    /// Opens `path` (nil or `-` for stdout) in `format`, else the format the
    /// file's extension names, else NDJSON.
    public init(path: String?, format: RowFormat?) throws {
        let toStdout = path == nil || path == "-"
        let finalPath = toStdout ? nil : path
        name = finalPath ?? "<stdout>"
        self.format = format ?? finalPath.flatMap(RowFormat.fileExtension(of:)).flatMap(RowFormat.init(fileExtension:)) ?? .ndjson
        if let finalPath, !TemporaryFiles.isStreamTarget(finalPath) {
            let (temporary, descriptor) = try TemporaryFiles.create(beside: finalPath)
            renaming = (temporary, finalPath)
            streamDescriptor = nil
            if self.format == .h5 {
                close(descriptor)
                hdf5 = HDF5TableWriter(file: try HDF5File.create(temporary, name: name))
            } else {
                openText(descriptor)
            }
            return
        }
        let descriptor = finalPath.map { open($0, O_WRONLY | O_CLOEXEC) } ?? STDOUT_FILENO
        guard descriptor >= 0 else {
            throw AEError("cannot write: \(String(cString: strerror(errno)))", source: name)
        }
        if self.format == .h5, isatty(descriptor) != 0 {
            throw AEError("refusing to write HDF5 to a terminal; use -o FILE.h5 or a pipe")
        }
        renaming = nil
        streamDescriptor = descriptor
        if self.format == .h5 {
            hdf5 = HDF5TableWriter(file: try HDF5File.createInMemory(name: name))
        } else {
            openText(descriptor)
            Self.stdoutBytes = text?.bytes
        }
    }

    private func openText(_ descriptor: Int32) {
        let bytes = ByteWriter(fileDescriptor: descriptor, name: name)
        text = (bytes, descriptor)
        switch format {
        case .ndjson: ndjson = NDJSONRowWriter(output: bytes)
        case .csv: csv = CSVRowWriter(output: bytes, delimiter: UInt8(ascii: ","))
        case .tsv: csv = CSVRowWriter(output: bytes, delimiter: UInt8(ascii: "\t"))
        case .h5: preconditionFailure("HDF5 is not a text format")
        }
    }

    /// The text writer on stdout, flushed when a tool stops on an error so
    /// that the rows before a bad row reach the reader. Held strongly: the
    /// output object is gone by the time the error reaches the tool's main.
    nonisolated(unsafe) private static var stdoutBytes: ByteWriter?

    /// Writes out what the stdout writer holds; called on the way out after an
    /// error (write failures are ignored there: the error is already reported).
    /// Pipes and devices named with -o count as stdout here.
    public static func flushStdoutAfterFailure() {
        try? stdoutBytes?.flush()
    }

    /// Writes the stream header: a first NDJSON record, or the HDF5 root
    /// attribute `ae` holding the same JSON. A table (CSV, TSV) has no place
    /// for it and leaves it out.
    public func writeHeader(_ header: JSONValue) throws {
        try ndjson?.writeHeader(header)
        try hdf5?.file.setAttribute("ae", to: header.text)
    }

    /// Names the entries of the vector column `column` in a table's header
    /// line (such as the model's feature names for `x`), instead of
    /// `column0, column1, …`; other formats keep vectors whole.
    public func nameEntries(of column: String, _ names: [String]) {
        csv?.elementNames[column] = names
    }

    /// Sets an attribute of an HDF5 output's root, describing how the rows
    /// were made; other formats have no place for it.
    public func setAttribute(_ name: String, to value: String) throws {
        try hdf5?.file.setAttribute(name, to: value)
    }

    public func setAttribute(_ name: String, to value: Int) throws {
        try hdf5?.file.setAttribute(name, to: value)
    }

    public func setAttribute(_ name: String, to value: Double) throws {
        try hdf5?.file.setAttribute(name, to: value)
    }

    /// Writes a batch. NDJSON rows are objects (`passThrough` members first,
    /// then the columns) unless `asArrays` is set and there is a single vector
    /// column, which is then written as bare arrays. Tables and HDF5 give
    /// each pass-through member a column of its own.
    public func write(_ output: OutputColumns, passThrough: RowBatch? = nil, asArrays: Bool) throws {
        try ndjson?.write(output, passThrough: passThrough, asArrays: asArrays)
        try csv?.write(output, passThrough: passThrough)
        try hdf5?.write(output, passThrough: passThrough)
    }

    /// Completes the output: flushes, closes, and renames a file into place.
    public func finish() throws {
        if let text {
            try text.bytes.flush()
            if Self.stdoutBytes === text.bytes { Self.stdoutBytes = nil }
            if let renaming {
                guard fsync(text.descriptor) == 0 || errno == EINVAL, close(text.descriptor) == 0 else {
                    throw AEError("cannot write: \(String(cString: strerror(errno)))", source: name)
                }
                try TemporaryFiles.commit(renaming.temporary, to: renaming.final)
            }
            self.text = nil
            ndjson = nil
            csv = nil
        }
        if let hdf5 {
            hdf5.closeDatasets()
            if let renaming {
                try hdf5.file.close()
                try TemporaryFiles.commit(renaming.temporary, to: renaming.final)
            } else if let streamDescriptor {
                let image = try hdf5.file.fileImage()
                try hdf5.file.close()
                let bytes = ByteWriter(fileDescriptor: streamDescriptor, name: name)
                try image.withUnsafeBytes { try bytes.write($0) }
                try bytes.flush()
            }
            self.hdf5 = nil
        }
    }
}
