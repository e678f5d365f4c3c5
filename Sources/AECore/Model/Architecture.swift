/// Plain autoencoder or variational autoencoder.
public enum ModelKind: String, CaseIterable, Sendable, Codable {
    case ae
    case vae
}

/// The shape of a model: everything needed to lay out its parameters.
///
/// The architecture builds the network's layer lists once (`encoderLayers`,
/// `bottleneck`, `decoderLayers`); the parameter layout, the model file's
/// names and shapes, training and inference all follow from them.
public struct Architecture: Equatable, Sendable {
    public var kind: ModelKind
    public var inputWidth: Int
    public var hidden: [Int]
    public var latent: Int
    public var activation: Activation
    public var loss: Loss
    public var layout: Layout

    public init(
        kind: ModelKind, inputWidth: Int, hidden: [Int], latent: Int, activation: Activation, loss: Loss,
        layout: Layout = .dense
    ) {
        self.kind = kind
        self.inputWidth = inputWidth
        self.hidden = hidden
        self.latent = latent
        self.activation = activation
        self.loss = loss
        self.layout = layout
    }

    /// The kind of layers between the data and the dense layers: the one
    /// place a new layer type enters the architecture (with its layers in
    /// the lists below and its attributes in the model file), so that the
    /// options that choose it and the fit pass it through untouched.
    public enum Layout: Equatable, Sendable {
        /// Dense layers only.
        case dense
        /// Convolutions from the image, then the dense layers; transposed
        /// convolutions back to the image in the decoder.
        case convolutional(Convolutions)
    }

    /// The convolutions, for a convolutional layout.
    public var convolutions: Convolutions? {
        guard case .convolutional(let convolutions) = layout else { return nil }
        return convolutions
    }

    /// The width of the rows the dense layers see: the input's, or what the
    /// convolutions make of it.
    var denseInputWidth: Int { convolutions?.flattenedWidth ?? inputWidth }

    /// Largest layer width accepted from options or a model file; keeps a
    /// hostile file from declaring sizes that would exhaust memory.
    public static let maximumWidth = 1 << 20
    /// Largest parameter count accepted (4 GiB of Float32).
    public static let maximumParameters = 1 << 30

    /// Checks every size before anything is allocated from them.
    public func validate() throws {
        if let convolutions {
            try convolutions.image.checkRowLength(inputWidth)
            try ConvolutionKernels.loadOneDNN()
        }
        let widths = [inputWidth] + hidden + [latent]
        guard widths.allSatisfy({ $0 >= 1 && $0 <= Self.maximumWidth }) else {
            throw AEError("layer sizes must be between 1 and \(Self.maximumWidth); got \(widths.map(String.init).joined(separator: ","))")
        }
        guard parameterCount <= Self.maximumParameters else {
            throw AEError("the model would have \(parameterCount) parameters; at most \(Self.maximumParameters) are supported")
        }
    }

    /// The encoder's layers with their model-file group names: hidden layers
    /// with the activation after each, then the linear head that feeds the
    /// bottleneck (a VAE's mean and log-variance heads together).
    public var encoderLayers: [(name: String, layer: any Layer)] {
        let convolutional = convolutions?.layers(activation: activation).encoder ?? []
        let widths = [denseInputWidth] + hidden
        let readsData = convolutional.isEmpty
        let hiddenLayers = zip(widths, widths.dropFirst()).enumerated().map { index, sizes in
            (name: "encoder/layer_\(index)",
             layer: DenseLayer(inputs: sizes.0, outputs: sizes.1, activation: activation, readsData: readsData && index == 0) as any Layer)
        }
        let headReadsData = readsData && hidden.isEmpty
        let head: (name: String, layer: any Layer) = kind == .vae
            ? ("encoder", PosteriorHeads(inputs: widths.last!, latent: latent, readsData: headReadsData))
            : ("encoder/mean", DenseLayer(inputs: widths.last!, outputs: latent, readsData: headReadsData))
        return convolutional + hiddenLayers + [head]
    }

    public var bottleneck: Bottleneck {
        kind == .vae ? .gaussian(latent: latent) : .identity(latent: latent)
    }

    /// The decoder's layers, mirroring the encoder: hidden sizes reversed with
    /// the activation after each, then a linear layer back to the input width
    /// (logits for `bce`).
    public var decoderLayers: [(name: String, layer: any Layer)] {
        let widths = [latent] + hidden.reversed()
        var layers = zip(widths, widths.dropFirst()).enumerated().map { index, sizes in
            (name: "decoder/layer_\(index)", layer: DenseLayer(inputs: sizes.0, outputs: sizes.1, activation: activation) as any Layer)
        }
        guard let convolutions else {
            return layers + [(name: "decoder/output", layer: DenseLayer(inputs: widths.last!, outputs: inputWidth))]
        }
        // A dense layer back to the convolutions' width, then the transposed convolutions.
        layers.append((name: "decoder/layer_\(layers.count)",
                       layer: DenseLayer(inputs: widths.last!, outputs: convolutions.flattenedWidth, activation: activation)))
        return layers + convolutions.layers(activation: activation).decoder
    }

    /// The encoder's and decoder's layers, each at its offset in the flat
    /// parameter vector: the encoder's first, as listed.
    public var placedLayers: (encoder: [PlacedLayer], decoder: [PlacedLayer]) {
        var offset = 0
        func place(_ layers: [(name: String, layer: any Layer)]) -> [PlacedLayer] {
            layers.map { named in
                defer { offset += named.layer.parameterCount }
                return PlacedLayer(name: named.name, layer: named.layer, offset: offset)
            }
        }
        let encoder = place(encoderLayers)
        return (encoder, place(decoderLayers))
    }

    /// Every parameter tensor by its model-file path ("encoder/mean/bias"),
    /// with where it starts in the parameters, in parameter order. The model
    /// file's writer, its loader (which checks shapes against these before
    /// allocating anything) and ae-info read this one list.
    public var storedTensors: [(path: String, tensor: ParameterTensor, offset: Int)] {
        let (encoder, decoder) = placedLayers
        return (encoder + decoder).flatMap { placed in
            placed.layer.tensors.map { (path: "\(placed.name)/\($0.name)", tensor: $0, offset: placed.offset + $0.offset) }
        }
    }

    /// Parameter count, computed without overflow for sizes within `maximumWidth`.
    public var parameterCount: Int {
        (encoderLayers + decoderLayers).reduce(0) { $0 + $1.layer.parameterCount }
    }
}

// MARK: The model file's attributes

extension Architecture {
    /// The attributes that describe the architecture, in the order written.
    public var attributes: [(name: String, value: ArchitectureAttribute)] {
        [("kind", .text(kind.rawValue)), ("input_width", .integer(inputWidth)), ("hidden", .integers(hidden)),
         ("latent", .integer(latent)), ("activation", .text(activation.rawValue)), ("loss", .text(loss.rawValue))]
            + (convolutions.map { [("conv", .integers($0.channels)), ("conv_kernel", .integer($0.kernel)), ("conv_stride", .integer($0.stride))] } ?? [])
    }

    /// Reads an architecture back from `source` and validates it; a missing
    /// or unknown attribute is an error naming it.
    public init(attributes source: some ArchitectureAttributeSource) throws {
        func required<T>(_ name: String, _ read: (String) throws -> T?) throws -> T {
            guard let value = try read(name) else { throw AEError("model file has no \(name) attribute") }
            return value
        }
        let kindName = try required("kind", source.text)
        let activationName = try required("activation", source.text)
        let lossName = try required("loss", source.text)
        guard let kind = ModelKind(rawValue: kindName) else { throw AEError("unknown model kind \"\(kindName)\"") }
        guard let activation = Activation(rawValue: activationName) else {
            throw AEError("unknown activation \"\(activationName)\"")
        }
        guard let loss = Loss(name: lossName) else { throw AEError("unknown loss \"\(lossName)\"") }
        var layout = Layout.dense
        if let channels = try source.integers("conv") {
            // The convolutions' image is the model's (its image_shape).
            let dims = try required("image_shape", source.integers)
            guard dims.count == 3 else { throw AEError("image_shape must hold [height, width, channels]") }
            layout = .convolutional(try Convolutions(
                image: try ImageShape(height: dims[0], width: dims[1], channels: dims[2]), channels: channels,
                kernel: try required("conv_kernel", source.integer), stride: try required("conv_stride", source.integer)))
        }
        self.init(
            kind: kind, inputWidth: try required("input_width", source.integer), hidden: try required("hidden", source.integers),
            latent: try required("latent", source.integer), activation: activation, loss: loss, layout: layout)
        do {
            try validate()
        } catch let error as AEError {
            throw AEError("model declares unusable sizes: \(error.message)")
        }
    }
}
