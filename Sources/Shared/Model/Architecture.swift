/// Plain autoencoder or variational autoencoder.
public enum ModelKind: String, CaseIterable, Sendable, Codable {
    case ae
    case vae
}

/// The shape of a model: everything needed to lay out its parameters.
///
/// The decoder mirrors the encoder: hidden sizes reversed, then a layer back
/// to the input width. The bottleneck is linear; a VAE has a second linear
/// head for the log-variance.
public struct Architecture: Equatable, Sendable {
    public var kind: ModelKind
    public var inputWidth: Int
    public var hidden: [Int]
    public var latent: Int
    public var activation: Activation
    public var loss: Loss

    public init(kind: ModelKind, inputWidth: Int, hidden: [Int], latent: Int, activation: Activation, loss: Loss) {
        self.kind = kind
        self.inputWidth = inputWidth
        self.hidden = hidden
        self.latent = latent
        self.activation = activation
        self.loss = loss
    }

    /// Largest layer width accepted from options or a model file; keeps a
    /// hostile file from declaring sizes that would exhaust memory.
    public static let maximumWidth = 1 << 20
    /// Largest parameter count accepted (4 GiB of Float32).
    public static let maximumParameters = 1 << 30

    /// Checks every size before anything is allocated from them.
    public func validate() throws {
        let widths = [inputWidth] + hidden + [latent]
        guard widths.allSatisfy({ $0 >= 1 && $0 <= Self.maximumWidth }) else {
            throw AEError("layer sizes must be between 1 and \(Self.maximumWidth); got \(widths.map(String.init).joined(separator: ","))")
        }
        guard parameterCount <= Self.maximumParameters else {
            throw AEError("the model would have \(parameterCount) parameters; at most \(Self.maximumParameters) are supported")
        }
    }

    /// Every layer's inputs and outputs, in parameter order: encoder hidden
    /// layers, mean head, log-variance head (VAE), decoder hidden layers,
    /// output layer. The model's layout, its parameter count and the model
    /// file's shape checks all follow from this one list.
    public var layerShapes: [(inputs: Int, outputs: Int)] {
        let encoderWidths = [inputWidth] + hidden
        let decoderWidths = [latent] + hidden.reversed() + [inputWidth]
        let head = (inputs: encoderWidths.last!, outputs: latent)
        return zip(encoderWidths, encoderWidths.dropFirst()).map { (inputs: $0, outputs: $1) }
            + (kind == .vae ? [head, head] : [head])
            + zip(decoderWidths, decoderWidths.dropFirst()).map { (inputs: $0, outputs: $1) }
    }

    /// Parameter count, computed without overflow for sizes within `maximumWidth`.
    public var parameterCount: Int {
        layerShapes.reduce(0) { $0 + $1.inputs * $1.outputs + $1.outputs }
    }
}
