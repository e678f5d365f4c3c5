import AECore
import AEIO
import FoundationEssentials
import Glibc

/// Finds the model a tool works with: the command line, else the stream's
/// header record, else `$AE_MODEL`.
public enum ModelLocator {
    /// Splits the positional arguments `[MODEL] [INPUT...]`. A single
    /// argument is the model when it is an ae model file, else the input, so
    /// both `ae-encode m.h5 < x` and `AE_MODEL=m.h5 ae-encode x` work. Before
    /// more arguments, the first is the model unless it is a file of rows
    /// that is not HDF5, or a folder of images (`AE_MODEL=m.h5 ae-score a.csv b.csv`); a missing
    /// file or an HDF5 file there is taken as the model, as users write it
    /// first, so that a wrong one is reported as the model.
    public static func split(_ first: String?, _ rest: [String]) -> (model: String?, inputs: [String]) {
        guard let first else { return (nil, rest) }
        if rest.isEmpty { return ModelFile.isModel(first) ? (first, []) : (nil, [first]) }
        return isRowsButNotHDF5(first) ? (nil, [first] + rest) : (first, rest)
    }

    private static func isRowsButNotHDF5(_ path: String) -> Bool {
        if path == "-" || RowInput.isImageFolder(path) { return true }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard let prefix = try? FileBytes(descriptor: descriptor, source: path, closesDescriptor: false).readPrefix(8) else {
            return false
        }
        return !HDF5File.hasSignature(prefix)
    }

    /// Where the model is, and who named it (for messages).
    public static func path(explicit: String?, header: JSONValue?) throws -> (path: String, namedBy: String) {
        if let explicit { return (explicit, "the command line") }
        if let path = StreamHeader.modelPath(in: header) { return (path, "the stream's header record") }
        if let path = environmentModel { return (path, "$AE_MODEL") }
        throw AEError("no model: name one as the first argument, in the stream's header record, or in $AE_MODEL")
    }

    /// Where the model is for a tool that reads no rows (ae-info): the
    /// argument, else `$AE_MODEL`.
    public static func path(explicit: String?) throws -> String {
        if let path = explicit ?? environmentModel { return path }
        throw AEError("no model: name one as the argument or in $AE_MODEL")
    }

    private static var environmentModel: String? {
        ProcessInfo.processInfo.environment["AE_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Loads the model when one is named anywhere; nil when none is (for
    /// tools that can work without one).
    public static func loadIfNamed(explicit: String?, header: JSONValue?) throws -> (model: TrainedModel, path: String)? {
        guard (try? path(explicit: explicit, header: header)) != nil else { return nil }
        return try load(explicit: explicit, header: header)
    }

    /// Loads the model from `path(explicit:header:)`, saying who named it
    /// when it cannot be read.
    public static func load(explicit: String?, header: JSONValue?) throws -> (model: TrainedModel, path: String) {
        let (path, namedBy) = try path(explicit: explicit, header: header)
        do {
            return (try ModelFile.load(path), path)
        } catch var error as AEError where explicit == nil {
            error.message += " (model named by \(namedBy))"
            throw error
        }
    }
}
