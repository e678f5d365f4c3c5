import AECore

/// One member of an object row other than its vector, as read: its name and
/// its value's JSON text. Tabular outputs (CSV, HDF5) turn these into
/// columns; NDJSON copies the text without looking at it.
public struct PassThroughMember {
    public enum Kind: Sendable {
        case string, number, boolean, null
        /// An array or an object.
        case container
    }

    public var name: String
    public var kind: Kind
    /// The value's JSON text exactly as the input had it.
    public var text: ArraySlice<UInt8>

    /// A string's content, unescaped (UTF-8 bytes as the input had them);
    /// for other kinds, the JSON text.
    public var contentBytes: [UInt8] {
        guard kind == .string else { return Array(text) }
        let body = text.dropFirst().dropLast()
        guard body.contains(UInt8(ascii: "\\")) else { return Array(body) }
        return body.withUnsafeBufferPointer { JSONValue.unescape($0) }
    }

    /// The decoded value.
    public var value: JSONValue? {
        try? JSONValue.parse(bytes: text)
    }
}

/// Reading the pass-through members back out of a row's text, for values a
/// tool needs besides the vector (ae-score's `--label`) and for outputs that
/// give each member a column.
extension RowBatch {
    /// The members of object row `row` in input order (empty for array rows).
    /// The reader has already checked the text's syntax, so scanning it
    /// cannot fail.
    public func passThroughMembers(row: Int) -> [PassThroughMember] {
        let members = passThrough(row: row)
        guard !members.isEmpty else { return [] }
        var text = Array(members)
        text.append(0)
        return text.withUnsafeBufferPointer { buffer -> [PassThroughMember] in
            let scanner = JSONScanner(text: buffer.baseAddress!, count: buffer.count - 1)
            var found: [PassThroughMember] = []
            var openContainers: [Bool] = []
            var index = scanner.skipWhitespace(from: 0)
            while index < scanner.count {
                guard let name = try? JSONValue.parseString(scanner, at: &index) else { break }
                index = scanner.skipWhitespace(from: scanner.skipWhitespace(from: index) + 1)
                guard let end = try? scanner.skipValue(from: index, openContainers: &openContainers) else { break }
                let start = members.startIndex + index
                found.append(PassThroughMember(
                    name: name, kind: Self.kind(startingWith: buffer[index]), text: members[start..<(start + end - index)]))
                index = scanner.skipWhitespace(from: end)
                if buffer[index] == UInt8(ascii: ",") { index = scanner.skipWhitespace(from: index + 1) }
            }
            return found
        }
    }

    /// The decoded value of object row `row`'s pass-through member `name`
    /// (the first, if the name repeats); nil when the row has no such member.
    public func passThroughMember(_ name: String, row: Int) -> JSONValue? {
        passThroughMembers(row: row).first { $0.name == name }?.value
    }

    private static func kind(startingWith byte: UInt8) -> PassThroughMember.Kind {
        switch byte {
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .boolean
        case UInt8(ascii: "n"): .null
        case UInt8(ascii: "["), UInt8(ascii: "{"): .container
        default: .number
        }
    }
}
