/// The model applied in data units: what the encode and decode tools run.
///
/// Rows run in blocks of `blockRows` rows (the last one shorter), shared
/// among threads whole, each block single-threaded. Every product sums a
/// row's terms in an order fixed by the row alone (`Layer.forward`), so
/// a row's result depends on the row and the model only, not on the block
/// or the batch it arrives in: a code decoded alone and the same code at the
/// end of an interpolation path agree bit for bit.
extension TrainedModel {
    /// Rows per block in inference: enough for the kernels to reuse each
    /// tile of weights, few enough that the blocks share out evenly.
    public static let blockRows = 64

    /// Latent codes of rows given in data units; a VAE's log-variances only
    /// when `logVariance` is set.
    public func encode(_ rows: Matrix, pool: WorkerPool, logVariance: Bool = true) -> LatentCodes {
        var normalized = rows
        normalization.apply(to: &normalized)
        let outputs = Self.inBlocks(normalized, pool: pool) { block, single in
            let codes = network.encode(block, pool: single, logVariance: logVariance)
            return [codes.mean] + (codes.logVariance.map { [$0] } ?? [])
        }
        return LatentCodes(mean: outputs[0], logVariance: outputs.count > 1 ? outputs[1] : nil)
    }

    /// Rows in data units decoded from latent codes: the loss's output
    /// activation, then the normalisation inverted.
    public func decode(_ codes: Matrix, pool: WorkerPool) -> Matrix {
        var rows = Self.inBlocks(codes, pool: pool) { [network.decode($0, pool: $1)] }[0]
        normalization.invert(&rows)
        return rows
    }

    /// Applies `body` to `input` in blocks of `blockRows` rows, the blocks
    /// shared out among the pool's threads (each block runs single-threaded),
    /// and stacks the rows of each of its outputs.
    private static func inBlocks(_ input: Matrix, pool: WorkerPool, _ body: (Matrix, WorkerPool) -> [Matrix]) -> [Matrix] {
        let single = WorkerPool(threads: 1)
        let starts = Array(stride(from: 0, to: input.rows, by: blockRows))
        guard !starts.isEmpty else { return body(Matrix(rows: 0, cols: input.cols), single) }
        var results = [[Matrix]](repeating: [], count: starts.count)
        results.withUnsafeMutableBufferPointer { results in
            pool.run(tasks: starts.count) { index in
                let start = starts[index]
                let count = min(blockRows, input.rows - start)
                var block = Matrix(rows: count, cols: input.cols)
                block.storage.withUnsafeMutableBufferPointer { target in
                    input.storage.withUnsafeBufferPointer { source in
                        target.baseAddress!.update(from: source.baseAddress! + start * input.cols, count: count * input.cols)
                    }
                }
                results[index] = body(block, single)
            }
        }
        return results[0].indices.map { output in
            let cols = results[0][output].cols
            var stacked = Matrix(rows: input.rows, cols: cols)
            for (index, start) in starts.enumerated() {
                let count = min(blockRows, input.rows - start)
                stacked.storage.replaceSubrange(start * cols..<(start + count) * cols, with: results[index][output].storage)
            }
            return stacked
        }
    }
}
