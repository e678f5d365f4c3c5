import CKernels
import Glibc

/// Adam with decoupled weight decay (AdamW when `weightDecay` > 0).
///
/// Decoupled decay shrinks weights by lr · decay each step independently of
/// the gradient's scale, which is what "weight decay" means to most users of
/// Adam; with decay 0 it is PyTorch's `torch.optim.Adam` step for step.
/// A step is begun once and then applied to disjoint parameter ranges, so
/// threads can update their own slices.
public final class Adam: @unchecked Sendable {
    public let learningRate: Float
    public let weightDecay: Float
    public let beta1: Float = 0.9
    public let beta2: Float = 0.999
    public let epsilon: Float = 1e-8
    private let firstMoment: ScratchBuffer
    private let secondMoment: ScratchBuffer
    private var step = 0
    private var stepSize: Float = 0
    private var inverseRootCorrection2: Float = 0

    public init(parameterCount: Int, learningRate: Float, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        firstMoment = ScratchBuffer(count: parameterCount)
        secondMoment = ScratchBuffer(count: parameterCount)
    }

    /// Advances the step counter and its bias corrections.
    public func beginStep() {
        step += 1
        stepSize = learningRate / (1 - powf(beta1, Float(step)))
        inverseRootCorrection2 = 1 / (1 - powf(beta2, Float(step))).squareRoot()
    }

    /// Moves `parameters[range]` against the sum of `gradientParts[k][range]`,
    /// summed in the order given (into the first part, which is overwritten)
    /// so results do not depend on scheduling.
    public func update(_ range: Range<Int>, parameters: UnsafeMutablePointer<Float>, gradientParts: [UnsafeMutablePointer<Float>]) {
        gradientParts.map { Optional($0) }.withUnsafeBufferPointer { parts in
            ae_adam_update(
                parameters, firstMoment.pointer, secondMoment.pointer, parts.baseAddress!, parts.count,
                range.lowerBound, range.upperBound, beta1, beta2, epsilon, stepSize, inverseRootCorrection2,
                1 - learningRate * weightDecay)
        }
    }
}
