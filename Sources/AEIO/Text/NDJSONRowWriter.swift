import AECore

/// A value the caller adds to an output object row under a name of its own.
public enum NDJSONFieldValue {
    case float(Float)
    case bool(Bool)
    case int(Int)
    case string(String)
    case floats(ArraySlice<Float>)
    /// JSON text written as given; the caller vouches for its syntax.
    case rawJSON(String)
}

/// Writes NDJSON rows and the header record to a `ByteWriter`.
///
/// Arrays in, arrays out; objects in, objects out: the caller picks
/// `writeArrayRow` or `writeObjectRow` from the reader's `shape`. Numbers are
/// written in their shortest round-trip form. NaN and infinity have no JSON
/// spelling, so a row holding one is refused with an `AEError` before any of
/// it is written, and the output stays a clean sequence of whole rows.
public final class NDJSONRowWriter {
    private let output: ByteWriter
    private var linesWritten = 0

    public init(output: ByteWriter) {
        self.output = output
    }

    /// Writes `{"ae": <content>}`.
    public func writeHeader(_ content: JSONValue) throws {
        try checkFinite(content)
        try output.write("{\"ae\":")
        try output.writeJSON(content)
        try endLine(closing: UInt8(ascii: "}"))
    }

    /// Writes `[v0,v1,...]`.
    public func writeArrayRow(_ values: ArraySlice<Float>) throws {
        try checkFinite(values)
        try output.writeJSONArray(values)
        try output.write(byte: UInt8(ascii: "\n"))
        linesWritten += 1
    }

    /// Writes `{<passThrough>,"name":value,...}` with the fields in the order
    /// given. `passThrough` is a row's `RowBatch.passThrough(row:)` (or empty).
    public func writeObjectRow(passThrough: ArraySlice<UInt8>, fields: [(name: String, value: NDJSONFieldValue)]) throws {
        for field in fields {
            switch field.value {
            case .float(let value): try checkFinite(CollectionOfOne(value))
            case .floats(let values): try checkFinite(values)
            case .bool, .int, .string, .rawJSON: break
            }
        }
        try output.write(byte: UInt8(ascii: "{"))
        try passThrough.withUnsafeBytes { try output.write($0) }
        for (k, field) in fields.enumerated() {
            if k > 0 || !passThrough.isEmpty { try output.write(byte: UInt8(ascii: ",")) }
            try output.writeJSON(field.name)
            try output.write(byte: UInt8(ascii: ":"))
            switch field.value {
            case .float(let value): try output.writeJSON(value)
            case .bool(let flag): try output.write(flag ? "true" : "false")
            case .int(let value): try output.writeJSON(value)
            case .string(let text): try output.writeJSON(text)
            case .floats(let values): try output.writeJSONArray(values)
            case .rawJSON(let text): try output.write(text)
            }
        }
        try endLine(closing: UInt8(ascii: "}"))
    }

    /// Writes a batch: objects (the rows' `passThrough` members first, then
    /// the columns) unless `asArrays` is set and there is a single vector
    /// column, which is then written as bare arrays.
    public func write(_ output: OutputColumns, passThrough: RowBatch?, asArrays: Bool) throws {
        if asArrays, output.columns.count == 1, case .vectors(let matrix) = output.columns[0].values {
            for row in 0..<output.rows { try writeArrayRow(matrix.row(row)) }
            return
        }
        for row in 0..<output.rows {
            let fields = output.columns.map { column -> (name: String, value: NDJSONFieldValue) in
                switch column.values {
                case .vectors(let matrix): return (column.name, .floats(matrix.row(row)))
                case .floats(let values): return (column.name, .float(values[row]))
                case .flags(let values): return (column.name, .bool(values[row]))
                case .integers(let values): return (column.name, .int(values[row]))
                case .integerVectors(let columns, let values):
                    let items = values[(row * columns)..<((row + 1) * columns)].map(String.init)
                    return (column.name, .rawJSON("[" + items.joined(separator: ",") + "]"))
                case .strings(let values): return (column.name, .string(values[row]))
                case .json(let values): return (column.name, .rawJSON(values[row]))
                }
            }
            try writeObjectRow(passThrough: passThrough?.passThrough(row: row) ?? [], fields: fields)
        }
    }

    private func endLine(closing: UInt8) throws {
        try output.write(byte: closing)
        try output.write(byte: UInt8(ascii: "\n"))
        linesWritten += 1
    }

    private func checkFinite(_ values: some Collection<Float>) throws {
        if let bad = values.first(where: { !$0.isFinite }) { throw nonFinite(bad) }
    }

    private func checkFinite(_ value: JSONValue) throws {
        switch value {
        case .number(let number) where !number.isFinite: throw nonFinite(number)
        case .array(let elements): try elements.forEach(checkFinite)
        case .object(let members): try members.forEach { try checkFinite($0.value) }
        default: break
        }
    }

    private func nonFinite(_ value: some FloatingPoint) -> AEError {
        AEError("cannot write \(value): JSON has no NaN or Infinity", source: output.name, line: linesWritten + 1)
    }
}
