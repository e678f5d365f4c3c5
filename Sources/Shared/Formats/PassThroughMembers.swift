/// Reading one named member back out of a row's pass-through text, for
/// values a tool needs besides the vector (ae-score's `--label`).
extension RowBatch {
    /// The decoded value of object row `row`'s pass-through member `name`;
    /// nil when the row has no such member. The reader has already checked
    /// the text's syntax, so scanning it cannot fail.
    public func passThroughMember(_ name: String, row: Int) -> JSONValue? {
        var text = Array(passThrough(row: row))
        text.append(0)
        return text.withUnsafeBufferPointer { buffer -> JSONValue? in
            let scanner = JSONScanner(text: buffer.baseAddress!, count: buffer.count - 1)
            var openContainers: [Bool] = []
            var index = scanner.skipWhitespace(from: 0)
            while index < scanner.count {
                guard let key = try? JSONValue.parseString(scanner, at: &index) else { return nil }
                index = scanner.skipWhitespace(from: scanner.skipWhitespace(from: index) + 1)
                if key == name { return try? JSONValue.parse(scanner, at: &index) }
                guard let end = try? scanner.skipValue(from: index, openContainers: &openContainers) else { return nil }
                index = scanner.skipWhitespace(from: end)
                if buffer[index] == UInt8(ascii: ",") { index = scanner.skipWhitespace(from: index + 1) }
            }
            return nil
        }
    }
}
