#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CSV or TSV rows into `RowBatch`es: a header line naming the columns,
/// then one record per row, RFC 4180 quoting (quoted delimiters, doubled
/// quotes, quoted line breaks), CRLF or LF line ends, an optional UTF-8 byte
/// order mark; blank lines are skipped.
///
/// The feature columns become the vector (`FeatureSelection`: the model's
/// names, `--columns`, or the columns whose cells in the first 100 data rows
/// are numbers or empty, at least one a number); the other columns pass
/// through as members of an object row, a cell that is a JSON number as a
/// number, an empty one as null, anything else as a string.
///
/// Numbers go from the read buffer into the batch through the NDJSON float
/// parser, with a lenient fallback for what CSV writers also produce (`+1`,
/// `.5`, `5.`, `007`), and pass-through cells are copied as JSON text: no
/// `String` per cell. Errors, like the NDJSON reader's, end the batch before
/// the bad row and name the line and the column (1-based, counting fields).
public final class CSVRowReader: FileRows {
    let source: String
    var expected: ExpectedFeatures?
    /// The feature columns' names, in feature order, once rows are read.
    private(set) var featureNames: [String]?
    var shape: RowShape? { .object }
    var header: JSONValue? { nil }

    /// How many data rows decide which columns hold numbers.
    static let rowsDecidingNumbers = 100
    /// Cells read as missing values besides the empty cell (pandas' and R's).
    private static let missingTokens: [[UInt8]] = ["NA", "N/A", "NaN", "nan", "null", "NULL"].map { Array($0.utf8) }

    private enum Role {
        case feature(Int)
        /// Passed through under the JSON text `"name":` (the index into `memberPrefixes`).
        case passThrough(Int)
        case dropped
    }

    private let data: ReadBuffer
    private let delimiter: UInt8
    private let selection: FeatureSelection
    private let droppedFields: Set<String>
    private var buffer: UnsafeMutablePointer<UInt8> { data.bytes }
    private var dataEnd: Int { data.count }
    private var position = 0
    /// The line `position` is on.
    private var line = 1
    /// Where the first undecided byte of the look-ahead is, which reading more must keep.
    private var mark: Int?
    private var columnNames: [String] = []
    private var roles: [Role] = []
    private var memberPrefixes: [[UInt8]] = []
    private var values: UnsafeMutablePointer<Float>?
    private var width = 0
    private var failure: AEError?

    /// Reads from a file descriptor's current position (the caller closes
    /// it), in reads of `chunkSize` bytes: the fuzz target (fuzz/, through
    /// the `Fuzzing` SPI) makes them tiny so that short inputs cross read
    /// boundaries and grow the buffer.
    @_spi(Fuzzing) public convenience init(
        fileDescriptor: Int32, source: String, delimiter: UInt8, selection: FeatureSelection, droppedFields: [String],
        chunkSize: Int
    ) throws {
        try self.init(
            FileBytes(descriptor: fileDescriptor, source: source, closesDescriptor: false), source: source,
            delimiter: delimiter, selection: selection, droppedFields: droppedFields, chunkSize: chunkSize)
    }

    /// Reads the header line at once (an input without one has no rows).
    init(
        _ bytes: ByteSource, source: String, delimiter: UInt8, selection: FeatureSelection, droppedFields: [String],
        chunkSize: Int = ByteLineReader.defaultChunkSize
    ) throws {
        data = ReadBuffer(bytes, capacity: chunkSize)
        self.source = source
        self.delimiter = delimiter
        self.selection = selection
        self.droppedFields = Set(droppedFields)
        try readHeader()
    }

    deinit {
        values?.deallocate()
    }

    @_spi(Fuzzing) public func require(_ expected: ExpectedFeatures) throws {
        self.expected = expected
    }

    /// Appends up to `capacity` rows to `batch` and returns how many; 0 at the end.
    @_spi(Fuzzing) public func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int {
        precondition(capacity > 0, "batch capacity must be positive")
        if let failure { throw failure }
        if values == nil { try chooseFeatures() }
        var appended = 0
        while appended < capacity {
            do throws(AEError) {
                guard try readRecord(into: &batch) else { break }
            } catch {
                batch.discardUnfinishedRow()
                failure = error
                break
            }
            appended += 1
            if appended == 1 { batch.reserveCapacity(rows: batch.count + capacity - 1) }
        }
        if appended == 0, let failure { throw failure }
        return appended
    }

    // MARK: Columns

    private func readHeader() throws(AEError) {
        if try available(3), buffer[position] == 0xEF, buffer[position + 1] == 0xBB, buffer[position + 2] == 0xBF {
            position += 3
        }
        var names: [String] = []
        guard let headerLine = try scanRecord(handle: { _, start, end, quoted, doubledQuotes, _ throws(AEError) in
            let text = Array(UnsafeBufferPointer(start: self.buffer + start, count: end - start))
            names.append(String(decoding: quoted ? Self.undoubled(text, doubledQuotes) : Self.trimmed(text), as: UTF8.self))
        }) else { return }
        var seen: [String: Int] = [:]
        for (column, name) in names.enumerated() {
            if let earlier = seen.updateValue(column, forKey: name) {
                throw AEError(
                    "column \(JSONValue.string(name).text) appears twice (columns \(earlier + 1) and \(column + 1))",
                    source: source, line: headerLine, column: column + 1)
            }
        }
        columnNames = names
    }

    /// Decides the feature columns and what becomes of the others, looking
    /// ahead at the first data rows when numbers decide.
    private func chooseFeatures() throws(AEError) {
        guard !columnNames.isEmpty else {
            values = .allocate(capacity: 1)
            return
        }
        let evidence = expected?.names == nil && selection.columns == nil ? lookAhead() : nil
        // Without rows there are no numbers to choose by: the input is
        // empty, or its first row is bad, which is then the error.
        if let evidence, evidence.rows == 0 {
            if let error = evidence.error { throw error }
            values = .allocate(capacity: 1)
            return
        }
        let chosen: [String]
        do throws(FeatureChoiceError) {
            chosen = try selection.features(
                among: columnNames,
                isNumeric: { column in evidence.map { $0.cells[column].numbers > 0 && $0.cells[column].others == 0 } ?? false },
                expected: expected, kind: "column")
        } catch {
            throw AEError(error.message, source: source, line: 1)
        }
        let featureIndex = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($1, $0) })
        roles = columnNames.map { name in
            if let index = featureIndex[name] { return .feature(index) }
            if droppedFields.contains(name) { return .dropped }
            memberPrefixes.append(Array((JSONValue.string(name).text + ":").utf8))
            return .passThrough(memberPrefixes.count - 1)
        }
        featureNames = chosen
        width = chosen.count
        values = .allocate(capacity: width)
    }

    /// Reads up to `rowsDecidingNumbers` data rows without consuming them
    /// and counts them and, per column, the cells that are numbers and the
    /// cells that are neither numbers nor missing. A bad row ends the
    /// look-ahead (with its error); reading reports it in its turn, after the
    /// rows in front of it.
    private func lookAhead() -> (rows: Int, cells: [(numbers: Int, others: Int)], error: AEError?) {
        var evidence = Array(repeating: (numbers: 0, others: 0), count: columnNames.count)
        var rows = 0
        let startLine = line
        mark = position
        defer {
            position = mark!
            line = startLine
            mark = nil
        }
        for _ in 0..<Self.rowsDecidingNumbers {
            do throws(AEError) {
                guard try scanRecord(handle: { column, start, end, _, _, _ throws(AEError) in
                    let (first, last) = self.trimmedRange(start, end)
                    if self.number(first, last) != nil {
                        evidence[column].numbers += 1
                    } else if !self.isMissing(first, last) {
                        evidence[column].others += 1
                    }
                }) != nil else { break }
            } catch {
                return (rows, evidence, error)
            }
            rows += 1
        }
        return (rows, evidence, nil)
    }

    // MARK: Records

    /// Reads one record into `batch`; false at the end of input.
    private func readRecord(into batch: inout RowBatch) throws(AEError) -> Bool {
        guard let recordLine = try scanRecord(handle: { column, start, end, _, doubledQuotes, fieldLine throws(AEError) in
            try self.take(column: column, start, end, doubledQuotes: doubledQuotes, line: fieldLine, into: &batch)
        }) else { return false }
        batch.finishRow(vector: values!, width: width, lineNumber: recordLine)
        return true
    }

    /// One cell of a data row, into the vector or the pass-through text.
    @inline(__always)
    private func take(
        column: Int, _ start: Int, _ end: Int, doubledQuotes: Bool, line fieldLine: Int, into batch: inout RowBatch
    ) throws(AEError) {
        switch roles[column] {
        case .feature(let index):
            let (first, last) = trimmedRange(start, end)
            if let value = number(first, last) {
                values![index] = value
                return
            }
            guard isMissing(first, last) else { throw notANumber(column: column, first, last, line: fieldLine) }
            guard selection.missing == .zero else {
                let what = first == last ? "an empty cell" : "a missing value"
                throw AEError(
                    "\(what) in feature column \(JSONValue.string(columnNames[column]).text); --missing zero reads it as 0",
                    source: source, line: fieldLine, column: column + 1)
            }
            values![index] = 0
        case .passThrough(let member):
            let cell = UnsafeBufferPointer(start: buffer + start, count: end - start)
            memberPrefixes[member].withUnsafeBufferPointer { name in
                batch.appendPassThroughCell(
                    name: name, cell, isNumber: !doubledQuotes && isJSONNumber(start, end), doubledQuotes: doubledQuotes)
            }
        case .dropped:
            break
        }
    }

    /// Scans the record at `position` and moves past it, calling
    /// `handle(column, start, end, quoted, doubledQuotes, line)` with each
    /// field's content (buffer indices, valid during the call); checks that
    /// the record has one field per column once the header is known.
    /// Returns the line the record starts on; nil at the end of input.
    ///
    /// Reading more may move the buffer's bytes, so offsets within the
    /// record are kept relative to `position`, which moves with them.
    private func scanRecord(handle: (Int, Int, Int, Bool, Bool, Int) throws(AEError) -> Void) throws(AEError) -> Int? {
        var lineEnd: Int
        while true {
            guard try available(1) else { return nil }
            lineEnd = try self.lineEnd(from: 0)
            guard isBlank(position, position + lineEnd) else { break }
            position = min(position + lineEnd + 1, dataEnd)
            line += 1
        }
        let recordLine = line
        var column = 0
        var i = 0
        while true {
            if !columnNames.isEmpty, column == columnNames.count {
                throw AEError(
                    "row has more than \(columnNames.count) fields; the header has \(columnNames.count)",
                    source: source, line: recordLine, column: column + 1)
            }
            let fieldLine = line
            if buffer[position + i] == UInt8(ascii: "\"") {
                let contentStart = i + 1
                var j = contentStart
                var doubledQuotes = false
                while true {
                    let from = position + j
                    if let quote = memchr(buffer + from, Int32(UInt8(ascii: "\"")), lineEnd - j) {
                        let q = quote.assumingMemoryBound(to: UInt8.self) - (buffer + position)
                        if q + 1 < lineEnd, buffer[position + q + 1] == UInt8(ascii: "\"") {
                            doubledQuotes = true
                            j = q + 2
                            continue
                        }
                        try handle(column, position + contentStart, position + q, true, doubledQuotes, fieldLine)
                        i = q + 1
                        break
                    }
                    // A line break inside the quotes belongs to the field.
                    guard position + lineEnd < dataEnd else {
                        throw AEError("unterminated quoted field", source: source, line: fieldLine, column: column + 1)
                    }
                    line += 1
                    j = lineEnd + 1
                    lineEnd = try self.lineEnd(from: j)
                }
                let next = buffer[position + i]
                guard i == lineEnd || next == delimiter || (next == UInt8(ascii: "\r") && i + 1 == lineEnd) else {
                    throw AEError("unexpected text after a quoted field", source: source, line: line, column: column + 1)
                }
            } else {
                let start = position + i, end = position + lineEnd
                var j = start
                while j < end && buffer[j] != delimiter { j += 1 }
                var contentEnd = j
                if j == end, contentEnd > start, buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
                try handle(column, start, contentEnd, false, false, fieldLine)
                i = j - position
            }
            guard i < lineEnd, buffer[position + i] == delimiter else { break }
            i += 1
            column += 1
        }
        if !columnNames.isEmpty, column + 1 != columnNames.count {
            throw AEError(
                "row has \(column + 1) \(column == 0 ? "field" : "fields"); the header has \(columnNames.count)",
                source: source, line: recordLine, column: column + 2)
        }
        position = min(position + lineEnd + 1, dataEnd)
        line += 1
        return recordLine
    }

    // MARK: Cells

    /// The cell without the spaces and tabs around it.
    @inline(__always)
    private func trimmedRange(_ start: Int, _ end: Int) -> (Int, Int) {
        var first = start, last = end
        while first < last, buffer[first] == UInt8(ascii: " ") || buffer[first] == UInt8(ascii: "\t") { first += 1 }
        while last > first, buffer[last - 1] == UInt8(ascii: " ") || buffer[last - 1] == UInt8(ascii: "\t") { last -= 1 }
        return (first, last)
    }

    /// The number a cell holds, or nil: the NDJSON parser's JSON numbers,
    /// then the forms only CSV writers use.
    @inline(__always)
    private func number(_ first: Int, _ last: Int) -> Float? {
        guard first < last else { return nil }
        var i = first
        if let value = try? JSONFloatParser.parse(buffer, at: &i), i == last { return value }
        return Self.lenientNumber(buffer + first, count: last - first)
    }

    /// `+1`, `.5`, `5.`, `007`, `1E5`: decimal numbers that JSON spells
    /// otherwise, through `strtof`; not `inf`, `nan` or hexadecimal.
    @inline(never)
    private static func lenientNumber(_ text: UnsafePointer<UInt8>, count: Int) -> Float? {
        guard count <= 64 else { return nil }
        var digits = 0
        for k in 0..<count {
            switch text[k] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { copy -> Float? in
            let base = copy.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: text, byteCount: count)
            base[count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtof(base, &end)
            guard end == base + count, value.isFinite else { return nil }
            return value
        }
    }

    private func isMissing(_ first: Int, _ last: Int) -> Bool {
        first == last || Self.missingTokens.contains { token in
            token.count == last - first && token.withUnsafeBufferPointer { memcmp($0.baseAddress!, buffer + first, token.count) == 0 }
        }
    }

    private func notANumber(column: Int, _ first: Int, _ last: Int, line: Int) -> AEError {
        let cell = String(decoding: UnsafeBufferPointer(start: buffer + first, count: min(last - first, 40)), as: UTF8.self)
        let name = JSONValue.string(columnNames[column]).text
        var i = first
        if case .failure(let error) = Result(catching: { () throws(JSONSyntaxError) in try JSONFloatParser.parse(buffer, at: &i) }),
           error.message == "number out of range" {
            return AEError("number out of range in feature column \(name)", source: source, line: line, column: column + 1)
        }
        return AEError(
            "expected a number in feature column \(name), not \(JSONValue.string(cell + (last - first > 40 ? "…" : "")).text)",
            source: source, line: line, column: column + 1)
    }

    /// Whether a pass-through cell is a JSON number, which it then stays.
    private func isJSONNumber(_ start: Int, _ end: Int) -> Bool {
        guard start < end, buffer[start] == UInt8(ascii: "-") || buffer[start] &- UInt8(ascii: "0") <= 9 else { return false }
        return (try? JSONScanner(text: buffer, count: dataEnd).skipNumber(from: start)) == end
    }

    private func isBlank(_ start: Int, _ end: Int) -> Bool {
        (start..<end).allSatisfy { buffer[$0] == UInt8(ascii: " ") || buffer[$0] == UInt8(ascii: "\t") || buffer[$0] == UInt8(ascii: "\r") }
    }

    private static func trimmed(_ text: [UInt8]) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return [] }
        return text[first...last]
    }

    /// A quoted field's content with each doubled quote made single.
    private static func undoubled(_ text: [UInt8], _ doubledQuotes: Bool) -> ArraySlice<UInt8> {
        guard doubledQuotes else { return text[...] }
        var result: [UInt8] = []
        var k = 0
        while k < text.count {
            result.append(text[k])
            k += text[k] == UInt8(ascii: "\"") ? 2 : 1
        }
        return result[...]
    }

    // MARK: Buffer

    /// The offset from `position` of the next line feed at or after
    /// `relative`, or of the end of input; reads more as needed.
    private func lineEnd(from relative: Int) throws(AEError) -> Int {
        var searched = relative
        while true {
            if let newline = memchr(buffer + position + searched, Int32(UInt8(ascii: "\n")), dataEnd - position - searched) {
                return newline.assumingMemoryBound(to: UInt8.self) - (buffer + position)
            }
            searched = dataEnd - position
            if data.reachedEnd { return searched }
            try readMore()
        }
    }

    /// Whether `count` bytes from `position` are in the buffer, reading more if need be.
    private func available(_ count: Int) throws(AEError) -> Bool {
        while dataEnd - position < count {
            if data.reachedEnd { return false }
            try readMore()
        }
        return true
    }

    /// Drops the bytes before `position` (or the look-ahead's mark) and
    /// reads more.
    private func readMore() throws(AEError) {
        let keep = min(position, mark ?? position)
        try data.refill(droppingFirst: keep)
        position -= keep
        mark = mark.map { $0 - keep }
    }
}
