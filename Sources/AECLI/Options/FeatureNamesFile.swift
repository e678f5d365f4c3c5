#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore
import AEIO

/// A file of feature names, one per line (`--names`): for ae-fit, the names
/// of rows that do not name their features; for ae-score, the names its
/// explanations use.
public enum FeatureNamesFile {
    /// The names in `path`, which must hold `count` of them (trailing empty
    /// lines and CRs before line ends are ignored).
    public static func read(_ path: String, count: Int) throws -> [String] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw AEError("cannot read the feature names: \(String(cString: strerror(errno)))", source: path)
        }
        let bytes = try FileBytes(descriptor: descriptor, source: path, closesDescriptor: true).readToEnd()
        var names = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
        while names.last == "" { names.removeLast() }
        guard names.count == count else {
            throw AEError("\(names.count) feature names for \(count) features", source: path)
        }
        var seen = Set<String>()
        if let repeated = names.first(where: { !seen.insert($0).inserted }) {
            throw AEError("feature name \(JSONValue.string(repeated).text) appears twice", source: path)
        }
        return names
    }

}
