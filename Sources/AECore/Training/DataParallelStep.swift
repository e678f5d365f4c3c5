/// The training objective over a batch, split by rows across threads.
///
/// Each thread runs a `GradientStep` on its share of the rows with
/// single-threaded BLAS and its own gradient buffer; callers then sum the
/// buffers in a fixed order (`gradientParts`). Splitting whole passes rather
/// than each product keeps the threads apart for the entire forward and
/// backward pass, and the row split depends only on the thread count, which
/// keeps seeded runs bit-identical.
public final class DataParallelStep {
    public let capacity: Int
    public let pool: WorkerPool
    private let steps: [GradientStep]
    private let gradients: [ScratchBuffer]
    private let latentNoise: ScratchBuffer
    private let latentWidth: Int
    private let isVariational: Bool
    private var partsUsed = 0

    public init(model: Autoencoder, capacity: Int, pool: WorkerPool) {
        self.capacity = capacity
        self.pool = pool
        let share = (capacity + pool.threads - 1) / pool.threads
        steps = (0..<pool.threads).map { _ in GradientStep(model: model, capacity: share) }
        gradients = (0..<pool.threads).map { _ in ScratchBuffer(count: model.parameters.count) }
        latentWidth = model.latentWidth
        isVariational = model.architecture.kind == .vae
        latentNoise = ScratchBuffer(count: capacity * model.latentWidth)
    }

    /// The per-thread gradients of the last `run`, to be summed in this order.
    public var gradientParts: [UnsafeMutablePointer<Float>] {
        gradients.prefix(partsUsed).map(\.pointer)
    }

    /// Evaluates `rows` rows of `input` against `target`. A VAE draws its
    /// latent noise from `generator` (nil: z = μ). With `computeGradients`,
    /// `gradientParts` then sum to ∂(mean objective)/∂parameters.
    public func run(
        model: Autoencoder, input: UnsafePointer<Float>, target: UnsafePointer<Float>, rows: Int,
        klWeight: Float, generator: inout SeededGenerator?, computeGradients: Bool
    ) -> BatchLoss {
        precondition(rows <= capacity, "batch larger than the step's capacity")
        let noise: UnsafePointer<Float>?
        if isVariational, generator != nil {
            generator!.fillGaussian(latentNoise.buffer(count: rows * latentWidth))
            noise = UnsafePointer(latentNoise.pointer)
        } else {
            noise = nil
        }
        let shares = pool.partition(rows)
        partsUsed = shares.count
        var losses = [BatchLoss](repeating: BatchLoss(), count: shares.count)
        let width = model.inputWidth, latent = latentWidth
        let single = WorkerPool(threads: 1)
        losses.withUnsafeMutableBufferPointer { losses in
            pool.run(tasks: shares.count) { part in
                let share = shares[part]
                losses[part] = steps[part].run(
                    model: model, input: input + share.lowerBound * width, target: target + share.lowerBound * width,
                    rows: share.count, klWeight: klWeight, latentNoise: noise.map { $0 + share.lowerBound * latent },
                    gradients: computeGradients ? gradients[part].pointer : nil,
                    gradientScale: 1 / Float(rows), pool: single)
            }
        }
        return losses.reduce(into: BatchLoss()) { $0 += $1 }
    }
}
