import AECore

/// Byte-level JSON scanning over one line: whitespace, strings and whole
/// values, validated against the grammar but not decoded.
///
/// Rows carry pass-through members (ids, labels, nested metadata) that ae only
/// copies, so checking their syntax is all the work they need. The line ends
/// in a 0 byte, which no JSON token accepts, so the loops stop there without
/// bounds checks; `count` only tells the terminator from an embedded NUL.
struct JSONScanner {
    let text: UnsafePointer<UInt8>
    let count: Int

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    @inline(__always)
    func skipWhitespace(from index: Int) -> Int {
        var i = index
        while Self.isWhitespace(text[i]) { i += 1 }
        return i
    }

    /// Checks the string whose opening quote is at `index` and returns the
    /// index after its closing quote.
    func skipString(from index: Int) throws(JSONSyntaxError) -> (end: Int, hasEscapes: Bool) {
        var i = index + 1
        var hasEscapes = false
        while true {
            let byte = text[i]
            if byte == UInt8(ascii: "\"") { return (i + 1, hasEscapes) }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                i = try skipEscape(from: i)
            } else if byte < 0x20 {
                if i == count { throw JSONSyntaxError("unterminated string", at: index) }
                throw JSONSyntaxError("control character in string", at: i)
            } else {
                i += 1
            }
        }
    }

    private func skipEscape(from backslash: Int) throws(JSONSyntaxError) -> Int {
        switch text[backslash + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return backslash + 2
        case UInt8(ascii: "u"):
            for k in 2...5 where Self.hexValue(text[backslash + k]) == nil {
                throw JSONSyntaxError("expected four hex digits after '\\u'", at: backslash + k)
            }
            return backslash + 6
        case 0 where backslash + 1 == count:
            throw JSONSyntaxError("unterminated string", at: backslash)
        default:
            throw JSONSyntaxError("invalid escape in string", at: backslash)
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Checks the number at `index` against the JSON grammar without
    /// converting it (pass-through numbers keep their text, whatever their
    /// range) and returns the index after it.
    func skipNumber(from index: Int) throws(JSONSyntaxError) -> Int {
        var i = index
        if text[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(text[i]) else { throw JSONSyntaxError("expected a number", at: index) }
        if text[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while isDigit(text[i]) { i += 1 }
        }
        if text[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(text[i]) else { throw JSONSyntaxError("expected a digit after '.'", at: i) }
            while isDigit(text[i]) { i += 1 }
        }
        if text[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") { i += 1 }
            guard isDigit(text[i]) else { throw JSONSyntaxError("expected a digit in the exponent", at: i) }
            while isDigit(text[i]) { i += 1 }
        }
        return i
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") <= 9
    }

    /// Checks one complete value (scalar, or container with everything in it)
    /// starting at `index` and returns the index after it.
    ///
    /// Containers are tracked on `openContainers` (true for an object) rather
    /// than by recursion, so no nesting depth can overflow the stack; the
    /// caller lends the array so that rows allocate nothing.
    func skipValue(from index: Int, openContainers: inout [Bool]) throws(JSONSyntaxError) -> Int {
        openContainers.removeAll(keepingCapacity: true)
        var i = index
        while true {
            // A value starts at i.
            switch text[i] {
            case UInt8(ascii: "\""):
                i = try skipString(from: i).end
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                i = try skipNumber(from: i)
            case UInt8(ascii: "t"):
                i = try skipLiteral("true", from: i)
            case UInt8(ascii: "f"):
                i = try skipLiteral("false", from: i)
            case UInt8(ascii: "n"):
                i = try skipLiteral("null", from: i)
            case UInt8(ascii: "["):
                i = skipWhitespace(from: i + 1)
                if text[i] == UInt8(ascii: "]") {
                    i += 1
                } else {
                    openContainers.append(false)
                    continue
                }
            case UInt8(ascii: "{"):
                i = skipWhitespace(from: i + 1)
                if text[i] == UInt8(ascii: "}") {
                    i += 1
                } else {
                    openContainers.append(true)
                    i = try skipMemberName(from: i)
                    continue
                }
            default:
                throw JSONSyntaxError("expected a value", at: i)
            }
            // A value ended at i: close containers until one continues.
            while let isObject = openContainers.last {
                i = skipWhitespace(from: i)
                if text[i] == UInt8(ascii: ",") {
                    i = skipWhitespace(from: i + 1)
                    if isObject { i = try skipMemberName(from: i) }
                    break
                }
                if text[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    openContainers.removeLast()
                    continue
                }
                throw JSONSyntaxError(isObject ? "expected ',' or '}'" : "expected ',' or ']'", at: i)
            }
            if openContainers.isEmpty { return i }
        }
    }

    /// Skips `"name" :` and the whitespace after it, leaving `index` at the value.
    func skipMemberName(from index: Int) throws(JSONSyntaxError) -> Int {
        guard text[index] == UInt8(ascii: "\"") else {
            throw JSONSyntaxError("expected '\"' to start a member name", at: index)
        }
        let i = skipWhitespace(from: try skipString(from: index).end)
        guard text[i] == UInt8(ascii: ":") else { throw JSONSyntaxError("expected ':' after the member name", at: i) }
        return skipWhitespace(from: i + 1)
    }

    private func skipLiteral(_ literal: StaticString, from index: Int) throws(JSONSyntaxError) -> Int {
        let bytes = literal.utf8Start
        for k in 0..<literal.utf8CodeUnitCount where text[index + k] != bytes[k] {
            throw JSONSyntaxError("expected a value", at: index)
        }
        return index + literal.utf8CodeUnitCount
    }
}
