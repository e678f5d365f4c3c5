import Glibc

/// A 2-D convolution or transposed convolution over images stored as rows
/// (HWC), with its activation fused: the layer type of convolutional models
/// (`Architecture.Layout.convolutional`).
///
/// Weights are kept, and stored in the model file, in torch's shapes
/// (`Conv2d`'s (out, in, kH, kW), `ConvTranspose2d`'s (in, out, kH, kW)), so
/// torch and numpy read them as they are. The passes run on
/// `ConvolutionKernels`; relu is fused into the forward pass there, any
/// other activation follows it.
public struct ConvolutionLayer: Layer, Equatable {
    public let geometry: Convolution2D
    public let activation: Activation

    public init(_ geometry: Convolution2D, activation: Activation) {
        self.geometry = geometry
        self.activation = activation
    }

    public var inputWidth: Int { geometry.inputValues }
    public var outputWidth: Int { geometry.outputValues }

    public var tensors: [ParameterTensor] {
        [ParameterTensor(name: "weight", shape: geometry.weightShape, offset: 0),
         ParameterTensor(name: "bias", shape: [geometry.biasCount], offset: geometry.weightCount)]
    }

    /// Drawn like torch's default for these layers: weights and biases
    /// uniform in ±1/√fan-in, where torch takes the fan-in from the weight's
    /// second dimension times the kernel's area (in channels for `Conv2d`,
    /// out channels for `ConvTranspose2d`).
    public func initialize(_ parameters: UnsafeMutablePointer<Float>, generator: inout SeededGenerator) {
        let fanIn = geometry.weightShape[1] * geometry.kernel * geometry.kernel
        let bound = 1 / Double(fanIn).squareRoot()
        for i in 0..<parameterCount { parameters[i] = Float((2 * generator.uniform() - 1) * bound) }
    }

    private var fusesRelu: Bool { activation == .relu }

    /// The kernels with their plans, which take milliseconds to make: a
    /// workspace lives as long as its stack, which training keeps for the
    /// run and inference reuses from block to block (`LayerStackShelf`).
    final class Workspace: LayerWorkspace, @unchecked Sendable {
        let kernels: ConvolutionKernels

        init(_ layer: ConvolutionLayer) {
            kernels = ConvolutionKernels(layer.geometry, relu: layer.fusesRelu)
        }
    }

    public func makeWorkspace(rows: Int) -> LayerWorkspace? { Workspace(self) }

    public func forward(
        _ input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, workspace: LayerWorkspace?, pool: WorkerPool
    ) {
        let kernels = (workspace as! Workspace).kernels
        Self.succeed(kernels.geometry) {
            try kernels.forward(
                input: input, batch: rows, weights: parameters, bias: parameters + geometry.weightCount, output: output, pool: pool)
        }
        if !fusesRelu { activation.apply(UnsafeMutableBufferPointer(start: output, count: rows * outputWidth)) }
    }

    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, rows: Int,
        outputGradient: UnsafeMutablePointer<Float>, parameters: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
        workspace: LayerWorkspace?, pool: WorkerPool
    ) {
        activation.backward(outputs: output, gradients: outputGradient, count: rows * outputWidth)
        let kernels = (workspace as! Workspace).kernels
        Self.succeed(kernels.geometry) {
            try kernels.backward(
                input: input, outputGradient: outputGradient, batch: rows, weights: parameters, inputGradient: inputGradient,
                weightGradient: gradients, biasGradient: gradients + geometry.weightCount, pool: pool)
        }
    }

    /// The kernels fail only when oneDNN cannot be loaded, which
    /// `Architecture.validate` checks before any layer is built, or when it
    /// cannot run a shape it accepted: a fault of the library, not of the
    /// input, which ends the tool with the library's reason.
    private static func succeed(_ geometry: Convolution2D, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            fatalError("\(geometry): \(error)")
        }
    }
}

/// The convolutions of a convolutional model: `channels.count` convolutions
/// of `kernel` × `kernel`, stride `stride`, from the image to
/// `channels.last` channels, and the decoder's transposed convolutions back
/// to the image's size and channels. Padding is (kernel − stride) / 2, which
/// makes each transposed convolution undo its convolution's change of size
/// (k4 s2 p1 halves a side: 28 → 14 → 7 and back).
public struct Convolutions: Equatable, Sendable {
    public let image: ImageShape
    public let channels: [Int]
    public let kernel: Int
    public let stride: Int
    /// Data first: the encoder's convolutions.
    public let encoder: [Convolution2D]
    /// Latent side first: the decoder's transposed convolutions, the last
    /// giving the image's channels.
    public let decoder: [Convolution2D]

    public static let defaultKernel = 4
    public static let defaultStride = 2

    public init(image: ImageShape, channels: [Int], kernel: Int = defaultKernel, stride: Int = defaultStride) throws {
        guard !channels.isEmpty, channels.allSatisfy({ $0 >= 1 && $0 <= Architecture.maximumWidth }) else {
            throw AEError("--conv needs one or more channel counts between 1 and \(Architecture.maximumWidth)")
        }
        guard kernel >= stride, (kernel - stride) % 2 == 0 else {
            throw AEError("kernel \(kernel) and stride \(stride): the kernel must exceed the stride by an even number (such as 4 and 2, or 3 and 1), so that the decoder can mirror each convolution")
        }
        let padding = (kernel - stride) / 2
        var encoder: [Convolution2D] = []
        var side = (height: image.height, width: image.width, channels: image.channels)
        for count in channels {
            let convolution = try Convolution2D(
                inputHeight: side.height, inputWidth: side.width, inputChannels: side.channels,
                outputChannels: count, kernel: kernel, stride: stride, padding: padding)
            guard (convolution.outputHeight - 1) * stride - 2 * padding + kernel == side.height,
                  (convolution.outputWidth - 1) * stride - 2 * padding + kernel == side.width
            else {
                throw AEError("image \(image): a side of \(side.height)x\(side.width) does not divide by the stride \(stride), so the decoder cannot mirror the convolutions; use fewer --conv layers or another image size")
            }
            encoder.append(convolution)
            side = (convolution.outputHeight, convolution.outputWidth, count)
        }
        let decoder = try encoder.reversed().map { convolution in
            try Convolution2D(
                transposed: true, inputHeight: convolution.outputHeight, inputWidth: convolution.outputWidth,
                inputChannels: convolution.outputChannels, outputChannels: convolution.inputChannels,
                kernel: kernel, stride: stride, padding: padding)
        }
        self.image = image
        self.channels = channels
        self.kernel = kernel
        self.stride = stride
        self.encoder = encoder
        self.decoder = decoder
    }

    /// Values a row holds after the last convolution: the dense layers' width.
    public var flattenedWidth: Int { encoder.last!.outputValues }

    /// The convolutions' layers: the activation after each, but the last
    /// transposed convolution gives the decoder's output (logits for bce).
    func layers(activation: Activation) -> (encoder: [(name: String, layer: any Layer)], decoder: [(name: String, layer: any Layer)]) {
        let encoderLayers = encoder.enumerated().map { index, geometry in
            (name: "encoder/conv_\(index)", layer: ConvolutionLayer(geometry, activation: activation) as any Layer)
        }
        let decoderLayers = decoder.enumerated().map { index, geometry in
            (name: index == decoder.count - 1 ? "decoder/output" : "decoder/conv_\(index)",
             layer: ConvolutionLayer(geometry, activation: index == decoder.count - 1 ? .identity : activation) as any Layer)
        }
        return (encoderLayers, decoderLayers)
    }
}
