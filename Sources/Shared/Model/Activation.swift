import Foundation

/// The nonlinearity between hidden layers.
///
/// Each derivative is written in terms of the activation's output, so the
/// backward pass needs only the stored outputs, not the pre-activations.
public enum Activation: String, CaseIterable, Sendable, Codable {
    case relu
    case leakyRelu = "leaky-relu"
    case elu
    case tanh
    case sigmoid
    case identity

    /// Negative-side slope of leaky-relu, PyTorch's default.
    static let leakySlope: Float = 0.01

    /// Replaces each pre-activation in `values` by the activation's output.
    public func apply(_ values: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .relu:
            for i in values.indices { values[i] = max(values[i], 0) }
        case .leakyRelu:
            for i in values.indices { let v = values[i]; values[i] = v > 0 ? v : v * Self.leakySlope }
        case .elu:
            for i in values.indices { let v = values[i]; values[i] = v > 0 ? v : expm1f(v) }
        case .tanh:
            for i in values.indices { values[i] = tanhf(values[i]) }
        case .sigmoid:
            for i in values.indices { values[i] = Activation.logistic(values[i]) }
        case .identity:
            break
        }
    }

    /// Turns gradients with respect to the outputs into gradients with respect
    /// to the pre-activations, given the outputs.
    public func backward(outputs: UnsafeBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>) {
        precondition(outputs.count == gradients.count, "shape mismatch in activation backward")
        switch self {
        case .relu:
            for i in gradients.indices where outputs[i] <= 0 { gradients[i] = 0 }
        case .leakyRelu:
            for i in gradients.indices where outputs[i] <= 0 { gradients[i] *= Self.leakySlope }
        case .elu:
            for i in gradients.indices where outputs[i] <= 0 { gradients[i] *= outputs[i] + 1 }
        case .tanh:
            for i in gradients.indices { let y = outputs[i]; gradients[i] *= 1 - y * y }
        case .sigmoid:
            for i in gradients.indices { let y = outputs[i]; gradients[i] *= y * (1 - y) }
        case .identity:
            break
        }
    }

    /// 1 / (1 + e^-x) without overflow for large |x|.
    @inline(__always)
    static func logistic(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + expf(-x))
        }
        let e = expf(x)
        return e / (1 + e)
    }
}
