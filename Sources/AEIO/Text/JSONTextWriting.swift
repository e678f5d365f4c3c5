import AECore

/// JSON text written straight into a `ByteWriter`'s buffer.
extension ByteWriter {
    /// Writes a finite float in its shortest round-trip form.
    @inline(__always)
    func writeJSON(_ value: Float) throws {
        try writeInPlace(maximumLength: ShortestFloatFormatter.maxLength) {
            ShortestFloatFormatter.write(value, to: $0)
        }
    }

    /// Writes `[v0,v1,...]` of finite floats.
    func writeJSONArray(_ values: ArraySlice<Float>) throws {
        try write(byte: UInt8(ascii: "["))
        try values.withUnsafeBufferPointer { values in
            for (k, value) in values.enumerated() {
                if k > 0 { try write(byte: UInt8(ascii: ",")) }
                try writeJSON(value)
            }
        }
        try write(byte: UInt8(ascii: "]"))
    }
}

/// Where JSON text goes: the output buffer of a tool, or bytes in memory
/// (`JSONValue.text`). One set of writing functions serves both.
protocol JSONTextSink: AnyObject {
    func write(byte: UInt8) throws
    func write(_ text: String) throws
}

extension ByteWriter: JSONTextSink {}

/// JSON text collected in memory.
final class JSONTextBuffer: JSONTextSink {
    var bytes: [UInt8] = []

    func write(byte: UInt8) { bytes.append(byte) }
    func write(_ text: String) { bytes.append(contentsOf: text.utf8) }
}

enum JSONTextHex {
    static let digits = Array("0123456789abcdef".utf8)
}

extension JSONTextSink {
    func writeJSON(_ value: Int) throws {
        try write(String(value))
    }

    /// Writes a quoted string, escaping what JSON requires and nothing else.
    func writeJSON(_ text: String) throws {
        try write(byte: UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): try write("\\\"")
            case UInt8(ascii: "\\"): try write("\\\\")
            case 0x0A: try write("\\n")
            case 0x0D: try write("\\r")
            case 0x09: try write("\\t")
            case 0x08: try write("\\b")
            case 0x0C: try write("\\f")
            case ..<0x20:
                try write("\\u00")
                try write(byte: JSONTextHex.digits[Int(byte >> 4)])
                try write(byte: JSONTextHex.digits[Int(byte & 0xF)])
            default: try write(byte: byte)
            }
        }
        try write(byte: UInt8(ascii: "\""))
    }

    /// Writes a whole value; numbers must be finite (see `checkFinite`).
    func writeJSON(_ value: JSONValue) throws {
        switch value {
        case .null:
            try write("null")
        case .bool(let flag):
            try write(flag ? "true" : "false")
        case .number(let number):
            var text = number.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            try write(text)
        case .string(let text):
            try writeJSON(text)
        case .array(let elements):
            try write(byte: UInt8(ascii: "["))
            for (k, element) in elements.enumerated() {
                if k > 0 { try write(byte: UInt8(ascii: ",")) }
                try writeJSON(element)
            }
            try write(byte: UInt8(ascii: "]"))
        case .object(let members):
            try write(byte: UInt8(ascii: "{"))
            for (k, member) in members.enumerated() {
                if k > 0 { try write(byte: UInt8(ascii: ",")) }
                try writeJSON(member.key)
                try write(byte: UInt8(ascii: ":"))
                try writeJSON(member.value)
            }
            try write(byte: UInt8(ascii: "}"))
        }
    }
}

extension JSONValue {
    /// The value as compact JSON text; numbers must be finite.
    public var text: String {
        let buffer = JSONTextBuffer()
        try! buffer.writeJSON(self)  // JSONTextBuffer never throws
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    /// Parses JSON text holding one value.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(bytes: text.utf8)
    }

    /// Parses JSON text, given as UTF-8 bytes, holding one value.
    public static func parse(bytes text: some Collection<UInt8>) throws -> JSONValue {
        var bytes = Array(text)
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { buffer throws(AEError) -> JSONValue in
            let scanner = JSONScanner(text: buffer.baseAddress!, count: buffer.count - 1)
            do {
                var index = scanner.skipWhitespace(from: 0)
                let value = try parse(scanner, at: &index)
                index = scanner.skipWhitespace(from: index)
                guard index == buffer.count - 1 else { throw JSONSyntaxError("unexpected text after the value", at: index) }
                return value
            } catch let error as JSONSyntaxError {
                throw AEError("\(error.message) at offset \(error.offset)")
            } catch {
                throw AEError("\(error)")
            }
        }
    }
}
