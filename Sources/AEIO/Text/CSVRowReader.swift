#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore

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

    fileprivate enum Role {
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
    /// Per column, once the features are chosen (nil until then).
    private var roles: [Role]?
    fileprivate var memberPrefixes: [[UInt8]] = []
    private var values: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
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
        values.deallocate()
    }

    @_spi(Fuzzing) public func require(_ expected: ExpectedFeatures) throws {
        self.expected = expected
    }

    /// Appends up to `capacity` rows to `batch` and returns how many; 0 at the end.
    @_spi(Fuzzing) public func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int {
        precondition(capacity > 0, "batch capacity must be positive")
        if let failure { throw failure }
        if roles == nil { try chooseFeatures() }
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
        var header = HeaderCells()
        guard let headerLine = try scanRecord(&header) else { return }
        let names = header.names
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
        let evidence = expected?.names == nil && selection.columns == nil ? lookAhead() : nil
        // Without rows there are no numbers to choose by: the input is
        // empty, or its first row is bad, which is then the error.
        if columnNames.isEmpty || evidence?.rows == 0 {
            if let error = evidence?.error { throw error }
            roles = []
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
        values.deallocate()
        values = .allocate(capacity: width)
    }

    /// Reads up to `rowsDecidingNumbers` data rows without consuming them
    /// and counts them and, per column, the cells that are numbers and the
    /// cells that are neither numbers nor missing. A bad row ends the
    /// look-ahead (with its error); reading reports it in its turn, after the
    /// rows in front of it.
    private func lookAhead() -> (rows: Int, cells: [(numbers: Int, others: Int)], error: AEError?) {
        var evidence = NumberEvidence(columns: columnNames.count)
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
                guard try scanRecord(&evidence) != nil else { break }
            } catch {
                return (rows, evidence.cells, error)
            }
            rows += 1
        }
        return (rows, evidence.cells, nil)
    }

    // MARK: Records

    /// One field's content, valid while its record is scanned.
    fileprivate struct Cell {
        let bytes: UnsafePointer<UInt8>
        let count: Int
        let quoted: Bool
        let doubledQuotes: Bool
        /// The line the field starts on.
        let line: Int

        /// The content without the spaces and tabs around it.
        @inline(__always)
        var trimmed: UnsafeBufferPointer<UInt8> {
            var first = 0, last = count
            while first < last, bytes[first] == UInt8(ascii: " ") || bytes[first] == UInt8(ascii: "\t") { first += 1 }
            while last > first, bytes[last - 1] == UInt8(ascii: " ") || bytes[last - 1] == UInt8(ascii: "\t") { last -= 1 }
            return UnsafeBufferPointer(start: bytes + first, count: last - first)
        }
    }

    /// What the scan does with each field of a record.
    private protocol CellHandler {
        mutating func take(_ column: Int, _ cell: Cell, of reader: CSVRowReader) throws(AEError)
    }

    /// The header's fields become the column names.
    private struct HeaderCells: CellHandler {
        var names: [String] = []

        mutating func take(_ column: Int, _ cell: Cell, of reader: CSVRowReader) throws(AEError) {
            let text = Array(UnsafeBufferPointer(start: cell.bytes, count: cell.count))
            names.append(String(decoding: cell.quoted ? undoubled(text, cell.doubledQuotes) : trimmed(text), as: UTF8.self))
        }

        private func trimmed(_ text: [UInt8]) -> ArraySlice<UInt8> {
            let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return [] }
            return text[first...last]
        }

        /// A quoted field's content with each doubled quote made single.
        private func undoubled(_ text: [UInt8], _ doubledQuotes: Bool) -> ArraySlice<UInt8> {
            guard doubledQuotes else { return text[...] }
            var result: [UInt8] = []
            var k = 0
            while k < text.count {
                result.append(text[k])
                k += text[k] == UInt8(ascii: "\"") ? 2 : 1
            }
            return result[...]
        }
    }

    /// The look-ahead's count, per column, of the cells that are numbers and
    /// the cells that are neither numbers nor missing.
    private struct NumberEvidence: CellHandler {
        var cells: [(numbers: Int, others: Int)]

        init(columns: Int) {
            cells = Array(repeating: (0, 0), count: columns)
        }

        mutating func take(_ column: Int, _ cell: Cell, of reader: CSVRowReader) throws(AEError) {
            let trimmed = cell.trimmed
            if CSVRowReader.number(trimmed) != nil {
                cells[column].numbers += 1
            } else if !CSVRowReader.isMissing(trimmed) {
                cells[column].others += 1
            }
        }
    }

    /// A data row's fields go into the vector or the pass-through text.
    private struct RowCells: CellHandler {
        let roles: [Role]
        let values: UnsafeMutablePointer<Float>
        var batch: RowBatch

        mutating func take(_ column: Int, _ cell: Cell, of reader: CSVRowReader) throws(AEError) {
            switch roles[column] {
            case .feature(let index):
                // A lone 0 is most of the cells of sparse data (images, counts).
                if cell.count == 1, cell.bytes[0] == UInt8(ascii: "0") {
                    values[index] = 0
                    return
                }
                let trimmed = cell.trimmed
                guard let value = CSVRowReader.number(trimmed) else {
                    values[index] = try reader.missingValue(column: column, trimmed, line: cell.line)
                    return
                }
                values[index] = value
            case .passThrough(let member):
                reader.memberPrefixes[member].withUnsafeBufferPointer { name in
                    batch.appendPassThroughCell(
                        name: name, UnsafeBufferPointer(start: cell.bytes, count: cell.count),
                        isNumber: !cell.doubledQuotes && CSVRowReader.isJSONNumber(cell), doubledQuotes: cell.doubledQuotes)
                }
            case .dropped:
                break
            }
        }
    }

    /// Reads one record into `batch`; false at the end of input.
    private func readRecord(into batch: inout RowBatch) throws(AEError) -> Bool {
        // The batch moves into the handler and back, so that it stays the
        // only owner of its storage and grows in place.
        var cells = RowCells(roles: roles!, values: values, batch: RowBatch())
        swap(&cells.batch, &batch)
        defer { swap(&cells.batch, &batch) }
        guard let recordLine = try scanRecord(&cells) else { return false }
        cells.batch.finishRow(vector: values, width: width, lineNumber: recordLine)
        return true
    }

    /// The value of a feature cell that holds no number: 0 for a missing
    /// value under `--missing zero`, else the error.
    fileprivate func missingValue(column: Int, _ cell: UnsafeBufferPointer<UInt8>, line: Int) throws(AEError) -> Float {
        let name = JSONValue.string(columnNames[column]).text
        guard Self.isMissing(cell) else {
            var i = 0
            if case .failure(let error) = Result(catching: { () throws(JSONSyntaxError) in try JSONFloatParser.parse(cell.baseAddress!, at: &i) }),
               error.message == "number out of range" {
                throw AEError("number out of range in feature column \(name)", source: source, line: line, column: column + 1)
            }
            let shown = String(decoding: cell.prefix(40), as: UTF8.self) + (cell.count > 40 ? "…" : "")
            throw AEError(
                "expected a number in feature column \(name), not \(JSONValue.string(shown).text)",
                source: source, line: line, column: column + 1)
        }
        guard selection.missing == .zero else {
            let what = cell.isEmpty ? "an empty cell" : "a missing value"
            throw AEError(
                "\(what) in feature column \(name); --missing zero reads it as 0", source: source, line: line, column: column + 1)
        }
        return 0
    }

    /// Scans the record at `position` and moves past it, handing each field
    /// to `handler`; checks that the record has one field per column once the
    /// header is known. Returns the line the record starts on; nil at the end
    /// of input.
    ///
    /// Reading more may move the buffer's bytes, so offsets within the
    /// record are kept relative to `position`, which moves with them.
    private func scanRecord<Handler: CellHandler>(_ handler: inout Handler) throws(AEError) -> Int? {
        var lineEnd: Int
        while true {
            guard try available(1) else { return nil }
            lineEnd = try self.lineEnd(from: 0)
            guard isBlank(position, position + lineEnd) else { break }
            position = min(position + lineEnd + 1, dataEnd)
            line += 1
        }
        let recordLine = line
        let columns = columnNames.count
        let delimiter = delimiter
        var record = UnsafePointer(buffer + position)
        var column = 0
        var i = 0
        while true {
            if columns > 0, column == columns {
                throw AEError(
                    "row has more than \(columns) fields; the header has \(columns)", source: source, line: recordLine,
                    column: column + 1)
            }
            let fieldLine = line
            if record[i] == UInt8(ascii: "\"") {
                let contentStart = i + 1
                var j = contentStart
                var doubledQuotes = false
                while true {
                    if let quote = memchr(record + j, Int32(UInt8(ascii: "\"")), lineEnd - j) {
                        let q = UnsafePointer(quote.assumingMemoryBound(to: UInt8.self)) - record
                        if q + 1 < lineEnd, record[q + 1] == UInt8(ascii: "\"") {
                            doubledQuotes = true
                            j = q + 2
                            continue
                        }
                        try handler.take(column, Cell(
                            bytes: record + contentStart, count: q - contentStart, quoted: true, doubledQuotes: doubledQuotes,
                            line: fieldLine), of: self)
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
                    record = UnsafePointer(buffer + position)
                }
                let next = record[i]
                guard i == lineEnd || next == delimiter || (next == UInt8(ascii: "\r") && i + 1 == lineEnd) else {
                    throw AEError("unexpected text after a quoted field", source: source, line: line, column: column + 1)
                }
            } else {
                var j = i
                while j < lineEnd && record[j] != delimiter { j += 1 }
                var contentEnd = j
                if j == lineEnd, contentEnd > i, record[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
                try handler.take(column, Cell(bytes: record + i, count: contentEnd - i, quoted: false, doubledQuotes: false, line: fieldLine), of: self)
                i = j
            }
            guard i < lineEnd, record[i] == delimiter else { break }
            i += 1
            column += 1
        }
        if columns > 0, column + 1 != columns {
            throw AEError(
                "row has \(column + 1) \(column == 0 ? "field" : "fields"); the header has \(columns)",
                source: source, line: recordLine, column: column + 2)
        }
        position = min(position + lineEnd + 1, dataEnd)
        line += 1
        return recordLine
    }

    // MARK: Cells

    /// The number a cell holds, or nil: the NDJSON parser's JSON numbers,
    /// then the forms only CSV writers use. The byte after the cell is its
    /// delimiter, a quote, a line end or the buffer's terminating 0, none of
    /// which continues a number.
    @inline(__always)
    fileprivate static func number(_ cell: UnsafeBufferPointer<UInt8>) -> Float? {
        guard let text = cell.baseAddress, cell.count > 0 else { return nil }
        var i = 0
        if let value = try? JSONFloatParser.parse(text, at: &i), i == cell.count { return value }
        return lenientNumber(text, count: cell.count)
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

    fileprivate static func isMissing(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        cell.isEmpty || missingTokens.contains { $0.elementsEqual(cell) }
    }

    /// Whether a pass-through cell is a JSON number, which it then stays.
    fileprivate static func isJSONNumber(_ cell: Cell) -> Bool {
        guard cell.count > 0, cell.bytes[0] == UInt8(ascii: "-") || cell.bytes[0] &- UInt8(ascii: "0") <= 9 else { return false }
        return (try? JSONScanner(text: cell.bytes, count: cell.count).skipNumber(from: 0)) == cell.count
    }

    private func isBlank(_ start: Int, _ end: Int) -> Bool {
        (start..<end).allSatisfy { buffer[$0] == UInt8(ascii: " ") || buffer[$0] == UInt8(ascii: "\t") || buffer[$0] == UInt8(ascii: "\r") }
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
