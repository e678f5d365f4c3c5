/// An autoencoder or VAE: its layers in place, and one flat parameter vector.
///
/// Keeping every parameter in one buffer lets the optimizer, gradient
/// reductions and the model file treat them as a single array, while each
/// `PlacedLayer` says where its slice lies. Order: the encoder's layers, then
/// the decoder's, as `Architecture` lists them.
public struct Autoencoder: Equatable, Sendable {
    public let architecture: Architecture
    /// Aligned so that the first layer's weights (offset 0) are, for the sparse product.
    public var parameters: AlignedFloats

    public let encoder: [PlacedLayer]
    public let bottleneck: Bottleneck
    public let decoder: [PlacedLayer]
    /// The encoder for inference that wants the means alone: a VAE's heads
    /// replaced by their mean head, whose parameters lead theirs. Skipping
    /// the log-variance head's product saved 8% of ae-encode's instructions
    /// on a 784-400-20 VAE (20 outputs a row keep that product slow).
    private let meanEncoder: [PlacedLayer]
    /// Inference's stacks, reused from block to block (copies of the model share them).
    private let encoderStacks = LayerStackShelf()
    private let meanEncoderStacks = LayerStackShelf()
    private let decoderStacks = LayerStackShelf()

    /// Lays out the parameters, all zero. `architecture` must be valid.
    public init(architecture: Architecture) {
        self.architecture = architecture
        (encoder, decoder) = architecture.placedLayers
        bottleneck = architecture.bottleneck
        parameters = AlignedFloats(repeating: 0, count: decoder.last!.end)
        if let last = encoder.last, let heads = last.layer as? PosteriorHeads {
            meanEncoder = encoder.dropLast() + [PlacedLayer(name: last.name + "/mean", layer: heads.mean, offset: last.offset)]
        } else {
            meanEncoder = encoder
        }
    }

    /// A freshly initialised model: each layer draws its own parameters, in order.
    public init(architecture: Architecture, generator: inout SeededGenerator) {
        self.init(architecture: architecture)
        let layers = allLayers
        parameters.withUnsafeMutableBufferPointer { parameters in
            for placed in layers { placed.layer.initialize(parameters.baseAddress! + placed.offset, generator: &generator) }
        }
    }

    public static func == (lhs: Autoencoder, rhs: Autoencoder) -> Bool {
        lhs.architecture == rhs.architecture && lhs.parameters == rhs.parameters
    }

    /// Every layer in parameter order.
    public var allLayers: [PlacedLayer] { encoder + decoder }

    /// Where the tensor at model-file path `path` (such as "encoder/mean/bias")
    /// starts in `parameters`.
    public func offset(of path: String) -> Int {
        guard let stored = architecture.storedTensors.first(where: { $0.path == path }) else {
            preconditionFailure("the model has no tensor \(path)")
        }
        return stored.offset
    }

    public var latentWidth: Int { architecture.latent }
    public var inputWidth: Int { architecture.inputWidth }
}

extension Autoencoder {
    /// Encodes normalised rows to latent means, and for a VAE log-variances
    /// unless `logVariance` is false.
    public func encode(_ input: Matrix, pool: WorkerPool, logVariance: Bool = true) -> LatentCodes {
        precondition(input.cols == inputWidth, "input width does not match the model")
        guard input.rows > 0 else { return bottleneck.codes(from: input.storage, rows: 0, logVariance: logVariance) }
        let (layers, stacks) = logVariance ? (encoder, encoderStacks) : (meanEncoder, meanEncoderStacks)
        return stacks.withStack(layers, rows: input.rows) { stack in
            parameters.withUnsafeBufferPointer { p in
                input.storage.withUnsafeBufferPointer { x in
                    bottleneck.codes(
                        from: stack.forward(x.baseAddress!, rows: input.rows, parameters: p.baseAddress!, pool: pool),
                        rows: input.rows, logVariance: logVariance)
                }
            }
        }
    }

    /// Decodes latent rows to the decoder's last pre-activations (logits for
    /// `bce`), in normalised units. Codes beyond ±`LatentCodes.limit` are
    /// clamped first, so no code a user hands in overflows the decoder.
    public func decodeLogits(_ codes: Matrix, pool: WorkerPool) -> Matrix {
        precondition(codes.cols == latentWidth, "code width does not match the model")
        var clamped = codes
        let limit = LatentCodes.limit
        if codes.storage.contains(where: { abs($0) > limit }) { clamped.clamp(to: -limit...limit) }
        guard codes.rows > 0 else { return Matrix(rows: 0, cols: inputWidth) }
        return decoderStacks.withStack(decoder, rows: codes.rows) { stack in
            parameters.withUnsafeBufferPointer { p in
                clamped.storage.withUnsafeBufferPointer { z in
                    Matrix(rows: codes.rows, cols: inputWidth) { logits in
                        stack.forward(z.baseAddress!, rows: codes.rows, parameters: p.baseAddress!, pool: pool, into: logits)
                    }
                }
            }
        }
    }

    /// Decodes latent rows to normalised data values (the loss's output
    /// activation applied).
    public func decode(_ codes: Matrix, pool: WorkerPool) -> Matrix {
        var output = decodeLogits(codes, pool: pool)
        output.storage.withUnsafeMutableBufferPointer { architecture.loss.outputActivation.apply($0) }
        return output
    }
}
