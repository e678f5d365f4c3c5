import AECore
import AEIO

/// The rows ae-decode reads: latent codes from its input or drawn from the
/// prior (`--sample N`), or data rows it draws as they are (`--no-decode`),
/// taken batch by batch either way.
public struct DecodeInput {
    private enum Origin {
        case rows(RowInput)
        case prior(PriorSampler, remaining: Int)
    }

    private var origin: Origin
    private var delivered = 0

    public init(rows: RowInput) {
        origin = .rows(rows)
    }

    public init(prior sampler: PriorSampler, count: Int) {
        origin = .prior(sampler, remaining: count)
    }

    /// Decodes every code and writes the rows to `output`: field x after the
    /// members of object rows, bare arrays otherwise.
    public mutating func decode(with model: TrainedModel, batchSize: Int, pool: WorkerPool, to output: RowOutput) throws {
        var batch = RowBatch()
        while try next(into: &batch, capacity: batchSize) > 0 {
            let decoded = model.decode(batch.vectors, pool: pool)
            try output.write(
                OutputColumns(rows: batch.count, columns: [("x", .vectors(decoded))]), passThrough: batch,
                asArrays: !isObjectRows)
            batch.removeAll()
        }
    }

    /// Gathers every row for a PNG grid, decoded with `model` (or as they
    /// are without one), refusing more rows than a grid holds before
    /// decoding them, and no rows: a picture needs at least one image.
    public mutating func gridImages(decodedWith model: TrainedModel?, batchSize: Int, pool: WorkerPool) throws -> Matrix {
        var images = ImageGridRows()
        if case .prior(_, let remaining) = origin, let model {
            try images.checkRoom(for: remaining, width: model.network.inputWidth)
        }
        var batch = RowBatch()
        while try next(into: &batch, capacity: batchSize) > 0 {
            try images.checkRoom(for: batch.count, width: model?.network.inputWidth ?? batch.vectors.cols)
            images.append(model.map { $0.decode(batch.vectors, pool: pool) } ?? batch.vectors)
            batch.removeAll()
        }
        guard let drawn = images.images else {
            if case .rows(let input) = origin { throw AEError("empty input: no rows to draw", source: input.source) }
            throw AEError("no rows to draw")
        }
        return drawn
    }

    private var isObjectRows: Bool {
        if case .rows(let input) = origin { return input.shape == .object }
        return false
    }

    /// Appends up to `capacity` codes to `batch`; returns how many (0 at the end).
    private mutating func next(into batch: inout RowBatch, capacity: Int) throws -> Int {
        let count: Int
        switch origin {
        case .rows(let input):
            count = try input.readBatch(into: &batch, capacity: capacity)
        case .prior(var sampler, let remaining):
            count = min(capacity, remaining)
            if count > 0 {
                let codes = sampler.draw(count)
                batch.appendRows(count, width: sampler.width, firstNumber: delivered + 1) { buffer in
                    _ = buffer.update(fromContentsOf: codes.storage)
                }
            }
            origin = .prior(sampler, remaining: remaining - count)
        }
        delivered += count
        return count
    }
}
