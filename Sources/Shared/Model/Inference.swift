import Foundation

/// The model applied in data units: what the encode and decode tools run.
extension TrainedModel {
    /// Latent codes of rows given in data units.
    public func encode(_ rows: Matrix, pool: WorkerPool) -> LatentCodes {
        var normalized = rows
        normalization.apply(to: &normalized)
        return network.encode(normalized, pool: pool)
    }

    /// Rows in data units decoded from latent codes: the loss's output
    /// activation, then the normalisation inverted.
    public func decode(_ codes: Matrix, pool: WorkerPool) -> Matrix {
        var rows = network.decode(codes, pool: pool)
        normalization.invert(&rows)
        return rows
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
