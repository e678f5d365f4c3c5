import CConvolution
import CKernels

/// Runs one `Convolution2D` forward and backward on batches of NHWC images,
/// with oneDNN's primitives (CConvolution.h; the layouts are the geometry's),
/// and ae's direct kernel for the forward pass of a transposed convolution
/// with few output channels.
///
/// Route: bench/conv_routes measured im2col + OpenBLAS sgemm against oneDNN
/// for the reference network's layers (see its README): with
/// OPENBLAS_CORETYPE=Haswell, as on these machines, OpenBLAS runs AVX2
/// kernels, while oneDNN's AVX-512 kernels ran the large layers at 160–200
/// GFLOPS a core, above OpenBLAS's whole sgemm ceiling.
///
/// Threads: a batch is cut into `pool.partition` blocks of whole images, and
/// each block runs on its own thread through its own one-thread plan; the
/// weight and bias gradients of the blocks are added in block order. So a
/// result depends on the batch size and the thread count, never on
/// scheduling, and a rerun is bit-identical.
///
/// An instance caches a plan per block and block size (primitive creation
/// compiles kernels, milliseconds), and the gradient buffers of the blocks
/// after the first: a training loop calling it every batch allocates nothing
/// after its first batches. It must not be used by two threads at once (give
/// each thread its own).
public final class ConvolutionKernels {
    public let geometry: Convolution2D
    /// Whether `forward` applies max(0, ·) after the bias (fused into the
    /// convolution's output pass).
    public let relu: Bool

    private struct PlanKey: Hashable {
        let block: Int
        let images: Int
    }

    private var plans: [PlanKey: OpaquePointer] = [:]
    /// A transposed convolution with at most this many output channels (and
    /// a kernel side up to `directKernel`, for the kernel's stack space) runs
    /// its forward pass on ae's direct kernel (CKernels.h): oneDNN has
    /// nothing to vectorise across there (the reference network's 32→1
    /// layer ran at 14 GFLOPS on it, the direct kernel at about 40).
    static let directOutputChannels = 4
    static let directKernel = 16
    /// The weights rearranged (in, kh, kw, out) for the direct kernel, when it is used.
    private let tapWeights: ScratchBuffer?
    /// Weight then bias gradient of block b + 1 at `partials[b]`.
    private var partials: [ScratchBuffer] = []

    /// Loads oneDNN, or says why it cannot be: for a model's loader to call
    /// before it builds convolution layers, whose passes then cannot fail
    /// for want of it.
    public static func loadOneDNN() throws {
        var error = [CChar](repeating: 0, count: 256)
        guard ae_conv_load(&error, error.count) != 0 else { throw AEError(message(error)) }
    }

    private static func message(_ error: [CChar]) -> String {
        String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public init(_ geometry: Convolution2D, relu: Bool = false) {
        self.geometry = geometry
        self.relu = relu
        let direct = geometry.transposed && geometry.outputChannels <= Self.directOutputChannels
            && geometry.kernel <= Self.directKernel
        tapWeights = direct ? ScratchBuffer(count: geometry.weightCount) : nil
    }

    deinit {
        for plan in plans.values { ae_conv_plan_destroy(plan) }
    }

    /// output[batch × outputValues] = [relu](conv(input) + bias), overwritten;
    /// input is batch × inputValues. An image's output depends on that image
    /// alone, not on the batch, its size or the threads, as `Layer` requires
    /// (oneDNN does not promise it; Convolution2DTests checks it on the
    /// reference network's shapes).
    public func forward(
        input: UnsafePointer<Float>, batch: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) throws {
        let geometry = geometry
        if let tapWeights {
            return try directForward(
                input: input, batch: batch, weights: weights, bias: bias, output: output, taps: tapWeights.pointer,
                pool: pool)
        }
        try run(batch: batch, pool: pool) { plan, images, _ in
            ae_conv_forward(
                plan, input + images.lowerBound * geometry.inputValues, weights, bias,
                output + images.lowerBound * geometry.outputValues)
        }
    }

    private func directForward(
        input: UnsafePointer<Float>, batch: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, taps: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) throws {
        let blocks = try blocks(batch, pool: pool)
        let g = geometry, k = g.kernel
        // Torch's (in, out, kh, kw) -> (in, kh, kw, out).
        for i in 0..<g.inputChannels {
            for o in 0..<g.outputChannels {
                for tap in 0..<(k * k) {
                    taps[(i * k * k + tap) * g.outputChannels + o] = weights[(i * g.outputChannels + o) * k * k + tap]
                }
            }
        }
        let relu: Int32 = relu ? 1 : 0
        let failure = Self.firstFailure(of: blocks.count, pool: pool) { task in
            let images = blocks[task]
            return ae_transposed_convolution_few_outputs(
                input + images.lowerBound * g.inputValues, images.count, g.inputHeight, g.inputWidth,
                g.inputChannels, taps, bias, g.outputHeight, g.outputWidth, g.outputChannels, g.kernel, g.stride,
                g.padding, relu, output + images.lowerBound * g.outputValues)
        }
        if failure != nil { throw AEError("\(geometry): out of memory") }
    }

    /// Given `outputGradient` = ∂L/∂(conv(input) + bias), before any relu
    /// (for a relu layer, first apply relu's derivative from the outputs:
    /// `ae_relu_backward`), overwrites `weightGradient` (torch's layout) and
    /// `biasGradient` with the gradients summed over the batch, and, when
    /// given, `inputGradient` (batch × inputValues) with ∂L/∂input. The
    /// network's first layer passes nil: its input needs no gradient.
    public func backward(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, batch: Int,
        weights: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) throws {
        let geometry = geometry
        let blocks = try blocks(batch, pool: pool)
        if blocks.isEmpty {
            weightGradient.update(repeating: 0, count: geometry.weightCount)
            biasGradient.update(repeating: 0, count: geometry.biasCount)
            return
        }
        while partials.count < blocks.count - 1 {
            partials.append(ScratchBuffer(count: geometry.weightCount + geometry.biasCount))
        }
        let partialPointers = partials.map(\.pointer)
        try run(batch: batch, pool: pool) { plan, images, block in
            let blockInput = input + images.lowerBound * geometry.inputValues
            let blockGradient = outputGradient + images.lowerBound * geometry.outputValues
            if let inputGradient {
                let status = ae_conv_backward_data(
                    plan, blockGradient, weights, inputGradient + images.lowerBound * geometry.inputValues)
                if status != 0 { return status }
            }
            let weightPart = block == 0 ? weightGradient : partialPointers[block - 1]
            let biasPart = block == 0 ? biasGradient : partialPointers[block - 1] + geometry.weightCount
            return ae_conv_backward_weights(plan, blockInput, blockGradient, weightPart, biasPart)
        }
        for part in partialPointers.prefix(blocks.count - 1) {
            for i in 0..<geometry.weightCount { weightGradient[i] += part[i] }
            for i in 0..<geometry.biasCount { biasGradient[i] += part[geometry.weightCount + i] }
        }
    }

    /// The pool's blocks of whole images for a batch (none for no images).
    private func blocks(_ batch: Int, pool: WorkerPool) throws -> [Range<Int>] {
        guard batch > 0 else { return [] }
        guard geometry.fits(batch: batch) else { throw AEError("\(geometry): a batch of \(batch) images is too large") }
        return pool.partition(batch)
    }

    /// Runs `body(task)` for every task in parallel: the first non-zero status, if any.
    private static func firstFailure(of tasks: Int, pool: WorkerPool, _ body: (Int) -> Int32) -> Int32? {
        var statuses = [Int32](repeating: 0, count: tasks)
        statuses.withUnsafeMutableBufferPointer { statuses in
            pool.run(tasks: tasks) { statuses[$0] = body($0) }
        }
        return statuses.first { $0 != 0 }
    }

    /// Splits `batch` into the pool's blocks, makes any plan missing (here,
    /// on the calling thread), then runs `body(plan, images, block)` for
    /// every block in parallel; throws if any block's oneDNN call failed.
    private func run(
        batch: Int, pool: WorkerPool, _ body: (OpaquePointer, Range<Int>, Int) -> Int32
    ) throws {
        let blocks = try blocks(batch, pool: pool)
        let blockPlans = try blocks.indices.map { try plan(PlanKey(block: $0, images: blocks[$0].count)) }
        if let failed = Self.firstFailure(of: blocks.count, pool: pool, { body(blockPlans[$0], blocks[$0], $0) }) {
            throw AEError("\(geometry): oneDNN failed to run (status \(failed))")
        }
    }

    private func plan(_ key: PlanKey) throws -> OpaquePointer {
        if let plan = plans[key] { return plan }
        var shape = ae_conv_shape(
            transposed: geometry.transposed ? 1 : 0, batch: Int32(key.images),
            in_height: Int32(geometry.inputHeight), in_width: Int32(geometry.inputWidth),
            in_channels: Int32(geometry.inputChannels), out_height: Int32(geometry.outputHeight),
            out_width: Int32(geometry.outputWidth), out_channels: Int32(geometry.outputChannels),
            kernel: Int32(geometry.kernel), stride: Int32(geometry.stride), padding: Int32(geometry.padding),
            relu: relu ? 1 : 0)
        var error = [CChar](repeating: 0, count: 256)
        guard let plan = ae_conv_plan_create(&shape, &error, error.count) else {
            throw AEError("\(geometry): \(Self.message(error))")
        }
        plans[key] = plan
        return plan
    }
}
