import Foundation

/// Adam with decoupled weight decay (AdamW when `weightDecay` > 0).
///
/// Decoupled decay shrinks weights by lr · decay each step independently of
/// the gradient's scale, which is what "weight decay" means to most users of
/// Adam; with decay 0 it is PyTorch's `torch.optim.Adam` step for step.
public struct Adam: Sendable {
    public var learningRate: Float
    public var weightDecay: Float
    public let beta1: Float = 0.9
    public let beta2: Float = 0.999
    public let epsilon: Float = 1e-8
    private var firstMoment: [Float]
    private var secondMoment: [Float]
    private var step = 0

    public init(parameterCount: Int, learningRate: Float, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        firstMoment = [Float](repeating: 0, count: parameterCount)
        secondMoment = [Float](repeating: 0, count: parameterCount)
    }

    /// Moves `parameters` one step against `gradients`.
    public mutating func update(_ parameters: inout [Float], gradients: UnsafePointer<Float>) {
        precondition(parameters.count == firstMoment.count, "parameter count changed")
        step += 1
        let correction1 = 1 - powf(beta1, Float(step))
        let correction2 = 1 - powf(beta2, Float(step))
        let stepSize = learningRate / correction1
        let inverseRootCorrection2 = 1 / correction2.squareRoot()
        let decay = 1 - learningRate * weightDecay
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        parameters.withUnsafeMutableBufferPointer { p in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    for i in p.indices {
                        let g = gradients[i]
                        m[i] = b1 * m[i] + (1 - b1) * g
                        v[i] = b2 * v[i] + (1 - b2) * g * g
                        let denominator = v[i].squareRoot() * inverseRootCorrection2 + eps
                        p[i] = p[i] * decay - stepSize * m[i] / denominator
                    }
                }
            }
        }
    }
}
