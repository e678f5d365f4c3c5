import AECore

/// Writes rows as CSV or TSV, for pandas, spreadsheets and databases: a
/// header line naming the columns, then one line per row.
///
/// Fields are quoted as RFC 4180 says: a field holding the delimiter, a
/// quote or a line break is put in double quotes, its quotes doubled; lines
/// end in `\n`. The stream header record has no place in a table and is not
/// written.
///
/// The pass-through members of the first row are the first columns, in its
/// order: strings as their content, numbers as the input wrote them, `true`
/// and `false` as such, null as an empty cell, arrays and objects as their
/// JSON text. A later row without one of them leaves that cell empty; a
/// later row with a member the first row lacks is an error, since a table
/// has one set of columns. Then come the tool's columns: a vector column `z`
/// as `z0,z1,…` (or the names in `elementNames`), numbers in their shortest
/// round-trip form, flags as `true`/`false`.
public final class CSVRowWriter {
    private let output: ByteWriter
    private let delimiter: UInt8
    /// Names for the entries of vector columns, by column name (such as the
    /// model's feature names for `x`); `name0, name1, …` without them.
    public var elementNames: [String: [String]] = [:]
    /// The pass-through columns by name, fixed by the first row; nil until
    /// the header line is written.
    private var passThroughColumns: [String: Int]?
    private var passThroughCount = 0

    public init(output: ByteWriter, delimiter: UInt8) {
        self.output = output
        self.delimiter = delimiter
    }

    /// Writes the rows of `columns`, each after its pass-through members from
    /// `passThrough`; the first call writes the header line.
    public func write(_ columns: OutputColumns, passThrough: RowBatch?) throws {
        guard columns.rows > 0 else { return }
        if passThroughColumns == nil { try writeHeader(columns, firstRow: passThrough?.passThroughMembers(row: 0) ?? []) }
        for row in 0..<columns.rows {
            try checkFinite(columns, row: row)
            var cells = [PassThroughMember?](repeating: nil, count: passThroughCount)
            for member in passThrough?.passThroughMembers(row: row) ?? [] {
                guard let column = passThroughColumns![member.name] else {
                    throw AEError(
                        "input line \(passThrough!.lineNumbers[row]) has a member \"\(member.name)\" that the first row lacks; "
                            + "CSV columns come from the first row's members", source: output.name)
                }
                guard cells[column] == nil else {
                    throw AEError(
                        "input line \(passThrough!.lineNumbers[row]) holds member \"\(member.name)\" twice", source: output.name)
                }
                cells[column] = member
            }
            var first = true
            for cell in cells {
                try separate(&first)
                if let cell { try writeCell(cell) }
            }
            for column in columns.columns {
                try writeValues(of: column.values, row: row, first: &first)
            }
            try output.write(byte: UInt8(ascii: "\n"))
        }
    }

    private func writeHeader(_ columns: OutputColumns, firstRow members: [PassThroughMember]) throws {
        var names = members.map(\.name)
        for (name, values) in columns.columns {
            switch values {
            case .vectors(let matrix):
                let given = elementNames[name]
                precondition(given.map { $0.count == matrix.cols } ?? true, "one name per entry of column \(name)")
                names += given ?? (0..<matrix.cols).map { name + String($0) }
            case .integerVectors(let count, _):
                names += (0..<count).map { name + String($0) }
            case .floats, .flags, .integers, .strings, .json:
                names.append(name)
            }
        }
        var seen = Set<String>()
        if let repeated = names.first(where: { !seen.insert($0).inserted }) {
            throw AEError("two columns would be named \"\(repeated)\"; rename the input's member", source: output.name)
        }
        passThroughCount = members.count
        passThroughColumns = Dictionary(members.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (k, name) in names.enumerated() {
            if k > 0 { try output.write(byte: delimiter) }
            try writeField(Array(name.utf8))
        }
        try output.write(byte: UInt8(ascii: "\n"))
    }

    private func writeCell(_ member: PassThroughMember) throws {
        switch member.kind {
        case .null: return
        case .number, .boolean: try member.text.withUnsafeBytes { try output.write($0) }
        case .string, .container: try writeField(member.contentBytes)
        }
    }

    private func writeValues(of values: OutputColumns.Values, row: Int, first: inout Bool) throws {
        switch values {
        case .vectors(let matrix):
            for value in matrix.row(row) {
                try separate(&first)
                try output.writeJSON(value)
            }
        case .floats(let values):
            try separate(&first)
            try output.writeJSON(values[row])
        case .flags(let values):
            try separate(&first)
            try output.write(values[row] ? "true" : "false")
        case .integers(let values):
            try separate(&first)
            try output.writeJSON(values[row])
        case .integerVectors(let count, let values):
            for value in values[(row * count)..<((row + 1) * count)] {
                try separate(&first)
                try output.writeJSON(value)
            }
        case .strings(let values):
            try separate(&first)
            try writeField(Array(values[row].utf8))
        case .json(let values):
            try separate(&first)
            try writeField(Array(values[row].utf8))
        }
    }

    private func separate(_ first: inout Bool) throws {
        if !first { try output.write(byte: delimiter) }
        first = false
    }

    /// Writes `bytes` as one field, quoted when they hold the delimiter, a
    /// quote or a line break.
    private func writeField(_ bytes: [UInt8]) throws {
        let quote = UInt8(ascii: "\"")
        guard bytes.contains(where: { $0 == delimiter || $0 == quote || $0 == 0x0A || $0 == 0x0D }) else {
            return try bytes.withUnsafeBytes { try output.write($0) }
        }
        try output.write(byte: quote)
        for byte in bytes {
            if byte == quote { try output.write(byte: quote) }
            try output.write(byte: byte)
        }
        try output.write(byte: quote)
    }

    /// Refuses a row holding NaN or infinity before any of it is written.
    private func checkFinite(_ columns: OutputColumns, row: Int) throws {
        for (name, values) in columns.columns {
            let bad: Float?
            switch values {
            case .vectors(let matrix): bad = matrix.row(row).first { !$0.isFinite }
            case .floats(let values): bad = values[row].isFinite ? nil : values[row]
            case .flags, .integers, .integerVectors, .strings, .json: bad = nil
            }
            if let bad { throw AEError("cannot write \(bad) in column \(name): rows hold finite numbers only", source: output.name) }
        }
    }
}
