import AECore

/// Reads NDJSON rows from a file descriptor into `RowBatch`es.
///
/// Each line is a bare array of numbers, or an object holding the array in
/// `field` with any other members passed through as raw text. An optional
/// header record `{"ae": {...}}` may come first. The numbers go from the read
/// buffer straight into the batch matrix; nothing per row touches a `String`.
///
/// Object rows without `field` may instead hold one member per feature, as
/// pandas writes records: the features are then found by name (the model's,
/// `--columns`, or for ae-fit the first row's numeric members), and every
/// other member passes through. The same rows may also come as one JSON
/// array of rows (`JSONArrayElements`) instead of one per line.
///
/// Errors: a bad row ends the batch being read *before* it, so every row in
/// front of it is delivered; the next `readBatch` call (and every one after)
/// throws the `AEError`, which names the source, line and byte column.
public final class NDJSONRowReader {
    /// The input's name in messages: a file name or `<stdin>`.
    public let source: String
    /// The member of object rows that holds the vector.
    public let field: String
    /// The required features; without them the first row fixes the width.
    /// Set them before the first `readBatch` (after reading `header` when the
    /// model is named there).
    public var expected: ExpectedFeatures?
    public let selection: FeatureSelection
    /// Whether the rows are arrays or objects; nil until a row has been read.
    public private(set) var shape: RowShape?
    /// The features' names, when object rows hold one member per feature;
    /// known once a row has been read.
    public var featureNames: [String]? { namedFeatures?.names }

    private let lines: LineSource
    private let fieldName: [UInt8]
    private let droppedFieldNames: [[UInt8]]
    private var width: Int?
    /// Set by the first object row that lacks `field`: the features to find
    /// by member name in every object row.
    private var namedFeatures: FeatureNameTable?
    /// Which features the row being read has set: `rowStamp` marks them, so
    /// nothing needs clearing between rows.
    private var featureStamps: [UInt32] = []
    private var rowStamp: UInt32 = 0
    /// The header content, or why the first line could not be read; nil
    /// until the first line has been looked at.
    private var headerLookup: Result<JSONValue?, AEError>?
    /// The first line, read while looking for the header, when it is a row.
    private var pendingLine: ByteLineReader.Line?
    private var failure: AEError?
    private var values: UnsafeMutablePointer<Float>
    private var valuesCapacity = 1024
    private var openContainers: [Bool] = []

    /// - Parameters:
    ///   - fileDescriptor: read from its current position; the caller closes it.
    ///   - droppedFields: members to leave out of the pass-through, because
    ///     the caller writes fields of these names itself and an output object
    ///     must not hold a name twice.
    ///   - alreadyRead: bytes the caller consumed from the descriptor before
    ///     (for example while telling HDF5 from NDJSON on a pipe).
    public convenience init(
        fileDescriptor: Int32,
        source: String,
        field: String,
        expected: ExpectedFeatures? = nil,
        droppedFields: [String] = [],
        alreadyRead: [UInt8] = []
    ) {
        self.init(
            fileDescriptor: fileDescriptor, source: source, field: field, expected: expected, selection: FeatureSelection(),
            droppedFields: droppedFields, alreadyRead: alreadyRead, wholeArray: false, chunkSize: ByteLineReader.defaultChunkSize
        )
    }

    /// The initialiser with every choice: the feature selection, whether the
    /// text is one JSON array of rows, and the size of the reads, which tests
    /// and the fuzz target (fuzz/, through the `Fuzzing` SPI) make tiny so
    /// that short inputs cross read boundaries and grow the buffers.
    @_spi(Fuzzing) public convenience init(
        fileDescriptor: Int32,
        source: String,
        field: String,
        expected: ExpectedFeatures?,
        selection: FeatureSelection,
        droppedFields: [String],
        alreadyRead: [UInt8],
        wholeArray: Bool,
        chunkSize: Int
    ) {
        let bytes = PrefixedBytes(alreadyRead, then: FileBytes(descriptor: fileDescriptor, source: source, closesDescriptor: false))
        self.init(
            bytes, source: source, field: field, expected: expected, selection: selection, droppedFields: droppedFields,
            wholeArray: wholeArray, chunkSize: chunkSize)
    }

    /// Reads rows from `bytes`: lines, or the elements of one JSON array.
    init(
        _ bytes: ByteSource, source: String, field: String, expected: ExpectedFeatures?, selection: FeatureSelection,
        droppedFields: [String], wholeArray: Bool, chunkSize: Int = ByteLineReader.defaultChunkSize
    ) {
        self.source = source
        self.field = field
        self.expected = expected
        self.selection = selection
        fieldName = Array(field.utf8)
        droppedFieldNames = droppedFields.map { Array($0.utf8) }
        lines = wholeArray
            ? JSONArrayElements(bytes, source: source, chunkSize: chunkSize)
            : ByteLineReader(bytes, chunkSize: chunkSize)
        values = .allocate(capacity: valuesCapacity)
    }

    deinit {
        values.deallocate()
    }

    /// The content of the stream's header record `{"ae": <content>}`, or nil
    /// when the stream has none. Reading it looks at the first line only.
    public var header: JSONValue? {
        get throws { try lookForHeader() }
    }

    /// Appends up to `capacity` rows to `batch` and returns how many; 0 means
    /// the stream has ended (an empty stream simply returns 0).
    public func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int {
        precondition(capacity > 0, "batch capacity must be positive")
        _ = try lookForHeader()
        if let failure { throw failure }
        var appended = 0
        while appended < capacity {
            let line: ByteLineReader.Line
            if let pending = pendingLine {
                line = pending
                pendingLine = nil
            } else {
                do {
                    guard let next = try lines.nextLine() else { break }
                    line = next
                } catch {
                    failure = error
                    break
                }
            }
            do {
                try readRow(line, into: &batch)
            } catch {
                batch.discardUnfinishedRow()
                failure = located(error, in: line)
                break
            }
            appended += 1
            // The first row fixes the width, and so the size of the batch.
            if appended == 1 { batch.reserveCapacity(rows: batch.count + capacity - 1) }
        }
        if appended == 0, let failure { throw failure }
        return appended
    }

    // MARK: Header

    private func lookForHeader() throws -> JSONValue? {
        if headerLookup == nil {
            do {
                headerLookup = .success(try headerInFirstLine())
            } catch {
                failure = error
                headerLookup = .failure(error)
            }
        }
        return try headerLookup!.get()
    }

    /// Reads the first line and keeps it for `readBatch` unless it is the header.
    private func headerInFirstLine() throws(AEError) -> JSONValue? {
        guard let line = try lines.nextLine() else { return nil }
        do {
            let header = try Self.header(in: line)
            if header == nil { pendingLine = line }
            return header
        } catch {
            throw located(error, in: line)
        }
    }

    /// The header content if `line` is `{"ae": {...}}`, nil if it is a row.
    private static func header(in line: ByteLineReader.Line) throws(JSONSyntaxError) -> JSONValue? {
        let scanner = JSONScanner(text: line.bytes, count: line.count)
        let text = line.bytes
        let start = scanner.skipWhitespace(from: 0)
        guard text[start] == UInt8(ascii: "{") else { return nil }
        var i = scanner.skipWhitespace(from: start + 1)
        for byte in "\"ae\"".utf8 {
            guard text[i] == byte else { return nil }
            i += 1
        }
        i = scanner.skipWhitespace(from: i)
        guard text[i] == UInt8(ascii: ":") else { return nil }
        i = scanner.skipWhitespace(from: i + 1)
        guard text[i] == UInt8(ascii: "{") else { return nil }

        var end = start
        let record = try JSONValue.parse(scanner, at: &end)
        end = scanner.skipWhitespace(from: end)
        guard end == line.count else { throw JSONSyntaxError("unexpected text after the header record", at: end) }
        guard case .object(let members) = record, members.count == 1 else { return nil }
        return members[0].value
    }

    /// The error at its place in the input: an element of a JSON array may
    /// start mid-line and span lines.
    private func located(_ error: JSONSyntaxError, in line: ByteLineReader.Line) -> AEError {
        var number = line.number, column = line.column + error.offset
        for k in 0..<min(error.offset, line.count) where line.bytes[k] == UInt8(ascii: "\n") {
            number += 1
            column = error.offset - k
        }
        return AEError(error.message, source: source, line: number, column: column)
    }

    // MARK: Rows

    private func readRow(_ line: ByteLineReader.Line, into batch: inout RowBatch) throws(JSONSyntaxError) {
        let scanner = JSONScanner(text: line.bytes, count: line.count)
        let start = scanner.skipWhitespace(from: 0)
        let rowShape: RowShape
        switch line.bytes[start] {
        case UInt8(ascii: "["): rowShape = .array
        case UInt8(ascii: "{"): rowShape = .object
        default: throw JSONSyntaxError("expected an array or an object", at: start)
        }
        if let shape, shape != rowShape {
            if rowShape == .object, (try? Self.header(in: line)) != nil {
                throw JSONSyntaxError("header record in the middle of the stream", at: 0)
            }
            throw JSONSyntaxError(
                shape == .array ? "row is an object, but earlier rows are arrays" : "row is an array, but earlier rows are objects",
                at: start
            )
        }
        if rowShape == .object, shape == nil { try chooseObjectLayout(scanner, at: start) }
        let (end, count): (Int, Int)
        if rowShape == .array {
            (end, count) = try readVector(line.bytes, at: start, lineLength: line.count)
        } else if let namedFeatures {
            (end, count) = try readNamedObject(scanner, at: start, features: namedFeatures, into: &batch)
        } else {
            (end, count) = try readObject(scanner, at: start, into: &batch)
        }
        let after = scanner.skipWhitespace(from: end)
        guard after == line.count else { throw JSONSyntaxError("unexpected text after the row", at: after) }
        width = count
        shape = rowShape
        batch.finishRow(vector: values, width: count, lineNumber: line.number)
    }

    /// One member of an object row, as `forEachMember` finds it.
    private struct Member {
        /// Where its name's opening quote is.
        let start: Int
        let rawName: UnsafeBufferPointer<UInt8>
        /// The name unescaped, when it holds escapes.
        let decodedName: [UInt8]?
        /// Where its value starts.
        let value: Int

        func nameIs(_ expected: some Sequence<UInt8>) -> Bool {
            decodedName?.elementsEqual(expected) ?? rawName.elementsEqual(expected)
        }

        func withName<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            decodedName.map { name in name.withUnsafeBufferPointer(body) } ?? body(rawName)
        }
    }

    /// Walks the members of the object at `open`, handing each to `take`,
    /// which reads or skips its value and returns the index after it;
    /// returns the index after the closing brace. A lone member `"ae"`
    /// holding an object is a header record in the wrong place.
    @inline(__always)
    private func forEachMember(
        _ scanner: JSONScanner, at open: Int, _ take: (Member) throws(JSONSyntaxError) -> Int
    ) throws(JSONSyntaxError) -> Int {
        let text = scanner.text
        var memberCount = 0
        var isHeaderShaped = false
        var i = scanner.skipWhitespace(from: open + 1)
        if text[i] != UInt8(ascii: "}") {
            while true {
                guard text[i] == UInt8(ascii: "\"") else {
                    throw JSONSyntaxError("expected '\"' to start a member name", at: i)
                }
                let memberStart = i
                let (nameEnd, nameHasEscapes) = try scanner.skipString(from: i)
                let rawName = UnsafeBufferPointer(start: text + memberStart + 1, count: nameEnd - memberStart - 2)
                i = scanner.skipWhitespace(from: nameEnd)
                guard text[i] == UInt8(ascii: ":") else {
                    throw JSONSyntaxError("expected ':' after the member name", at: i)
                }
                i = scanner.skipWhitespace(from: i + 1)
                let member = Member(
                    start: memberStart, rawName: rawName, decodedName: nameHasEscapes ? JSONValue.unescape(rawName) : nil,
                    value: i)
                memberCount += 1
                isHeaderShaped = memberCount == 1 && text[i] == UInt8(ascii: "{") && member.nameIs("ae".utf8)
                i = scanner.skipWhitespace(from: try take(member))
                if text[i] == UInt8(ascii: "}") { break }
                guard text[i] == UInt8(ascii: ",") else { throw JSONSyntaxError("expected ',' or '}'", at: i) }
                i = scanner.skipWhitespace(from: i + 1)
            }
        }
        if memberCount == 1 && isHeaderShaped {
            throw JSONSyntaxError("header record in the middle of the stream", at: 0)
        }
        return i + 1
    }

    /// Skips a member's value and adds the member to the row's pass-through
    /// text, unless the caller writes a field of its name itself.
    private func passThrough(_ member: Member, _ scanner: JSONScanner, into batch: inout RowBatch) throws(JSONSyntaxError) -> Int {
        let end = try scanner.skipValue(from: member.value, openContainers: &openContainers)
        if !droppedFieldNames.contains(where: member.nameIs) {
            batch.appendPassThroughMember(UnsafeBufferPointer(start: scanner.text + member.start, count: end - member.start))
        }
        return end
    }

    /// Reads the members of an object row: the vector into `values`, every
    /// other member into the batch's pass-through text.
    private func readObject(
        _ scanner: JSONScanner, at open: Int, into batch: inout RowBatch
    ) throws(JSONSyntaxError) -> (end: Int, count: Int) {
        var vectorCount: Int?
        let end = try forEachMember(scanner, at: open) { member throws(JSONSyntaxError) in
            guard member.nameIs(fieldName) else { return try passThrough(member, scanner, into: &batch) }
            guard vectorCount == nil else { throw JSONSyntaxError("duplicate field \"\(field)\"", at: member.start) }
            guard scanner.text[member.value] == UInt8(ascii: "[") else {
                throw JSONSyntaxError("field \"\(field)\" is not an array of numbers", at: member.value)
            }
            let (end, count) = try readVector(scanner.text, at: member.value, lineLength: scanner.count)
            vectorCount = count
            return end
        }
        guard let vectorCount else { throw JSONSyntaxError("no field \"\(field)\" in this row", at: 0) }
        return (end, vectorCount)
    }

    /// Decides, at the first object row, where object rows hold their
    /// vector: in `field`, or, when the row has no `field` and the features'
    /// names are known or may be taken from it, one member per feature.
    private func chooseObjectLayout(_ scanner: JSONScanner, at open: Int) throws(JSONSyntaxError) {
        guard expected?.names != nil || selection.columns != nil || selection.namesFromObjects else { return }
        var members: [(name: String, isNumber: Bool)] = []
        _ = try forEachMember(scanner, at: open) { member throws(JSONSyntaxError) in
            members.append((member.withName { String(decoding: $0, as: UTF8.self) }, Self.startsNumber(scanner.text[member.value])))
            return try scanner.skipValue(from: member.value, openContainers: &openContainers)
        }
        guard !members.contains(where: { $0.name == field }) else { return }
        let chosen: [String]
        do throws(FeatureChoiceError) {
            chosen = try selection.features(
                among: members.map(\.name), isNumeric: { members[$0].isNumber }, expected: expected, kind: "member")
        } catch {
            throw JSONSyntaxError(error.message, at: 0)
        }
        namedFeatures = FeatureNameTable(chosen)
        featureStamps = Array(repeating: 0, count: chosen.count)
        while valuesCapacity < chosen.count { _ = growValues() }
    }

    private static func startsNumber(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") <= 9
    }

    /// Reads an object row that holds one member per feature: those members
    /// into `values` at their feature's place, every other member into the
    /// batch's pass-through text.
    private func readNamedObject(
        _ scanner: JSONScanner, at open: Int, features: FeatureNameTable, into batch: inout RowBatch
    ) throws(JSONSyntaxError) -> (end: Int, count: Int) {
        let text = scanner.text
        rowStamp &+= 1
        if rowStamp == 0 {
            featureStamps = Array(repeating: 0, count: features.count)
            rowStamp = 1
        }
        var found = 0
        let end = try forEachMember(scanner, at: open) { member throws(JSONSyntaxError) in
            guard let feature = member.withName(features.index(of:)) else { return try passThrough(member, scanner, into: &batch) }
            let name = JSONValue.string(features.names[feature]).text
            guard featureStamps[feature] != rowStamp else { throw JSONSyntaxError("duplicate member \(name)", at: member.start) }
            featureStamps[feature] = rowStamp
            found += 1
            var i = member.value
            if Self.startsNumber(text[i]) {
                values[feature] = try JSONFloatParser.parse(text, at: &i)
            } else if text[i] == UInt8(ascii: "n"), selection.missing == .zero {
                i = try scanner.skipValue(from: i, openContainers: &openContainers)
                values[feature] = 0
            } else if text[i] == UInt8(ascii: "n") {
                throw JSONSyntaxError("member \(name) is null (a missing value); --missing zero reads it as 0", at: i)
            } else {
                throw JSONSyntaxError("member \(name) is not a number", at: i)
            }
            return i
        }
        if found < features.count, let missing = featureStamps.firstIndex(where: { $0 != rowStamp }) {
            throw JSONSyntaxError("no member \(JSONValue.string(features.names[missing]).text) in this row", at: 0)
        }
        return (end, features.count)
    }

    /// "0,0,0,0," read as one little-endian word.
    private static let fourZeros = UInt64(littleEndian: 0x2C30_2C30_2C30_2C30)

    /// Reads `[n, n, ...]` at `open` into `values` and checks its length.
    @inline(__always)
    private func readVector(
        _ text: UnsafePointer<UInt8>, at open: Int, lineLength: Int
    ) throws(JSONSyntaxError) -> (end: Int, count: Int) {
        var i = open + 1
        while JSONScanner.isWhitespace(text[i]) { i += 1 }
        var count = 0
        if text[i] != UInt8(ascii: "]") {
            var output = values
            while true {
                // Sparse data (images, counts, one-hot columns) holds long
                // runs of zeros: "0,0,0,0," is taken eight bytes at a time.
                if i + 8 <= lineLength && count + 4 <= valuesCapacity
                    && UnsafeRawPointer(text + i).loadUnaligned(as: UInt64.self) == Self.fourZeros {
                    repeat {
                        (output + count).update(repeating: 0, count: 4)
                        count += 4
                        i += 8
                    } while i + 8 <= lineLength && count + 4 <= valuesCapacity
                        && UnsafeRawPointer(text + i).loadUnaligned(as: UInt64.self) == Self.fourZeros
                    while JSONScanner.isWhitespace(text[i]) { i += 1 }
                }
                if count == valuesCapacity { output = growValues() }
                output[count] = try JSONFloatParser.parse(text, at: &i)
                count += 1
                while JSONScanner.isWhitespace(text[i]) { i += 1 }
                if text[i] == UInt8(ascii: ",") {
                    i += 1
                    while JSONScanner.isWhitespace(text[i]) { i += 1 }
                    continue
                }
                if text[i] == UInt8(ascii: "]") { break }
                throw JSONSyntaxError("expected ',' or ']'", at: i)
            }
        }
        try checkWidth(count, at: open)
        return (i + 1, count)
    }

    private func checkWidth(_ count: Int, at open: Int) throws(JSONSyntaxError) {
        if let required = expected?.width ?? width {
            guard count != required else { return }
            let reason = expected.map { "\($0.expectedBy) expects \($0.width)" } ?? "the first row has \(required)"
            throw JSONSyntaxError("row has \(count) \(count == 1 ? "value" : "values"); \(reason)", at: open)
        }
        if count == 0 { throw JSONSyntaxError("row has no values", at: open) }
    }

    private func growValues() -> UnsafeMutablePointer<Float> {
        let grown = UnsafeMutablePointer<Float>.allocate(capacity: valuesCapacity * 2)
        grown.moveInitialize(from: values, count: valuesCapacity)
        values.deallocate()
        values = grown
        valuesCapacity *= 2
        return grown
    }
}
