import AECore

/// The pass-through members of object rows (ids, labels, timestamps) as HDF5
/// datasets beside the tool's own, one 1-D dataset per member, row-aligned
/// with them and written a batch at a time.
///
/// The first row names the datasets and their types: numbers int64, or
/// float64 once a value is not an integer that fits (the values so far are
/// converted); strings variable-length UTF-8 strings; `true`/`false` uint8
/// 1/0; null, arrays and objects their JSON text as strings, and such a
/// dataset takes any value's JSON text after that. A dataset holds one type
/// and a value in every row, so a later row that lacks one of the members,
/// holds another, or holds one of another type ends the run with an error
/// naming its input line.
final class HDF5PassThroughColumns {
    private enum ColumnType {
        case integers, floats, strings, booleans, jsonText

        var storage: HDF5StorageType {
            switch self {
            case .integers: .int64
            case .floats: .float64
            case .booleans: .uint8
            case .strings, .jsonText: .utf8String
            }
        }

        var description: String {
            switch self {
            case .integers, .floats: "numbers"
            case .strings: "strings"
            case .booleans: "true/false"
            case .jsonText: "JSON text"
            }
        }
    }

    /// One member's values for the batch being written.
    private enum Pending {
        case integers([Int64])
        case floats([Double])
        case bytes([UInt8])
        case texts([[UInt8]])
    }

    private struct Column {
        var name: String
        var type: ColumnType
        var dataset: ExtendableDataset
    }

    private let file: HDF5File
    private var columns: [Column] = []
    private var columnIndex: [String: Int] = [:]
    private var started = false

    init(file: HDF5File) {
        self.file = file
    }

    /// Appends the members of `batch`'s rows. `reserved` are the names of the
    /// tool's own datasets, which a member may not take.
    func append(_ batch: RowBatch, reserved: Set<String>) throws {
        guard batch.count > 0 else { return }
        if !started {
            try createColumns(for: batch.passThroughMembers(row: 0), reserved: reserved)
            started = true
        }
        if columns.isEmpty {
            // Array rows, or objects with nothing besides the vector: no
            // member to decode, unless a row has one after all.
            guard let row = (0..<batch.count).first(where: { !batch.passThrough(row: $0).isEmpty }) else { return }
            let member = batch.passThroughMembers(row: row)[0]
            throw refusal("input line \(batch.lineNumbers[row]) has a member \"\(member.name)\" that the first row lacks")
        }
        var pending = columns.map { column -> Pending in
            switch column.type {
            case .integers: .integers([])
            case .floats: .floats([])
            case .booleans: .bytes([])
            case .strings, .jsonText: .texts([])
            }
        }
        for row in 0..<batch.count {
            let line = batch.lineNumbers[row]
            var filled = [Bool](repeating: false, count: columns.count)
            for member in batch.passThroughMembers(row: row) {
                guard let k = columnIndex[member.name] else {
                    throw refusal("input line \(line) has a member \"\(member.name)\" that the first row lacks")
                }
                guard !filled[k] else { throw refusal("input line \(line) holds member \"\(member.name)\" twice") }
                filled[k] = true
                try add(member, to: &pending[k], column: k, line: line)
            }
            if let missing = filled.firstIndex(of: false) {
                throw refusal("input line \(line) lacks member \"\(columns[missing].name)\", which the first row has")
            }
        }
        for k in columns.indices {
            if columns[k].type.storage != columns[k].dataset.storage {
                columns[k].dataset = try columns[k].dataset.converted(to: columns[k].type.storage)
            }
            try write(pending[k], to: columns[k].dataset)
        }
    }

    func close() {
        columns.forEach { $0.dataset.close() }
    }

    private func createColumns(for members: [PassThroughMember], reserved: Set<String>) throws {
        for member in members {
            guard !member.name.isEmpty, member.name != ".", !member.name.contains("/") else {
                throw refusal("member name \"\(member.name)\" cannot name an HDF5 dataset")
            }
            guard !reserved.contains(member.name), columnIndex[member.name] == nil, !file.exists(member.name) else {
                throw refusal("member \"\(member.name)\" would take the name of another dataset; rename it")
            }
            let type: ColumnType
            switch member.kind {
            case .number: type = Self.integer(member.text) != nil ? .integers : .floats
            case .string: type = .strings
            case .boolean: type = .booleans
            case .null, .container: type = .jsonText
            }
            columnIndex[member.name] = columns.count
            columns.append(Column(
                name: member.name, type: type,
                dataset: try ExtendableDataset(member.name, storage: type.storage, cols: nil, in: file)))
        }
    }

    private func add(_ member: PassThroughMember, to pending: inout Pending, column k: Int, line: Int) throws {
        let type = columns[k].type
        func mismatch() -> AEError {
            refusal("input line \(line): member \"\(member.name)\" holds \(member.text.count > 40 ? "a value" : String(decoding: member.text, as: UTF8.self)), "
                + "where the first row holds \(type.description) (an HDF5 dataset holds one type; write CSV or NDJSON instead)")
        }
        switch (type, pending) {
        case (.jsonText, .texts(var texts)):
            texts.append(Array(member.text))
            pending = .texts(texts)
        case (.strings, .texts(var texts)):
            guard member.kind == .string else { throw mismatch() }
            texts.append(member.contentBytes)
            pending = .texts(texts)
        case (.booleans, .bytes(var bytes)):
            guard member.kind == .boolean else { throw mismatch() }
            bytes.append(member.text.first == UInt8(ascii: "t") ? 1 : 0)
            pending = .bytes(bytes)
        case (.integers, .integers(var integers)):
            guard member.kind == .number else { throw mismatch() }
            if let integer = Self.integer(member.text) {
                integers.append(integer)
                pending = .integers(integers)
            } else {
                columns[k].type = .floats
                pending = .floats(integers.map(Double.init) + [try float(member, line: line)])
            }
        case (.floats, .floats(var floats)):
            guard member.kind == .number else { throw mismatch() }
            floats.append(try float(member, line: line))
            pending = .floats(floats)
        default:
            preconditionFailure("pending values do not match the column type")
        }
    }

    /// The value of an integer literal that fits in int64.
    private static func integer(_ text: ArraySlice<UInt8>) -> Int64? {
        guard !text.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) else { return nil }
        return Int64(String(decoding: text, as: UTF8.self))
    }

    private func float(_ member: PassThroughMember, line: Int) throws -> Double {
        guard let value = Double(String(decoding: member.text, as: UTF8.self)), value.isFinite else {
            throw refusal("input line \(line): member \"\(member.name)\" holds a number beyond float64")
        }
        return value
    }

    private func write(_ values: Pending, to dataset: ExtendableDataset) throws {
        switch values {
        case .integers(let values): try values.withUnsafeBytes { try dataset.append(values.count, from: $0.baseAddress) }
        case .floats(let values): try values.withUnsafeBytes { try dataset.append(values.count, from: $0.baseAddress) }
        case .bytes(let values): try values.withUnsafeBytes { try dataset.append(values.count, from: $0.baseAddress) }
        case .texts(let values): try dataset.append(strings: values)
        }
    }

    private func refusal(_ message: String) -> AEError {
        AEError(message, source: file.name)
    }
}
