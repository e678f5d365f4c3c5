import Foundation

/// The model applied in data units: what the encode and decode tools run.
///
/// Products run on blocks of exactly `blockRows` rows, the last one padded
/// with zero rows. OpenBLAS picks its kernels by matrix size, and different
/// kernels round differently, so without fixed blocks a row's result would
/// depend on how many rows share its batch: a code decoded alone and the same
/// code at the end of an interpolation path would differ in the last bits.
/// With them, a row's result depends on the row, the model and the thread
/// count only.
extension TrainedModel {
    /// Rows per product in inference: large enough for efficient kernels,
    /// small enough that padding a short input costs little.
    public static let blockRows = 64

    /// Latent codes of rows given in data units.
    public func encode(_ rows: Matrix, pool: WorkerPool) -> LatentCodes {
        var normalized = rows
        normalization.apply(to: &normalized)
        let outputs = Self.inBlocks(normalized) { block in
            let codes = network.encode(block, pool: pool)
            return [codes.mean] + (codes.logVariance.map { [$0] } ?? [])
        }
        return LatentCodes(mean: outputs[0], logVariance: outputs.count > 1 ? outputs[1] : nil)
    }

    /// Rows in data units decoded from latent codes: the loss's output
    /// activation, then the normalisation inverted.
    public func decode(_ codes: Matrix, pool: WorkerPool) -> Matrix {
        var rows = Self.inBlocks(codes) { [network.decode($0, pool: pool)] }[0]
        normalization.invert(&rows)
        return rows
    }

    /// Applies `body` to `input` in blocks of `blockRows` rows and stacks
    /// the rows of each of its outputs.
    private static func inBlocks(_ input: Matrix, _ body: (Matrix) -> [Matrix]) -> [Matrix] {
        var block = Matrix(rows: blockRows, cols: input.cols)
        var outputs: [Matrix] = []
        for start in stride(from: 0, to: input.rows, by: blockRows) {
            let count = min(blockRows, input.rows - start)
            block.storage.withUnsafeMutableBufferPointer { target in
                input.storage.withUnsafeBufferPointer { source in
                    let values = count * input.cols
                    target.baseAddress!.update(from: source.baseAddress! + start * input.cols, count: values)
                    (target.baseAddress! + values).update(repeating: 0, count: target.count - values)
                }
            }
            let results = body(block)
            if outputs.isEmpty { outputs = results.map { Matrix(rows: input.rows, cols: $0.cols) } }
            for (k, result) in results.enumerated() {
                let cols = result.cols
                outputs[k].storage.replaceSubrange(start * cols..<(start + count) * cols, with: result.storage[..<(count * cols)])
            }
        }
        return outputs.isEmpty ? body(Matrix(rows: 0, cols: input.cols)) : outputs
    }
}

extension LatentCodes {
    /// Draws z = μ + σ·ε from a VAE's posterior (μ itself for an AE).
    public func sample(generator: inout SeededGenerator) -> Matrix {
        guard let logVariance else { return mean }
        var codes = mean
        for i in codes.storage.indices {
            codes.storage[i] += expf(0.5 * logVariance.storage[i]) * Float(generator.gaussian())
        }
        return codes
    }
}
