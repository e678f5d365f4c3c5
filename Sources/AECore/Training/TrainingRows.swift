/// Normalised rows for training, handed out batch by batch.
///
/// Training needs each epoch's rows in a fresh random order. Rows in memory
/// are shuffled whole; rows of an HDF5 file larger than memory are shuffled
/// across blocks and within a bounded buffer (`HDF5TrainingRows`).
public protocol TrainingRows: AnyObject {
    var count: Int { get }
    var width: Int { get }

    /// Calls `body` with the batches of one epoch (`size` rows each, the last
    /// possibly fewer), in an order drawn from `generator`.
    func forEachShuffledBatch(
        size: Int, generator: inout SeededGenerator, _ body: (UnsafePointer<Float>, Int) throws -> Void
    ) throws

    /// Calls `body` with every row once, in stored order, in blocks of at
    /// most `size` rows (for evaluation and scoring).
    func forEachBlock(size: Int, _ body: (UnsafePointer<Float>, Int) throws -> Void) throws

    /// At most `limit` rows spread evenly over all of them (row i·count/n of
    /// n), for scoring a bounded sample of a large training set.
    func evenlySpacedRows(_ limit: Int) throws -> Matrix
}

extension TrainingRows {
    /// The positions `evenlySpacedRows(limit)` takes, in order.
    public func evenlySpacedPositions(_ limit: Int) -> [Int] {
        let chosen = min(count, limit)
        return (0..<chosen).map { $0 * count / chosen }
    }
}

/// Training rows held in memory.
public final class InMemoryTrainingRows: TrainingRows {
    public let rows: Matrix
    private var batch: Matrix

    public init(_ rows: Matrix) {
        self.rows = rows
        batch = Matrix(rows: 0, cols: rows.cols)
    }

    public var count: Int { rows.rows }
    public var width: Int { rows.cols }

    public func forEachShuffledBatch(
        size: Int, generator: inout SeededGenerator, _ body: (UnsafePointer<Float>, Int) throws -> Void
    ) throws {
        let order = generator.permutation(rows.rows)
        if batch.rows != size { batch = Matrix(rows: size, cols: rows.cols) }
        for start in stride(from: 0, to: rows.rows, by: size) {
            let indices = order[start..<min(start + size, rows.rows)]
            batch.copyRows(of: rows, at: indices)
            try batch.storage.withUnsafeBufferPointer { try body($0.baseAddress!, indices.count) }
        }
    }

    public func evenlySpacedRows(_ limit: Int) throws -> Matrix {
        rows.gathering(rows: evenlySpacedPositions(limit))
    }

    public func forEachBlock(size: Int, _ body: (UnsafePointer<Float>, Int) throws -> Void) throws {
        try rows.storage.withUnsafeBufferPointer { values in
            for start in stride(from: 0, to: rows.rows, by: size) {
                try body(values.baseAddress! + start * rows.cols, min(size, rows.rows - start))
            }
        }
    }
}
