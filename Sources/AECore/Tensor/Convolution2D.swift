/// The geometry of a 2-D convolution or transposed convolution (square
/// kernel; one stride and one padding for both axes), checked so that every
/// size it reports is positive and its buffers can be counted without
/// overflow.
///
/// Layouts, fixed here for every caller:
/// - activations are images in HWC order, as ae's rows hold them (see
///   `ImageShape`), so a batch is `batch × (height·width·channels)` row-major,
///   i.e. NHWC: the network's input rows go in without a transpose and the
///   batch folds into the kernels' row dimension;
/// - weights are kept in torch's order, so the model file can store them as
///   they are in memory and torch loads them as they are: `Conv2d`'s
///   `(out, in, kH, kW)` and `ConvTranspose2d`'s `(in, out, kH, kW)`; the
///   bias has `outputChannels` values.
///
/// Sizes follow torch: a convolution's output side is
/// `(side + 2·padding − kernel) / stride + 1` (rounded down), a transposed
/// convolution's `(side − 1)·stride − 2·padding + kernel`, its adjoint.
public struct Convolution2D: Equatable, Sendable, CustomStringConvertible {
    public let transposed: Bool
    public let inputHeight: Int
    public let inputWidth: Int
    public let inputChannels: Int
    public let outputHeight: Int
    public let outputWidth: Int
    public let outputChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int

    /// oneDNN counts in 32-bit integers: every buffer of a batch stays below this.
    static let largestCount = Int(Int32.max)

    public init(
        transposed: Bool = false, inputHeight: Int, inputWidth: Int, inputChannels: Int, outputChannels: Int,
        kernel: Int, stride: Int = 1, padding: Int = 0
    ) throws {
        let name = Self.text(
            transposed: transposed, height: inputHeight, width: inputWidth, channels: inputChannels,
            outputChannels: outputChannels, kernel: kernel, stride: stride, padding: padding)
        guard inputHeight > 0, inputWidth > 0, inputChannels > 0, outputChannels > 0 else {
            throw AEError("\(name): image sides and channel counts must be positive")
        }
        guard kernel > 0, stride > 0 else { throw AEError("\(name): kernel and stride must be positive") }
        guard padding >= 0, padding < kernel else {
            throw AEError("\(name): padding must be at least 0 and smaller than the kernel")
        }
        let sides = [inputHeight, inputWidth, inputChannels, outputChannels, kernel, stride]
        guard sides.allSatisfy({ $0 <= Self.largestCount }) else { throw AEError("\(name) is too large") }
        func outputSide(_ side: Int) -> Int {
            transposed ? (side - 1) * stride - 2 * padding + kernel : (side + 2 * padding - kernel) / stride + 1
        }
        guard transposed || (inputHeight + 2 * padding >= kernel && inputWidth + 2 * padding >= kernel),
              outputSide(inputHeight) > 0, outputSide(inputWidth) > 0
        else {
            throw AEError("\(name): the kernel does not fit the padded \(inputHeight)x\(inputWidth) input")
        }
        self.transposed = transposed
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.outputHeight = outputSide(inputHeight)
        self.outputWidth = outputSide(inputWidth)
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        guard let counts = Self.product([inputHeight, inputWidth, inputChannels]),
              let outputs = Self.product([outputHeight, outputWidth, outputChannels]),
              let weights = Self.product([inputChannels, outputChannels, kernel, kernel]),
              max(counts, outputs, weights) <= Self.largestCount
        else { throw AEError("\(name) is too large") }
    }

    private static func product(_ values: [Int]) -> Int? {
        var result = 1
        for value in values {
            let (next, overflow) = result.multipliedReportingOverflow(by: value)
            if overflow { return nil }
            result = next
        }
        return result
    }

    private static func text(
        transposed: Bool, height: Int, width: Int, channels: Int, outputChannels: Int,
        kernel: Int, stride: Int, padding: Int
    ) -> String {
        "\(transposed ? "transposed convolution" : "convolution") \(height)x\(width)x\(channels) -> "
            + "\(outputChannels) channels (kernel \(kernel), stride \(stride), padding \(padding))"
    }

    public var description: String {
        Self.text(
            transposed: transposed, height: inputHeight, width: inputWidth, channels: inputChannels,
            outputChannels: outputChannels, kernel: kernel, stride: stride, padding: padding)
    }

    /// Values of one input image, `inputHeight · inputWidth · inputChannels`.
    public var inputValues: Int { inputHeight * inputWidth * inputChannels }
    /// Values of one output image.
    public var outputValues: Int { outputHeight * outputWidth * outputChannels }
    public var weightCount: Int { inputChannels * outputChannels * kernel * kernel }
    public var biasCount: Int { outputChannels }

    /// The weight tensor's shape in torch's order (and the model file's).
    public var weightShape: [Int] {
        transposed ? [inputChannels, outputChannels, kernel, kernel] : [outputChannels, inputChannels, kernel, kernel]
    }

    /// Multiply-adds of one image's forward pass (each backward product, input
    /// or weight gradient, takes as many), counting those on padding.
    public var multiplyAddsPerImage: Int {
        let pixels = transposed ? inputHeight * inputWidth : outputHeight * outputWidth
        return pixels * inputChannels * outputChannels * kernel * kernel
    }

    /// Whether a batch of `images` keeps every buffer countable by oneDNN.
    func fits(batch images: Int) -> Bool {
        images > 0 && images <= Self.largestCount / max(inputValues, outputValues)
    }
}
