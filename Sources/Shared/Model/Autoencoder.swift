import Glibc

/// An MLP autoencoder or VAE: its architecture and one flat parameter vector.
///
/// Keeping every weight and bias in one buffer lets the optimizer, gradient
/// reductions and the model file treat the parameters as a single array,
/// while `DenseLayer`s say where each layer's slice lies. Order: encoder
/// hidden layers, mean head, log-variance head (VAE), decoder hidden layers,
/// output layer.
public struct Autoencoder: Equatable, Sendable {
    public let architecture: Architecture
    /// Aligned so that the first layer's weights (offset 0) are, for the sparse product.
    public var parameters: AlignedFloats

    public let encoderLayers: [DenseLayer]
    public let meanHead: DenseLayer
    public let logVarianceHead: DenseLayer?
    public let decoderLayers: [DenseLayer]
    public let outputLayer: DenseLayer

    /// Lays out the parameters, all zero. `architecture` must be valid.
    public init(architecture: Architecture) {
        self.architecture = architecture
        var offset = 0
        let layers = architecture.layerShapes.map { shape -> DenseLayer in
            defer { offset += shape.inputs * shape.outputs + shape.outputs }
            return DenseLayer(inputs: shape.inputs, outputs: shape.outputs, weightOffset: offset)
        }
        let depth = architecture.hidden.count
        let heads = architecture.kind == .vae ? 2 : 1
        encoderLayers = Array(layers[..<depth])
        meanHead = layers[depth]
        logVarianceHead = heads == 2 ? layers[depth + 1] : nil
        decoderLayers = Array(layers[(depth + heads)..<(layers.count - 1)])
        outputLayer = layers.last!
        parameters = AlignedFloats(repeating: 0, count: offset)
    }

    /// A freshly initialised model, drawn like `torch.nn.Linear`'s default:
    /// weights and biases uniform in ±1/√inputs.
    public init(architecture: Architecture, generator: inout SeededGenerator) {
        self.init(architecture: architecture)
        for layer in allLayers {
            let bound = 1 / Double(layer.inputs).squareRoot()
            for i in layer.weightOffset..<layer.end {
                parameters[i] = Float((2 * generator.uniform() - 1) * bound)
            }
        }
    }

    /// Every layer in parameter order.
    public var allLayers: [DenseLayer] {
        encoderLayers + [meanHead] + (logVarianceHead.map { [$0] } ?? []) + decoderLayers + [outputLayer]
    }

    public var latentWidth: Int { architecture.latent }
    public var inputWidth: Int { architecture.inputWidth }
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
}

extension Autoencoder {
    /// Encodes normalised rows to latent means, and for a VAE log-variances
    /// unless `logVariance` is false (a mean alone skips that head's product).
    public func encode(_ input: Matrix, pool: WorkerPool, logVariance wantsLogVariance: Bool = true) -> LatentCodes {
        precondition(input.cols == inputWidth, "input width does not match the model")
        let hidden = runHidden(encoderLayers, from: input, pool: pool, firstLayerRowwise: true)
        let heads = [meanHead] + (wantsLogVariance ? logVarianceHead.map { [$0] } ?? [] : [])
        let codes = parameters.withUnsafeBufferPointer { p in
            hidden.storage.withUnsafeBufferPointer { h in
                heads.map { head in
                    Matrix(rows: input.rows, cols: latentWidth) { out in
                        head.forward(input: h.baseAddress!, rows: input.rows, parameters: p.baseAddress!, output: out, pool: pool)
                    }
                }
            }
        }
        let mean = codes[0]
        var logVariance = codes.count > 1 ? codes[1] : nil
        logVariance?.clamp(to: LatentCodes.logVarianceRange)
        return LatentCodes(mean: mean, logVariance: logVariance)
    }

    /// Decodes latent rows to the decoder's last pre-activations (logits for
    /// `bce`), in normalised units. Codes beyond ±`LatentCodes.limit` are
    /// clamped first, so no code a user hands in overflows the decoder.
    public func decodeLogits(_ codes: Matrix, pool: WorkerPool) -> Matrix {
        precondition(codes.cols == latentWidth, "code width does not match the model")
        let limit = LatentCodes.limit
        guard codes.storage.contains(where: { abs($0) > limit }) else {
            return runHidden(decoderLayers + [outputLayer], from: codes, pool: pool, activateLast: false)
        }
        var clamped = codes
        clamped.clamp(to: -limit...limit)
        return runHidden(decoderLayers + [outputLayer], from: clamped, pool: pool, activateLast: false)
    }

    /// Decodes latent rows to normalised data values (the loss's output
    /// activation applied).
    public func decode(_ codes: Matrix, pool: WorkerPool) -> Matrix {
        var output = decodeLogits(codes, pool: pool)
        output.storage.withUnsafeMutableBufferPointer { architecture.loss.outputActivation.apply($0) }
        return output
    }

    /// Applies `layers` in turn with the hidden activation after each (after
    /// the last too unless `activateLast` is false). `firstLayerRowwise` lets
    /// the first layer skip the zeros of sparse input rows.
    private func runHidden(
        _ layers: [DenseLayer], from input: Matrix, pool: WorkerPool, activateLast: Bool = true, firstLayerRowwise: Bool = false
    ) -> Matrix {
        var current = input
        for (index, layer) in layers.enumerated() {
            let activation = activateLast || index < layers.count - 1 ? architecture.activation : nil
            current = parameters.withUnsafeBufferPointer { p in
                current.storage.withUnsafeBufferPointer { x in
                    Matrix(rows: input.rows, cols: layer.outputs) { y in
                        if index == 0 && firstLayerRowwise {
                            layer.forwardRowwise(
                                input: x.baseAddress!, rows: input.rows, parameters: p.baseAddress!, output: y, activation: activation, pool: pool)
                        } else {
                            layer.forward(
                                input: x.baseAddress!, rows: input.rows, parameters: p.baseAddress!, output: y, activation: activation, pool: pool)
                        }
                    }
                }
            }
        }
        return current
    }
}
