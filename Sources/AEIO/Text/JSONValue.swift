#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore

/// A decoded JSON value, for the stream header record `{"ae": {...}}`.
///
/// Rows never go through this type (their numbers go straight into matrices
/// and their other members stay raw bytes); headers are small and need to be
/// read and extended, which is what this is for. Object members keep their
/// order so a header passed along a pipeline reads the same.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// An object's member (the first one if the name repeats); nil for other
    /// values. Setting replaces the member in place or appends it; setting nil
    /// removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members.first { $0.key == key }?.value
        }
        set {
            guard case .object(var members) = self else {
                preconditionFailure("JSONValue member set on a non-object")
            }
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                }
            } else if let newValue {
                members.append((key, newValue))
            }
            self = .object(members)
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}

// MARK: Reading

extension JSONValue {
    /// Deep enough for any header; keeps the recursive parser off the end of
    /// the stack.
    static let maximumDepth = 100

    /// Parses the value at `index` (no leading whitespace) and moves `index`
    /// past it.
    static func parse(_ scanner: JSONScanner, at index: inout Int, depth: Int = 0) throws(JSONSyntaxError) -> JSONValue {
        let text = scanner.text
        let start = index
        switch text[start] {
        case UInt8(ascii: "\""):
            return .string(try parseString(scanner, at: &index))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            index = try scanner.skipNumber(from: start)
            let value = parseDouble(text + start, length: index - start)
            guard value.isFinite else { throw JSONSyntaxError("number out of range", at: start) }
            return .number(value)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard depth < maximumDepth else { throw JSONSyntaxError("nesting too deep", at: start) }
            return try parseContainer(scanner, at: &index, depth: depth)
        default:
            var openContainers: [Bool] = []
            index = try scanner.skipValue(from: start, openContainers: &openContainers)
            switch text[start] {
            case UInt8(ascii: "t"): return .bool(true)
            case UInt8(ascii: "f"): return .bool(false)
            default: return .null
            }
        }
    }

    private static func parseContainer(_ scanner: JSONScanner, at index: inout Int, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        let text = scanner.text
        let isObject = text[index] == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        index = scanner.skipWhitespace(from: index + 1)
        if text[index] == close {
            index += 1
            return isObject ? .object([]) : .array([])
        }
        while true {
            if isObject {
                guard text[index] == UInt8(ascii: "\"") else {
                    throw JSONSyntaxError("expected '\"' to start a member name", at: index)
                }
                let key = try parseString(scanner, at: &index)
                index = scanner.skipWhitespace(from: index)
                guard text[index] == UInt8(ascii: ":") else {
                    throw JSONSyntaxError("expected ':' after the member name", at: index)
                }
                index = scanner.skipWhitespace(from: index + 1)
                members.append((key, try parse(scanner, at: &index, depth: depth + 1)))
            } else {
                elements.append(try parse(scanner, at: &index, depth: depth + 1))
            }
            index = scanner.skipWhitespace(from: index)
            if text[index] == close {
                index += 1
                return isObject ? .object(members) : .array(elements)
            }
            guard text[index] == UInt8(ascii: ",") else {
                throw JSONSyntaxError(isObject ? "expected ',' or '}'" : "expected ',' or ']'", at: index)
            }
            index = scanner.skipWhitespace(from: index + 1)
        }
    }

    /// Decodes the string whose opening quote is at `index`.
    static func parseString(_ scanner: JSONScanner, at index: inout Int) throws(JSONSyntaxError) -> String {
        let (end, hasEscapes) = try scanner.skipString(from: index)
        let body = UnsafeBufferPointer(start: scanner.text + index + 1, count: end - index - 2)
        index = end
        return hasEscapes ? String(decoding: unescape(body), as: UTF8.self) : String(decoding: body, as: UTF8.self)
    }

    /// The UTF-8 bytes of a string body that `JSONScanner.skipString` has
    /// already validated. Unpaired surrogates become U+FFFD.
    static func unescape(_ body: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count)
        var i = 0
        func hexQuad(at k: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 4 | JSONScanner.hexValue(body[k + $1])! }
        }
        while i < body.count {
            let byte = body[i]
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                i += 1
                continue
            }
            let escaped = body[i + 1]
            i += 2
            switch escaped {
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexQuad(at: i)
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= body.count,
                   body[i] == UInt8(ascii: "\\"), body[i + 1] == UInt8(ascii: "u") {
                    let low = hexQuad(at: i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                bytes.append(contentsOf: String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
            default: bytes.append(escaped)
            }
        }
        return bytes
    }

    private static func parseDouble(_ number: UnsafePointer<UInt8>, length: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { copy in
            let base = copy.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: number, byteCount: length)
            base[length] = 0
            return strtod(base, nil)
        }
    }
}
