import Glibc

/// Where the encoder's output becomes the code the decoder reads.
///
/// For an AE it is the identity: the encoder's last layer gives the code.
/// For a VAE the encoder gives a posterior N(μ, e^{logσ²}) (`PosteriorHeads`)
/// and the code is the reparameterised draw z = μ + e^{logσ²/2} · ε, which
/// adds KL(q(z|x) ‖ N(0, I)) to the objective; this is the one place that
/// draw and the KL's gradient are written.
public enum Bottleneck: Equatable, Sendable {
    case identity(latent: Int)
    case gaussian(latent: Int)

    public var latent: Int {
        switch self {
        case .identity(let latent), .gaussian(let latent): latent
        }
    }

    /// Values per row the encoder's last layer gives.
    public var inputWidth: Int {
        switch self {
        case .identity(let latent): latent
        case .gaussian(let latent): 2 * latent
        }
    }

    /// The latent codes of `rows` rows of encoder output, for the tools: the
    /// means, and a VAE's log-variances clamped to `LatentCodes.logVarianceRange`
    /// unless `logVariance` is false (the input then holds the means alone).
    public func codes(from input: UnsafePointer<Float>, rows: Int, logVariance wantsLogVariance: Bool = true) -> LatentCodes {
        let count = rows * latent
        let mean = Matrix(rows: rows, cols: latent) { $0.initialize(from: input, count: count) }
        guard case .gaussian = self, wantsLogVariance else { return LatentCodes(mean: mean, logVariance: nil) }
        var logVariance = Matrix(rows: rows, cols: latent) { $0.initialize(from: input + count, count: count) }
        logVariance.clamp(to: LatentCodes.logVarianceRange)
        return LatentCodes(mean: mean, logVariance: logVariance)
    }

    /// Writes the code of each row into `code` (rows × latent) and returns
    /// the KL summed over the rows (0 for an AE). `noise` holds ε; nil takes z = μ.
    public func forward(
        _ input: UnsafePointer<Float>, rows: Int, noise: UnsafePointer<Float>?, code: UnsafeMutablePointer<Float>
    ) -> Double {
        let count = rows * latent
        guard case .gaussian = self else {
            code.update(from: input, count: count)
            return 0
        }
        let logVariance = input + count
        var kl: Double = 0
        for i in 0..<count {
            code[i] = LatentCodes.draw(mean: input[i], logVariance: logVariance[i], epsilon: noise?[i] ?? 0)
            kl += LatentCodes.kl(mean: Double(input[i]), logVariance: Double(logVariance[i]))
        }
        return kl
    }

    /// Given ∂L/∂code, writes ∂L/∂input, with `klScale` · ∂KL/∂input added
    /// for a VAE (∂KL/∂μ = μ, ∂KL/∂logσ² = (σ² − 1)/2).
    public func backward(
        input: UnsafePointer<Float>, rows: Int, noise: UnsafePointer<Float>?, codeGradient: UnsafePointer<Float>,
        klScale: Float, inputGradient: UnsafeMutablePointer<Float>
    ) {
        let count = rows * latent
        guard case .gaussian = self else {
            inputGradient.update(from: codeGradient, count: count)
            return
        }
        let logVariance = input + count, logVarianceGradient = inputGradient + count
        for i in 0..<count {
            let mu = input[i], dz = codeGradient[i]
            let sigma = expf(0.5 * logVariance[i])
            inputGradient[i] = dz + klScale * mu
            logVarianceGradient[i] = dz * (noise?[i] ?? 0) * 0.5 * sigma + klScale * 0.5 * (sigma * sigma - 1)
        }
    }
}

/// Latent codes of a batch: the mean, and for a VAE the log-variance.
public struct LatentCodes: Sendable {
    public var mean: Matrix
    public var logVariance: Matrix?

    /// Log-variances are clamped to this range at inference (as PyOD's
    /// VAE does), so that a row far outside the training data cannot make
    /// exp(log σ²) overflow in a sampled score; training rows never come near.
    public static let logVarianceRange: ClosedRange<Float> = -30...20

    /// The largest code magnitude the decoder is given: codes are of order 1
    /// (a VAE's prior is N(0, I)), and 10^4 keeps every output finite.
    public static let limit: Float = 1e4

    /// KL(N(μ, e^v) ‖ N(0, 1)) of one latent dimension, in nats.
    public static func kl(mean mu: Double, logVariance v: Double) -> Double {
        -0.5 * (1 + v - mu * mu - exp(v))
    }

    /// The reparameterised draw z = μ + e^{v/2} · ε.
    @inline(__always)
    public static func draw(mean mu: Float, logVariance v: Float, epsilon: Float) -> Float {
        mu + expf(0.5 * v) * epsilon
    }

    /// Draws z = μ + σ·ε from a VAE's posterior (μ itself for an AE).
    public func sample(generator: inout SeededGenerator) -> Matrix {
        guard let logVariance else { return mean }
        var codes = mean
        for i in codes.storage.indices {
            codes.storage[i] = Self.draw(mean: mean.storage[i], logVariance: logVariance.storage[i], epsilon: Float(generator.gaussian()))
        }
        return codes
    }
}
