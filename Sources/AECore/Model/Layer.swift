/// One step of a network: a function of each row, with parameters of its own.
///
/// A network is a list of layers (`Architecture.encoderLayers`,
/// `decoderLayers`) around a `Bottleneck`, and one walk (`LayerStack`) runs
/// every list forward and backward, for training and for inference alike.
/// A layer sees only its own slice of the model's flat parameter vector, so
/// the optimizer, the gradient sums and the model file treat all parameters
/// as one array while each layer owns its layout.
///
/// Values flow as blocks of `rows` rows, row-major, `inputWidth` values per
/// row in and `outputWidth` out.
public protocol Layer: Sendable {
    var inputWidth: Int { get }
    var outputWidth: Int { get }

    /// The parameter tensors in the order they lie in the layer's slice,
    /// named and shaped as the model file stores them.
    var tensors: [ParameterTensor] { get }

    /// Writes initial values into the layer's `parameterCount` parameters.
    func initialize(_ parameters: UnsafeMutablePointer<Float>, generator: inout SeededGenerator)

    /// Scratch space for passes of up to `rows` rows, made once by whoever
    /// runs the passes so that the hot loop allocates nothing (nil: none).
    func makeWorkspace(rows: Int) -> LayerWorkspace?

    /// output[rows × outputWidth] = layer(input[rows × inputWidth]). `output`
    /// need not be initialised. A row's result depends on that row alone,
    /// never on the other rows of the block or their number.
    func forward(
        _ input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, workspace: LayerWorkspace?, pool: WorkerPool)

    /// Given the forward pass's `input` and `output` and ∂L/∂output (which the
    /// layer may overwrite), writes ∂L/∂parameters into `gradients` (the
    /// layer's slice, every element) and, unless `inputGradient` is nil (the
    /// network's own input needs none), ∂L/∂input.
    func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, rows: Int,
        outputGradient: UnsafeMutablePointer<Float>, parameters: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
        workspace: LayerWorkspace?, pool: WorkerPool)
}

extension Layer {
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }

    public func makeWorkspace(rows: Int) -> LayerWorkspace? { nil }
}

/// Scratch space a layer keeps between the passes of one owner (a training
/// step, an inference block); each layer type subclasses it.
open class LayerWorkspace: @unchecked Sendable {
    public init() {}
}

/// A parameter tensor: its name within the layer's group of the model file,
/// its stored shape (torch's), and where it lies in the layer's slice.
public struct ParameterTensor: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// Whether memory holds the stored matrix transposed: a dense layer keeps
    /// its weights [inputs, outputs] for its products and stores them
    /// [outputs, inputs] like `torch.nn.Linear`.
    public let transposedInMemory: Bool

    public init(name: String, shape: [Int], offset: Int, transposedInMemory: Bool = false) {
        precondition(!transposedInMemory || shape.count == 2, "only a matrix is stored transposed")
        self.name = name
        self.shape = shape
        self.offset = offset
        self.transposedInMemory = transposedInMemory
    }

    public var count: Int { shape.reduce(1, *) }
}

/// A layer in its place: the model file's group name for it and where its
/// parameters start in the model's flat vector.
public struct PlacedLayer: Sendable {
    public let name: String
    public let layer: any Layer
    public let offset: Int

    public var end: Int { offset + layer.parameterCount }
}
