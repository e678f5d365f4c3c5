/// A row-major matrix of Float32 over one contiguous buffer.
///
/// Rows are samples and columns are features everywhere in ae, so a batch of
/// rows is a single slice of storage that BLAS and the elementwise loops walk
/// without strides.
public struct Matrix: Equatable, Sendable {
    public private(set) var rows: Int
    public let cols: Int
    public var storage: [Float]

    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && cols >= 0, "negative matrix shape")
        self.rows = rows
        self.cols = cols
        self.storage = [Float](repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, storage: [Float]) {
        precondition(storage.count == rows * cols, "storage does not match the shape")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// A matrix whose every element `body` writes, given the storage
    /// uninitialised: layer outputs are overwritten whole by their products,
    /// so zero-filling them first would only add stores.
    public init(rows: Int, cols: Int, initializingWith body: (UnsafeMutablePointer<Float>) -> Void) {
        precondition(rows >= 0 && cols >= 0, "negative matrix shape")
        self.rows = rows
        self.cols = cols
        self.storage = [Float](unsafeUninitializedCapacity: rows * cols) { buffer, initialized in
            if let start = buffer.baseAddress, rows * cols > 0 { body(start) }
            initialized = rows * cols
        }
    }

    /// Writes the transpose of the row-major `rows × cols` values at `source`
    /// to `destination` (row-major, `cols × rows`). It goes tile by tile, so
    /// that the strided side stays in cache: element by element, a 784 × 400
    /// layer took a model load 4 ms of cache and TLB misses.
    public static func transpose(
        _ source: UnsafePointer<Float>, rows: Int, cols: Int, into destination: UnsafeMutablePointer<Float>
    ) {
        let tile = 16
        for rowStart in stride(from: 0, to: rows, by: tile) {
            let rowEnd = min(rowStart + tile, rows)
            for colStart in stride(from: 0, to: cols, by: tile) {
                for row in rowStart..<rowEnd {
                    for col in colStart..<min(colStart + tile, cols) {
                        destination[col * rows + row] = source[row * cols + col]
                    }
                }
            }
        }
    }

    /// Builds a matrix from equally long rows (tests and small literals).
    public init(_ rowArrays: [[Float]]) {
        let cols = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == cols }, "ragged rows")
        self.init(rows: rowArrays.count, cols: cols, storage: rowArrays.flatMap { $0 })
    }

    public var count: Int { rows * cols }

    public subscript(row: Int, col: Int) -> Float {
        get { storage[row * cols + col] }
        set { storage[row * cols + col] = newValue }
    }

    public func row(_ index: Int) -> ArraySlice<Float> {
        storage[index * cols ..< (index + 1) * cols]
    }

    /// Changes the number of rows, keeping the leading rows and zero-filling
    /// new ones. Batches reuse one matrix this way, so the last, shorter batch
    /// of a stream allocates nothing.
    public mutating func resize(rows newRows: Int) {
        precondition(newRows >= 0, "negative row count")
        if newRows * cols < storage.count {
            storage.removeLast(storage.count - newRows * cols)
        } else if newRows * cols > storage.count {
            storage.append(contentsOf: repeatElement(0, count: newRows * cols - storage.count))
        }
        rows = newRows
    }

    /// Appends whole rows given as consecutive values: one copy, where
    /// `resize` and a write would zero-fill the rows first.
    public mutating func append(rows values: UnsafeBufferPointer<Float>) {
        precondition(cols > 0 && values.count % cols == 0, "values do not fill whole rows")
        storage.append(contentsOf: values)
        rows += values.count / cols
    }

    /// Appends the rows of `other`, which has the same columns.
    public mutating func append(_ other: Matrix) {
        precondition(other.cols == cols, "matrices differ in columns")
        other.storage.withUnsafeBufferPointer { append(rows: $0) }
    }

    /// Appends `count` rows that `fill` writes whole, given them
    /// uninitialised: a reader (HDF5's) writes them once, where `resize` would
    /// zero-fill them first. If `fill` throws, the matrix is unchanged.
    public mutating func append(
        rowCount count: Int, writing fill: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows {
        let kept = storage.count, added = count * cols
        guard added > 0 else { return }
        storage = try [Float](unsafeUninitializedCapacity: kept + added) { buffer, initialized in
            storage.withUnsafeBufferPointer { old in
                if let base = old.baseAddress { buffer.baseAddress!.initialize(from: base, count: kept) }
            }
            initialized = kept
            try fill(UnsafeMutableBufferPointer(rebasing: buffer[kept...]))
            initialized = kept + added
        }
        rows += count
    }

    /// The rows at `indices`, in that order.
    public func gathering(rows indices: some Collection<Int>) -> Matrix {
        var out = Matrix(rows: indices.count, cols: cols)
        out.copyRows(of: self, at: indices)
        return out
    }

    /// Overwrites the leading rows with the rows of `source` at `indices`.
    public mutating func copyRows(of source: Matrix, at indices: some Collection<Int>) {
        precondition(source.cols == cols && indices.count <= rows, "rows do not fit")
        let cols = cols
        storage.withUnsafeMutableBufferPointer { dst in
            source.storage.withUnsafeBufferPointer { src in
                for (k, index) in indices.enumerated() {
                    precondition(index >= 0 && index < source.rows, "row index out of range")
                    (dst.baseAddress! + k * cols).update(from: src.baseAddress! + index * cols, count: cols)
                }
            }
        }
    }

    /// Clamps every element into `range`, in place.
    public mutating func clamp(to range: ClosedRange<Float>) {
        storage.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = min(max(values[i], range.lowerBound), range.upperBound) }
        }
    }
}
