/// JSON text written straight into a `ByteWriter`'s buffer.
extension ByteWriter {
    private static let hexDigits = Array("0123456789abcdef".utf8)

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
                try write(byte: Self.hexDigits[Int(byte >> 4)])
                try write(byte: Self.hexDigits[Int(byte & 0xF)])
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
