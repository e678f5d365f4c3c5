/// Draws latent codes from a VAE's prior N(0, I), optionally scaled by a
/// temperature: z = T·ε. ae-decode --sample and ae-interp --sample both use
/// it, so the same seed gives the same codes in either tool.
///
/// Draws are sequential, so the codes depend on the seed and the total count
/// only, never on how they are split into batches.
public struct PriorSampler: Sendable {
    public let width: Int
    /// The standard deviation of the draws; below 1 gives more typical,
    /// less varied samples, 0 the prior's mean.
    public let temperature: Float
    private var generator: SeededGenerator

    public init(width: Int, temperature: Float = 1, seed: UInt64) {
        precondition(width >= 1, "codes need a dimension")
        precondition(temperature >= 0 && temperature.isFinite, "temperature must be finite and not negative")
        self.width = width
        self.temperature = temperature
        generator = SeededGenerator(seed: seed)
    }

    /// The next `count` codes.
    public mutating func draw(_ count: Int) -> Matrix {
        var codes = Matrix(rows: count, cols: width)
        codes.storage.withUnsafeMutableBufferPointer { generator.fillGaussian($0, scale: temperature) }
        return codes
    }
}
