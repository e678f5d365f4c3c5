import AECore
import AEIO

/// What ae-interp makes: paths between input codes, traversals around them,
/// or codes it generates without input (a manifold grid, prior samples).
///
/// Object rows in give object rows out: the code in the field it was read
/// from, with members that say where each row sits (documented per case).
/// Array rows in give bare array rows out, and generated codes are bare
/// arrays, their place given by the order alone.
public enum LatentWalk: Sendable {
    /// Rows `path`, `step`, `t`, `from`, `to`: `steps` codes per path, both
    /// endpoints included; `from` and `to` hold the endpoint rows' other
    /// members when they have any.
    case paths(PathPairing.Kind, InterpolationMethod, steps: Int)
    /// Rows keep the input row's members and add `dim` and `value`.
    case traversal(dimensions: [Int]?, low: Float, high: Float, steps: Int)
    case grid(horizontal: Int, vertical: Int, steps: Int)
    case prior(count: Int, temperature: Float, seed: UInt64)

    /// Input members the output writes itself, left out of what passes through.
    public var writtenMembers: [String] {
        if case .traversal = self { return ["dim", "value"] }
        return []
    }

    /// Whether the walk transforms input codes (else it generates codes).
    public var readsInput: Bool {
        switch self {
        case .paths, .traversal: true
        case .grid, .prior: false
        }
    }

    /// Images per grid row that put one path, one sweep or one grid row of
    /// the walk on each row of ae-decode's PNG; nil for prior samples.
    public var gridColumns: Int? {
        switch self {
        case .paths(_, _, let steps), .traversal(_, _, _, let steps), .grid(_, _, let steps): steps
        case .prior: nil
        }
    }

    /// Writes the rows made from `input`'s codes (read from `field`) to `output`.
    public func transform(_ input: RowInput, field: String, to output: RowOutput, batchSize: Int) throws {
        var pairing: PathPairing?
        if case .paths(let kind, _, _) = self { pairing = PathPairing(kind) }
        var traversal: LatentTraversal?
        var batch = RowBatch()
        while try input.readBatch(into: &batch, capacity: batchSize) > 0 {
            let objects = input.shape == .object
            for row in 0..<batch.count {
                switch self {
                case .paths(_, let method, let steps):
                    guard let (start, end) = pairing!.add(row: row, of: batch) else { continue }
                    let codes = method.path(from: start.code[...], to: end.code[...], steps: steps)
                    let path = pairing!.pathCount - 1
                    try Self.writePath(codes, number: path, from: start, to: end, field: field, objects: objects, to: output)
                case .traversal(let dimensions, let low, let high, let steps):
                    if traversal == nil {
                        traversal = try LatentTraversal(
                            dimensions: dimensions, width: batch.vectors.cols, low: low, high: high, steps: steps)
                    }
                    try Self.writeTraversal(traversal!, around: row, of: batch, field: field, objects: objects, to: output)
                case .grid, .prior:
                    preconditionFailure("\(self) reads no input")
                }
            }
            batch.removeAll()
        }
        try pairing?.finish(source: input.source)
    }

    /// Writes the generated codes of `width` values to `output` as arrays.
    public func generate(width: Int, to output: RowOutput, batchSize: Int) throws {
        switch self {
        case .grid(let horizontal, let vertical, let steps):
            let grid = try ManifoldGrid(horizontal: horizontal, vertical: vertical, width: width, steps: steps)
            for start in stride(from: 0, to: grid.count, by: batchSize) {
                let codes = grid.codes(start..<min(start + batchSize, grid.count))
                try output.write(OutputColumns(rows: codes.rows, columns: [("z", .vectors(codes))]), asArrays: true)
            }
        case .prior(let count, let temperature, let seed):
            var sampler = PriorSampler(width: width, temperature: temperature, seed: seed)
            for start in stride(from: 0, to: count, by: batchSize) {
                let codes = sampler.draw(min(batchSize, count - start))
                try output.write(OutputColumns(rows: codes.rows, columns: [("z", .vectors(codes))]), asArrays: true)
            }
        case .paths, .traversal:
            preconditionFailure("\(self) needs input")
        }
    }

    private static func writePath(
        _ codes: Matrix, number: Int, from start: PathPairing.Endpoint, to end: PathPairing.Endpoint,
        field: String, objects: Bool, to output: RowOutput
    ) throws {
        var columns: [(name: String, values: OutputColumns.Values)] = []
        if objects {
            let steps = codes.rows
            columns = [
                ("path", .integers(Array(repeating: number, count: steps))),
                ("step", .integers(Array(0..<steps))),
                ("t", .floats((0..<steps).map { Float(InterpolationMethod.fraction(step: $0, of: steps)) })),
            ]
            if !start.members.isEmpty || !end.members.isEmpty {
                columns.append(("from", .json(Array(repeating: objectText(start.members), count: steps))))
                columns.append(("to", .json(Array(repeating: objectText(end.members), count: steps))))
            }
        }
        columns.append((field, .vectors(codes)))
        try output.write(OutputColumns(rows: codes.rows, columns: columns), asArrays: !objects)
    }

    private static func writeTraversal(
        _ traversal: LatentTraversal, around row: Int, of batch: RowBatch, field: String, objects: Bool,
        to output: RowOutput
    ) throws {
        let codes = traversal.rows(around: batch.vectors.row(row))
        guard objects else {
            return try output.write(OutputColumns(rows: codes.rows, columns: [(field, .vectors(codes))]), asArrays: true)
        }
        var carried = RowBatch()
        let members = batch.passThrough(row: row)
        for k in 0..<codes.rows {
            carried.appendRow(codes.row(k), passThrough: members, lineNumber: batch.lineNumbers[row])
        }
        let settings = (0..<codes.rows).map(traversal.setting(ofRow:))
        let columns: [(name: String, values: OutputColumns.Values)] = [
            ("dim", .integers(settings.map(\.dimension))),
            ("value", .floats(settings.map(\.value))),
            (field, .vectors(codes)),
        ]
        try output.write(OutputColumns(rows: codes.rows, columns: columns), passThrough: carried, asArrays: false)
    }

    /// `{members}`: a row's pass-through text as a JSON object.
    private static func objectText(_ members: [UInt8]) -> String {
        "{" + String(decoding: members, as: UTF8.self) + "}"
    }
}
