import CKernels

/// The non-zeros of a block of rows, indexed both by row (for products with
/// the block on the left) and by column (for products with its transpose).
///
/// Inputs such as images are mostly zeros; a first layer that skips them
/// does a fraction of the dense product's work; `index` gives up on a block
/// too dense for the sparse path to pay off.
public final class SparseRows {
    public private(set) var rows = 0
    public private(set) var cols = 0
    private(set) var rowStarts: [Int64] = []
    private(set) var columnIndices: [Int32] = []
    private(set) var rowValues: [Float] = []
    private(set) var columnStarts: [Int64] = []
    private(set) var rowIndices: [Int32] = []
    private(set) var columnValues: [Float] = []

    public init() {}

    /// Non-zeros indexed (the row-order arrays may be longer, for reuse).
    public private(set) var count = 0

    /// The share of non-zeros below which the sparse products beat dense BLAS
    /// (measured on AVX-512 and AVX2 machines with a 784-wide input).
    public static let worthwhileDensity = 0.3

    /// Indexes `rows × cols` values at `values`, giving up (and returning
    /// false) as soon as more than `limit` of them turn out to be non-zero.
    public func index(_ values: UnsafePointer<Float>, rows: Int, cols: Int, limit: Double = worthwhileDensity) -> Bool {
        self.rows = rows
        self.cols = cols
        let allowed = Int(Double(rows * cols) * limit)
        // Locals, not properties, in the loops: class properties would cost an
        // exclusivity check per access.
        var starts = rowStarts, columns = columnIndices, byRow = rowValues
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
        let capacity = allowed + cols + Int(AE_NONZEROS_SLACK)
        if columns.count < capacity {
            columns = [Int32](repeating: 0, count: capacity)
            byRow = [Float](repeating: 0, count: capacity)
        }
        var used = 0
        var withinLimit = true
        columns.withUnsafeMutableBufferPointer { columns in
            byRow.withUnsafeMutableBufferPointer { byRow in
                for r in 0..<rows {
                    let found = ae_nonzeros(values + r * cols, cols, columns.baseAddress! + used, byRow.baseAddress! + used, cols)
                    used += Int(found)
                    if used > allowed {
                        withinLimit = false
                        return
                    }
                    starts.append(Int64(used))
                }
            }
        }
        defer { (rowStarts, columnIndices, rowValues, count) = (starts, columns, byRow, used) }
        guard withinLimit else { return false }

        var columnCounts = [Int64](repeating: 0, count: cols + 1)
        for k in 0..<used { columnCounts[Int(columns[k]) + 1] += 1 }
        // Counting sort of the same entries by column.
        for j in 0..<cols { columnCounts[j + 1] += columnCounts[j] }
        var next = columnCounts
        var rowsOf = [Int32](repeating: 0, count: used)
        var byColumn = [Float](repeating: 0, count: used)
        for r in 0..<rows {
            for k in Int(starts[r])..<Int(starts[r + 1]) {
                let j = Int(columns[k])
                let slot = Int(next[j])
                rowsOf[slot] = Int32(r)
                byColumn[slot] = byRow[k]
                next[j] += 1
            }
        }
        (columnStarts, rowIndices, columnValues) = (columnCounts, rowsOf, byColumn)
        return true
    }
}
