import AECore

/// Training rows read from an HDF5 dataset in blocks, so a file larger than
/// memory trains with memory bounded by the shuffle buffer.
///
/// Each epoch visits the blocks in a random order, fills a buffer of up to
/// `bufferRows` rows from consecutive blocks, shuffles the rows within it and
/// hands them out in batches; rows left over from one buffer start the next,
/// so every batch but the last is full. Rows are normalised as they are read,
/// after `keep` (when given) has chosen which of them take part: the rows a
/// trimmed fit trains on (`TrainingTrim`), without a copy of the file.
public final class HDF5TrainingRows: TrainingRows {
    /// Chooses rows of a block of raw rows: the positions that stay, in order.
    public typealias RowFilter = (Matrix) -> [Int]

    /// Rows per block: the unit of reading and of the validation split.
    public static let blockRows = 1024

    private let dataset: HDF5Dataset
    private let blocks: [Range<Int>]
    private let normalization: Normalization
    private let bufferRows: Int
    private let keep: RowFilter?
    /// The rows stored in `blocks`, kept or not.
    private let storedCount: Int
    public let count: Int

    /// The rows of `blocks` (ranges of `dataset`'s rows) that `keep` keeps
    /// (all without it), normalised with `normalization`, shuffled within
    /// buffers of `bufferRows` rows. With `keep`, counting them reads the
    /// blocks once.
    public init(
        dataset: HDF5Dataset, blocks: [Range<Int>], normalization: Normalization, bufferRows: Int, keeping keep: RowFilter? = nil
    ) throws {
        self.dataset = dataset
        self.blocks = blocks
        self.normalization = normalization
        self.bufferRows = max(bufferRows, Self.blockRows)
        self.keep = keep
        storedCount = blocks.reduce(0) { $0 + $1.count }
        var kept = storedCount
        if let keep {
            kept = 0
            var block = Matrix(rows: 0, cols: dataset.cols)
            for range in blocks {
                try dataset.readFiniteRows(range, into: &block)
                kept += keep(block).count
            }
        }
        count = kept
    }

    public var width: Int { dataset.cols }

    /// `dataset`'s rows split into blocks, a random `fraction` of them (at
    /// least one when the fraction is positive and there are two or more)
    /// held out for validation.
    public static func splitBlocks(
        of dataset: HDF5Dataset, validationFraction fraction: Double, generator: inout SeededGenerator
    ) -> (training: [Range<Int>], validation: [Range<Int>]) {
        let all = stride(from: 0, to: dataset.rows, by: blockRows).map { $0..<min($0 + blockRows, dataset.rows) }
        guard fraction > 0, all.count > 1 else { return (all, []) }
        let held = min(all.count - 1, max(1, Int((Double(all.count) * fraction).rounded())))
        let order = generator.permutation(all.count)
        let validation = Set(order.prefix(held))
        return (
            all.indices.filter { !validation.contains($0) }.map { all[$0] },
            all.indices.filter { validation.contains($0) }.map { all[$0] })
    }

    /// Statistics of the raw rows of `blocks` that `keep` keeps (all
    /// without it), read block by block.
    public static func statistics(of dataset: HDF5Dataset, blocks: [Range<Int>], keeping keep: RowFilter? = nil) throws -> FeatureStatistics {
        var statistics = FeatureStatistics(width: dataset.cols)
        var block = Matrix(rows: 0, cols: dataset.cols)
        for range in blocks {
            try dataset.readFiniteRows(range, into: &block)
            statistics.add(keep.map { block.gathering(rows: $0(block)) } ?? block)
        }
        return statistics
    }

    public func forEachShuffledBatch(
        size: Int, generator: inout SeededGenerator, _ body: (UnsafePointer<Float>, Int) throws -> Void
    ) throws {
        let order = generator.permutation(blocks.count)
        var buffer = Matrix(rows: 0, cols: width)
        // One allocation for the whole epoch: growing by doubling would
        // briefly hold twice the buffer.
        buffer.storage.reserveCapacity((bufferRows + Self.blockRows) * width)
        var block = Matrix(rows: 0, cols: width)
        var batch = Matrix(rows: size, cols: width)
        var next = 0
        while next < order.count {
            // Leftover rows (fewer than a batch) stay at the front of the buffer.
            while next < order.count && buffer.rows < bufferRows {
                try read(blocks[order[next]], into: &block)
                next += 1
                buffer.append(block)
            }
            let shuffled = generator.permutation(buffer.rows)
            let full = next < order.count ? buffer.rows / size * size : buffer.rows
            for start in stride(from: 0, to: full, by: size) {
                let indices = shuffled[start..<min(start + size, full)]
                batch.copyRows(of: buffer, at: indices)
                try batch.storage.withUnsafeBufferPointer { try body($0.baseAddress!, indices.count) }
            }
            let leftover = buffer.gathering(rows: shuffled[full...])
            buffer.resize(rows: 0)
            buffer.append(leftover)
        }
    }

    public func forEachBlock(size: Int, _ body: (UnsafePointer<Float>, Int) throws -> Void) throws {
        var block = Matrix(rows: 0, cols: width)
        for range in blocks {
            try read(range, into: &block)
            try block.storage.withUnsafeBufferPointer { values in
                for start in stride(from: 0, to: block.rows, by: size) {
                    try body(values.baseAddress! + start * width, min(size, block.rows - start))
                }
            }
        }
    }

    /// Reads just the chosen rows, one at a time: a sample of a file larger
    /// than memory should not cost a pass over all of it. With `keep`, the
    /// rows are spaced over the stored rows, and those it drops are left
    /// out of the sample.
    public func evenlySpacedRows(_ limit: Int) throws -> Matrix {
        var sample = Matrix(rows: 0, cols: width)
        var row = Matrix(rows: 0, cols: width)
        var blockIndex = 0, blockStart = 0
        let chosen = min(storedCount, limit)
        for position in (0..<chosen).map({ $0 * storedCount / chosen }) {
            while position >= blockStart + blocks[blockIndex].count {
                blockStart += blocks[blockIndex].count
                blockIndex += 1
            }
            let stored = blocks[blockIndex].lowerBound + position - blockStart
            try read(stored..<(stored + 1), into: &row)
            sample.append(row)
        }
        return sample
    }

    private func read(_ range: Range<Int>, into block: inout Matrix) throws {
        try dataset.readFiniteRows(range, into: &block)
        if let keep { block = block.gathering(rows: keep(block)) }
        normalization.apply(to: &block)
    }
}
