import AECore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file in memory, read in one go at its size: for files read whole
/// and often (one PNG image per row), where `readToEnd`'s chunks would cost
/// more than the file.
enum FileContents {
    static func read(_ path: String, source: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw AEError("cannot open: \(String(cString: strerror(errno)))", source: source) }
        let file = FileBytes(descriptor: descriptor, source: source, closesDescriptor: true)
        var status = stat()
        let size = fstat(descriptor, &status) == 0 ? max(Int(status.st_size), 0) : 0
        // One byte more than the size, so that the end is seen in the same read.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let count = try bytes.withUnsafeMutableBufferPointer { buffer in
                try file.read(into: buffer.baseAddress! + filled, count: buffer.count - filled)
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}
