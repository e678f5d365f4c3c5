/// Summed losses of the rows in one pass (divide by `rows` for per-sample figures).
public struct BatchLoss: Sendable, Equatable {
    public var reconstruction: Double = 0
    public var kl: Double = 0
    public var rows: Int = 0

    public init(reconstruction: Double = 0, kl: Double = 0, rows: Int = 0) {
        self.reconstruction = reconstruction
        self.kl = kl
        self.rows = rows
    }

    /// Reconstruction plus KL: the negative ELBO for a VAE, in nats for `bce`.
    public var total: Double { reconstruction + kl }

    public static func += (lhs: inout BatchLoss, rhs: BatchLoss) {
        lhs.reconstruction += rhs.reconstruction
        lhs.kl += rhs.kl
        lhs.rows += rhs.rows
    }
}

/// One forward and backward pass of the training objective over a batch,
/// with the activations it needs kept in buffers reused across batches.
///
/// The objective per row is reconstruction + klWeight · KL(q(z|x) ‖ N(0, I))
/// (KL only for a VAE). The passes are the network's own walk
/// (`LayerStack`), the one inference runs too.
public final class GradientStep {
    public let capacity: Int
    private let bottleneck: Bottleneck
    private let loss: Loss
    private let encoder: LayerStack
    private let decoder: LayerStack
    private let code: ScratchBuffer
    private let logitGradient: ScratchBuffer
    private let codeGradient: ScratchBuffer
    private let bottleneckGradient: ScratchBuffer

    /// Buffers for batches of up to `capacity` rows of `model`'s shape.
    public init(model: Autoencoder, capacity: Int) {
        self.capacity = capacity
        bottleneck = model.bottleneck
        loss = model.architecture.loss
        encoder = LayerStack(model.encoder, capacity: capacity)
        decoder = LayerStack(model.decoder, capacity: capacity)
        code = ScratchBuffer(count: capacity * model.latentWidth)
        logitGradient = ScratchBuffer(count: capacity * model.inputWidth)
        codeGradient = ScratchBuffer(count: capacity * model.latentWidth)
        bottleneckGradient = ScratchBuffer(count: capacity * model.bottleneck.inputWidth)
    }

    /// Runs the batch `input` (rows × inputWidth, already normalised and, for
    /// denoising, perturbed) against `target`. When `gradients` is given,
    /// writes `gradientScale · ∂objective/∂parameters` there (every slot).
    /// For a VAE, `latentNoise` holds ε (rows × latent; drawn by the caller so
    /// that the draws do not depend on how a batch is split); nil uses z = μ.
    public func run(
        model: Autoencoder, input: UnsafePointer<Float>, target: UnsafePointer<Float>, rows: Int,
        klWeight: Float, latentNoise: UnsafePointer<Float>?,
        gradients: UnsafeMutablePointer<Float>?, gradientScale: Float, pool: WorkerPool
    ) -> BatchLoss {
        precondition(rows <= capacity, "batch larger than the step's capacity")
        return model.parameters.withUnsafeBufferPointer { parameterBuffer in
            let parameters = parameterBuffer.baseAddress!
            let encoded = encoder.forward(input, rows: rows, parameters: parameters, pool: pool)
            var batchLoss = BatchLoss(rows: rows)
            batchLoss.kl = bottleneck.forward(encoded, rows: rows, noise: latentNoise, code: code.pointer)
            let logits = decoder.forward(code.pointer, rows: rows, parameters: parameters, pool: pool)
            batchLoss.reconstruction = loss.evaluate(
                output: logits, target: target, rows: rows, cols: model.inputWidth,
                gradient: gradients == nil ? nil : logitGradient.pointer, gradientScale: gradientScale)
            guard let gradients else { return batchLoss }

            decoder.backward(
                input: code.pointer, rows: rows, resultGradient: logitGradient.pointer, parameters: parameters,
                gradients: gradients, inputGradient: codeGradient.pointer, pool: pool)
            bottleneck.backward(
                input: encoded, rows: rows, noise: latentNoise, codeGradient: codeGradient.pointer,
                klScale: klWeight * gradientScale, inputGradient: bottleneckGradient.pointer)
            encoder.backward(
                input: input, rows: rows, resultGradient: bottleneckGradient.pointer, parameters: parameters,
                gradients: gradients, inputGradient: nil, pool: pool)
            return batchLoss
        }
    }
}
