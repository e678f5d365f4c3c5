import AECore

/// Rows read from a stream, in the shape the models consume them.
///
/// The vectors go into one matrix; every other member of an object row stays
/// raw JSON text in one flat byte buffer with an end offset per row, so a
/// batch costs a few growing arrays, not an allocation per row. The line
/// numbers let later stages (such as a NaN check) point at the input line.
public struct RowBatch {
    /// One row per input row, in input order.
    public internal(set) var vectors = Matrix(rows: 0, cols: 0)
    /// The 1-based input line of each row.
    public internal(set) var lineNumbers: [Int] = []
    /// The name of the file the rows come from, for messages about them.
    public internal(set) var source = "<stdin>"
    /// The pass-through members of all rows, back to back.
    private(set) var passThroughBytes: [UInt8] = []
    /// Where each row's pass-through members end in `passThroughBytes`.
    private(set) var passThroughEnds: [Int] = []

    public init() {}

    public var count: Int { lineNumbers.count }

    /// The members of object row `row` other than the vector, as raw JSON
    /// text separated by commas (`"id":3,"label":"seven"`), ready to be
    /// written between braces; empty for array rows.
    public func passThrough(row: Int) -> ArraySlice<UInt8> {
        let start = row == 0 ? 0 : passThroughEnds[row - 1]
        return passThroughBytes[start..<passThroughEnds[row]]
    }

    /// Empties the batch for reuse, keeping its width and capacity.
    public mutating func removeAll() {
        vectors.resize(rows: 0)
        lineNumbers.removeAll(keepingCapacity: true)
        passThroughBytes.removeAll(keepingCapacity: true)
        passThroughEnds.removeAll(keepingCapacity: true)
    }

    /// Keeps the first `count` rows and drops the rest, for a consumer that
    /// finds a problem in a row and delivers only the rows in front of it.
    public mutating func keepFirst(_ count: Int) {
        precondition(count >= 0 && count <= self.count, "cannot keep \(count) of \(self.count) rows")
        vectors.resize(rows: count)
        lineNumbers.removeLast(lineNumbers.count - count)
        passThroughEnds.removeLast(passThroughEnds.count - count)
        passThroughBytes.removeLast(passThroughBytes.count - (passThroughEnds.last ?? 0))
    }

    // MARK: Filling (the reader's side)

    /// Makes room for `rows` rows of the current width, so a batch filled
    /// row by row grows its storage once instead of doubling its way up
    /// (copying the rows each time).
    mutating func reserveCapacity(rows: Int) {
        vectors.storage.reserveCapacity(rows * vectors.cols)
        lineNumbers.reserveCapacity(rows)
        passThroughEnds.reserveCapacity(rows)
    }

    /// Adds one pass-through member to the row being read.
    mutating func appendPassThroughMember(_ member: UnsafeBufferPointer<UInt8>) {
        if passThroughBytes.count > (passThroughEnds.last ?? 0) {
            passThroughBytes.append(UInt8(ascii: ","))
        }
        passThroughBytes.append(contentsOf: member)
    }

    /// Adds a member made from a CSV cell: `name` is its JSON text with the
    /// colon (`"id":`); the cell becomes a number when `isNumber` (its text
    /// is a JSON number), `null` when empty, else a string, with each doubled
    /// quote of a quoted cell made single when `doubledQuotes`. Bytes that
    /// JSON needs escaped are; others (invalid UTF-8 too) are copied.
    mutating func appendPassThroughCell(
        name: UnsafeBufferPointer<UInt8>, _ cell: UnsafeBufferPointer<UInt8>, isNumber: Bool, doubledQuotes: Bool
    ) {
        if passThroughBytes.count > (passThroughEnds.last ?? 0) {
            passThroughBytes.append(UInt8(ascii: ","))
        }
        passThroughBytes.append(contentsOf: name)
        if isNumber {
            passThroughBytes.append(contentsOf: cell)
            return
        }
        if cell.isEmpty {
            passThroughBytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
            return
        }
        passThroughBytes.append(UInt8(ascii: "\""))
        var k = 0
        while k < cell.count {
            let byte = cell[k]
            k += 1
            switch byte {
            case UInt8(ascii: "\""):
                if doubledQuotes { k += 1 }
                passThroughBytes.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "\\"):
                passThroughBytes.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "\n"):
                passThroughBytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"):
                passThroughBytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"):
                passThroughBytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                passThroughBytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default:
                passThroughBytes.append(byte)
            }
        }
        passThroughBytes.append(UInt8(ascii: "\""))
    }

    /// Forgets the members of a row that turned out to be bad.
    mutating func discardUnfinishedRow() {
        passThroughBytes.removeSubrange((passThroughEnds.last ?? 0)...)
    }

    /// Completes the row being read with its vector.
    mutating func finishRow(vector: UnsafePointer<Float>, width: Int, lineNumber: Int) {
        if vectors.cols != width {
            precondition(count == 0, "a batch holds rows of one width")
            vectors = Matrix(rows: 0, cols: width)
        }
        vectors.append(rows: UnsafeBufferPointer(start: vector, count: width))
        lineNumbers.append(lineNumber)
        passThroughEnds.append(passThroughBytes.count)
    }

    /// Appends a finished row: `vector` and the raw pass-through text of
    /// another row (as `passThrough(row:)` gives it), for outputs that make
    /// several rows from one input row.
    public mutating func appendRow(_ vector: ArraySlice<Float>, passThrough members: ArraySlice<UInt8>, lineNumber: Int) {
        passThroughBytes.append(contentsOf: members)
        vector.withContiguousStorageIfAvailable { finishRow(vector: $0.baseAddress!, width: $0.count, lineNumber: lineNumber) }!
    }

    /// Appends `rows` rows of `width` values that carry nothing to pass
    /// through (HDF5 input), numbered from `firstNumber`; `fill` writes their
    /// values straight into the batch.
    public mutating func appendRows(
        _ rows: Int, width: Int, firstNumber: Int, fill: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows {
        if vectors.cols != width {
            precondition(count == 0, "a batch holds rows of one width")
            vectors = Matrix(rows: 0, cols: width)
        }
        try vectors.append(rowCount: rows, writing: fill)
        lineNumbers.append(contentsOf: firstNumber..<(firstNumber + rows))
        passThroughEnds.append(contentsOf: repeatElement(passThroughBytes.count, count: rows))
    }

    /// Appends the rows of `other` after these.
    mutating func append(contentsOf other: RowBatch) {
        guard other.count > 0 else { return }
        if count == 0 {
            self = other
            return
        }
        precondition(other.vectors.cols == vectors.cols, "a batch holds rows of one width")
        let offset = passThroughBytes.count
        vectors.append(other.vectors)
        lineNumbers += other.lineNumbers
        passThroughBytes += other.passThroughBytes
        passThroughEnds += other.passThroughEnds.map { $0 + offset }
    }
}
