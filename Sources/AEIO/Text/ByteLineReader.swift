#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore

/// Splits a byte source's bytes into lines without decoding them.
///
/// The stream is read in large chunks into a `ReadBuffer`, which grows only
/// when a single line does not fit. Blank and whitespace-only lines are
/// skipped (their numbers still count), a UTF-8 byte order mark at the very
/// start is dropped (line 1's columns count from after it), a CR before the LF
/// is removed, and a last line without a newline is still a line.
final class ByteLineReader {
    /// One line: valid until the next call to `nextLine()`.
    ///
    /// `bytes[count]` is always 0, so scanners can stop on that byte instead
    /// of checking bounds; a 0 anywhere else is an ordinary (invalid) byte.
    /// Past it, `ReadBuffer.readableBytesPastEnd` more bytes may be read
    /// (their values are unspecified), so a scanner may load a word at any
    /// index up to `count`.
    struct Line {
        let bytes: UnsafePointer<UInt8>
        let count: Int
        /// The 1-based line and column where `bytes` start.
        let number: Int
        var column = 1
    }

    static let defaultChunkSize = 1 << 20

    private let data: ReadBuffer
    private var lineStart = 0
    /// Where the search for the next newline resumes.
    private var searchStart = 0
    private var lineNumber = 0

    /// `chunkSize`: the buffer's first size, and so the largest read.
    init(_ bytes: ByteSource, chunkSize: Int = defaultChunkSize) {
        data = ReadBuffer(bytes, capacity: chunkSize)
    }

    /// The next line that holds more than whitespace, or nil at the end.
    func nextLine() throws(AEError) -> Line? {
        while let (start, end) = try nextRawLine() {
            let buffer = data.bytes
            lineNumber += 1
            var first = start
            var last = end
            if lineNumber == 1 && last - first >= 3
                && buffer[first] == 0xEF && buffer[first + 1] == 0xBB && buffer[first + 2] == 0xBF {
                first += 3
            }
            if last > first && buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
            buffer[last] = 0
            if !Self.isBlank(buffer + first, count: last - first) {
                return Line(bytes: buffer + first, count: last - first, number: lineNumber)
            }
        }
        return nil
    }

    private static func isBlank(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        for k in 0..<count {
            let byte = bytes[k]
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") { return false }
        }
        return true
    }

    /// The byte range of the next line without its LF.
    private func nextRawLine() throws(AEError) -> (Int, Int)? {
        while true {
            if let newline = memchr(data.bytes + searchStart, Int32(UInt8(ascii: "\n")), data.count - searchStart) {
                let end = newline.assumingMemoryBound(to: UInt8.self) - data.bytes
                let start = lineStart
                lineStart = end + 1
                searchStart = lineStart
                return (start, end)
            }
            searchStart = data.count
            if data.reachedEnd {
                guard lineStart < data.count else { return nil }
                let start = lineStart
                lineStart = data.count
                return (start, data.count)
            }
            // The unfinished line moves to the front.
            try data.refill(droppingFirst: lineStart)
            searchStart -= lineStart
            lineStart = 0
        }
    }
}
