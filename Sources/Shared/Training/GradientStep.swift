import Glibc

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
/// (KL only for a VAE, with the reparameterisation z = μ + e^{logσ²/2} · ε).
public final class GradientStep {
    public let capacity: Int
    private let architecture: Architecture
    private let encoderOutputs: [ScratchBuffer]
    private let mean: ScratchBuffer
    private let logVariance: ScratchBuffer
    private let code: ScratchBuffer
    private let decoderOutputs: [ScratchBuffer]
    private let output: ScratchBuffer
    private let gradient: ScratchBuffer
    private let nextGradient: ScratchBuffer
    private let meanGradient: ScratchBuffer
    private let logVarianceGradient: ScratchBuffer
    /// The batch's non-zeros, used by the first layer when the input is sparse.
    private let sparseInput = SparseRows()
    private var sparseInputInUse = false

    /// Buffers for batches of up to `capacity` rows of `model`'s shape.
    public init(model: Autoencoder, capacity: Int) {
        self.capacity = capacity
        architecture = model.architecture
        let latent = model.latentWidth
        encoderOutputs = model.encoderLayers.map { ScratchBuffer(count: capacity * $0.outputs) }
        mean = ScratchBuffer(count: capacity * latent)
        logVariance = ScratchBuffer(count: capacity * latent)
        code = ScratchBuffer(count: capacity * latent)
        decoderOutputs = model.decoderLayers.map { ScratchBuffer(count: capacity * $0.outputs) }
        output = ScratchBuffer(count: capacity * model.inputWidth)
        let widest = ([model.inputWidth, latent] + model.architecture.hidden).max()!
        gradient = ScratchBuffer(count: capacity * widest)
        nextGradient = ScratchBuffer(count: capacity * widest)
        meanGradient = ScratchBuffer(count: capacity * latent)
        logVarianceGradient = ScratchBuffer(count: capacity * latent)
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
        let latent = model.latentWidth
        let activation = architecture.activation
        return model.parameters.withUnsafeBufferPointer { parameterBuffer in
            let parameters = parameterBuffer.baseAddress!

            // Encoder.
            var hidden = input
            sparseInputInUse = !model.encoderLayers.isEmpty && sparseInput.index(input, rows: rows, cols: model.inputWidth)
            for (index, (layer, buffer)) in zip(model.encoderLayers, encoderOutputs).enumerated() {
                if index == 0 && sparseInputInUse {
                    layer.forward(sparseInput: sparseInput, parameters: parameters, output: buffer.pointer, activation: activation)
                } else {
                    layer.forward(input: hidden, rows: rows, parameters: parameters, output: buffer.pointer, activation: activation, pool: pool)
                }
                hidden = UnsafePointer(buffer.pointer)
            }
            model.meanHead.forward(input: hidden, rows: rows, parameters: parameters, output: mean.pointer, pool: pool)

            // Bottleneck: z = μ for an AE, sampled for a VAE.
            var loss = BatchLoss(rows: rows)
            let codeCount = rows * latent
            if let head = model.logVarianceHead {
                head.forward(input: hidden, rows: rows, parameters: parameters, output: logVariance.pointer, pool: pool)
                var kl: Double = 0
                for i in 0..<codeCount {
                    let mu = mean.pointer[i], logVar = logVariance.pointer[i]
                    code.pointer[i] = mu + expf(0.5 * logVar) * (latentNoise?[i] ?? 0)
                    kl += Double(-0.5 * (1 + logVar - mu * mu - expf(logVar)))
                }
                loss.kl = kl
            } else {
                code.pointer.update(from: mean.pointer, count: codeCount)
            }

            // Decoder.
            var decoded = UnsafePointer(code.pointer)
            for (layer, buffer) in zip(model.decoderLayers, decoderOutputs) {
                layer.forward(input: decoded, rows: rows, parameters: parameters, output: buffer.pointer, activation: activation, pool: pool)
                decoded = UnsafePointer(buffer.pointer)
            }
            model.outputLayer.forward(input: decoded, rows: rows, parameters: parameters, output: output.pointer, pool: pool)
            loss.reconstruction = architecture.loss.evaluate(
                output: output.pointer, target: target, rows: rows, cols: model.inputWidth,
                gradient: gradients == nil ? nil : gradient.pointer, gradientScale: gradientScale)

            guard let gradients else { return loss }
            backward(
                model: model, input: input, rows: rows, klWeight: klWeight, latentNoise: latentNoise,
                gradientScale: gradientScale, parameters: parameters, gradients: gradients, pool: pool)
            return loss
        }
    }

    /// The backward pass; `gradient` holds ∂objective/∂logits on entry.
    private func backward(
        model: Autoencoder, input: UnsafePointer<Float>, rows: Int, klWeight: Float,
        latentNoise: UnsafePointer<Float>?, gradientScale: Float,
        parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        let activation = architecture.activation
        var current = gradient, next = nextGradient

        // Decoder, from the output layer back to ∂/∂z.
        let decoderInputs = [UnsafePointer(code.pointer)] + decoderOutputs.map { UnsafePointer($0.pointer) }
        let decoder = model.decoderLayers + [model.outputLayer]
        for index in decoder.indices.reversed() {
            let layer = decoder[index]
            layer.backward(
                input: decoderInputs[index], rows: rows, outputGradient: current.pointer,
                parameters: parameters, gradients: gradients, inputGradient: next.pointer, pool: pool)
            if index > 0 {
                activation.backward(
                    outputs: UnsafeBufferPointer(start: decoderInputs[index], count: rows * layer.inputs),
                    gradients: next.buffer(count: rows * layer.inputs))
            }
            swap(&current, &next)
        }

        // Bottleneck: ∂/∂μ and ∂/∂logσ², with the KL terms for a VAE.
        let codeCount = rows * model.latentWidth
        let encoderTop = model.encoderLayers.isEmpty ? input : UnsafePointer(encoderOutputs.last!.pointer)
        if let head = model.logVarianceHead {
            let klScale = klWeight * gradientScale
            for i in 0..<codeCount {
                let mu = mean.pointer[i], logVar = logVariance.pointer[i], dz = current.pointer[i]
                let sigma = expf(0.5 * logVar)
                meanGradient.pointer[i] = dz + klScale * mu
                logVarianceGradient.pointer[i] = dz * (latentNoise?[i] ?? 0) * 0.5 * sigma + klScale * 0.5 * (sigma * sigma - 1)
            }
            let hasInputGradient = !model.encoderLayers.isEmpty
            model.meanHead.backward(
                input: encoderTop, rows: rows, outputGradient: meanGradient.pointer, parameters: parameters,
                gradients: gradients, inputGradient: hasInputGradient ? next.pointer : nil, pool: pool)
            head.backward(
                input: encoderTop, rows: rows, outputGradient: logVarianceGradient.pointer, parameters: parameters,
                gradients: gradients, inputGradient: hasInputGradient ? next.pointer : nil, accumulate: true, pool: pool)
        } else {
            model.meanHead.backward(
                input: encoderTop, rows: rows, outputGradient: current.pointer, parameters: parameters,
                gradients: gradients, inputGradient: model.encoderLayers.isEmpty ? nil : next.pointer, pool: pool)
        }
        swap(&current, &next)

        // Encoder, back to the first layer (whose input needs no gradient).
        let encoderInputs = [input] + encoderOutputs.map { UnsafePointer($0.pointer) }
        for index in model.encoderLayers.indices.reversed() {
            let layer = model.encoderLayers[index]
            activation.backward(
                outputs: UnsafeBufferPointer(start: encoderInputs[index + 1], count: rows * layer.outputs),
                gradients: current.buffer(count: rows * layer.outputs))
            if index == 0 && sparseInputInUse {
                layer.backward(sparseInput: sparseInput, outputGradient: current.pointer, gradients: gradients)
            } else {
                layer.backward(
                    input: encoderInputs[index], rows: rows, outputGradient: current.pointer, parameters: parameters,
                    gradients: gradients, inputGradient: index > 0 ? next.pointer : nil, pool: pool)
            }
            swap(&current, &next)
        }
    }
}
