import AECore

/// Where the NDJSON row reader takes its rows' text from, one row at a time.
protocol LineSource: AnyObject {
    /// The next row's text, or nil at the end; valid until the next call.
    func nextLine() throws(AEError) -> ByteLineReader.Line?
}

extension ByteLineReader: LineSource {}

/// The elements of one JSON array of rows, `[[1,2],[3,4]]` or
/// `[{"a":1},{"a":2}]` as pandas' `to_json(orient="records")` writes it,
/// handed to the row reader one element at a time as if each were a line.
///
/// The document streams: only the element being read is held, so a large
/// file costs no more memory than its NDJSON twin. Each element keeps the
/// line and column it starts at, so errors point into the document; an
/// element may span lines (pretty-printed JSON), since a raw newline in JSON
/// is whitespace.
final class JSONArrayElements: LineSource {
    /// Whether the text starting with `prefix` is a JSON array of rows: `[`
    /// and then `[`, `{` or `]` (white space and a byte order mark aside).
    /// Reads more of `bytes` into `prefix` while that is undecided (up to
    /// 64 KiB of white space).
    static func startsDocument(_ prefix: inout [UInt8], reading bytes: ByteSource) throws(AEError) -> Bool {
        func readMore() throws(AEError) -> Bool {
            guard prefix.count < 1 << 16 else { return false }
            let more = try bytes.readPrefix(4096)
            prefix += more
            return !more.isEmpty
        }
        while prefix.count < 3, try readMore() {}
        var i = prefix.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var seenOpen = false
        while true {
            while i == prefix.count {
                guard try readMore() else { return false }
            }
            let byte = prefix[i]
            i += 1
            if JSONScanner.isWhitespace(byte) { continue }
            if !seenOpen {
                guard byte == UInt8(ascii: "[") else { return false }
                seenOpen = true
                continue
            }
            return byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "]")
        }
    }

    private enum Place {
        case beforeOpen
        case beforeElement(first: Bool)
        case afterElement
        case afterClose
    }

    private let data: ReadBuffer
    private let source: String
    private var buffer: UnsafeMutablePointer<UInt8> { data.bytes }
    private var dataEnd: Int { data.count }
    private var position = 0
    /// Bytes dropped from the front of the buffer so far, for absolute offsets.
    private var discarded = 0
    private var line = 1
    /// The absolute offset where the current line starts.
    private var lineStart = 0
    private var place = Place.beforeOpen
    /// The byte that the last element's terminating 0 replaced, and where.
    private var overwritten: (index: Int, byte: UInt8)?

    init(_ bytes: ByteSource, source: String, chunkSize: Int = ByteLineReader.defaultChunkSize) {
        data = ReadBuffer(bytes, capacity: chunkSize)
        self.source = source
    }

    func nextLine() throws(AEError) -> ByteLineReader.Line? {
        if let (index, byte) = overwritten {
            buffer[index] = byte
            overwritten = nil
        }
        while true {
            switch place {
            case .beforeOpen:
                if position == 0, discarded == 0, try available(3), buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                    position = 3
                    lineStart = 3
                }
                guard try skipWhitespace(), buffer[position] == UInt8(ascii: "[") else { throw error("expected '[' to start the array of rows") }
                position += 1
                place = .beforeElement(first: true)
            case .beforeElement(let first):
                guard try skipWhitespace() else { throw error("unterminated array of rows: expected a row or ']'") }
                if buffer[position] == UInt8(ascii: "]") {
                    guard first else { throw error("expected a row after ','") }
                    position += 1
                    place = .afterClose
                    continue
                }
                place = .afterElement
                return try element()
            case .afterElement:
                guard try skipWhitespace() else { throw error("unterminated array of rows: expected ',' or ']'") }
                switch buffer[position] {
                case UInt8(ascii: ","): place = .beforeElement(first: false)
                case UInt8(ascii: "]"): place = .afterClose
                default: throw error("expected ',' or ']' after a row")
                }
                position += 1
            case .afterClose:
                guard try skipWhitespace() else { return nil }
                throw error("unexpected text after the array of rows")
            }
        }
    }

    /// The element starting at `position`, which ends where its brackets
    /// close (a container) or at the next `,`, `]` or white space (anything
    /// else, which the row reader then refuses).
    private func element() throws(AEError) -> ByteLineReader.Line {
        let number = line, column = discarded + position - lineStart + 1
        var start = position
        var i = position
        var depth = 0
        var inString = false
        let isContainer = buffer[i] == UInt8(ascii: "[") || buffer[i] == UInt8(ascii: "{")
        scanning: while true {
            if i == dataEnd {
                let shift = try readMore(keepingFrom: start)
                start -= shift
                i -= shift
                if i == dataEnd { break }
            }
            let byte = buffer[i]
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = discarded + i + 1
            }
            if inString {
                if byte == UInt8(ascii: "\\") {
                    i += 1
                    if i == dataEnd {
                        let shift = try readMore(keepingFrom: start)
                        start -= shift
                        i -= shift
                        if i == dataEnd { break }
                    }
                    if buffer[i] == UInt8(ascii: "\n") {
                        line += 1
                        lineStart = discarded + i + 1
                    }
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                i += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 0 { break scanning }
                depth -= 1
                if depth == 0 && isContainer {
                    i += 1
                    break scanning
                }
            case UInt8(ascii: ","):
                if depth == 0 { break scanning }
            default:
                if depth == 0 && JSONScanner.isWhitespace(byte) { break scanning }
            }
            i += 1
        }
        position = i
        overwritten = (i, buffer[i])
        buffer[i] = 0
        return ByteLineReader.Line(bytes: buffer + start, count: i - start, number: number, column: column)
    }

    /// Moves past white space; false at the end of input.
    private func skipWhitespace() throws(AEError) -> Bool {
        while true {
            guard try available(1) else { return false }
            let byte = buffer[position]
            guard JSONScanner.isWhitespace(byte) else { return true }
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = discarded + position + 1
            }
            position += 1
        }
    }

    /// Whether `count` bytes from `position` are in the buffer, reading more if need be.
    private func available(_ count: Int) throws(AEError) -> Bool {
        while dataEnd - position < count {
            let before = dataEnd - position
            _ = try readMore(keepingFrom: position)
            if dataEnd - position == before { return false }
        }
        return true
    }

    /// Drops the bytes before `keep` and reads more; returns how far the
    /// kept bytes moved.
    private func readMore(keepingFrom keep: Int) throws(AEError) -> Int {
        guard !data.reachedEnd else { return 0 }
        try data.refill(droppingFirst: keep)
        position -= keep
        discarded += keep
        return keep
    }

    private func error(_ message: String) -> AEError {
        AEError(message, source: source, line: line, column: discarded + position - lineStart + 1)
    }
}
