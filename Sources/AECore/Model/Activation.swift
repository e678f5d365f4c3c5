import CKernels

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
            ae_relu(values.baseAddress, values.count)
        case .leakyRelu:
            ae_leaky_relu(values.baseAddress, values.count, Self.leakySlope)
        case .elu:
            ae_elu(values.baseAddress, values.count)
        case .tanh:
            ae_tanh(values.baseAddress, values.count)
        case .sigmoid:
            ae_sigmoid(values.baseAddress, values.count)
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
            ae_relu_backward(outputs.baseAddress, gradients.baseAddress, gradients.count)
        case .leakyRelu:
            ae_leaky_relu_backward(outputs.baseAddress, gradients.baseAddress, gradients.count, Self.leakySlope)
        case .elu:
            ae_elu_backward(outputs.baseAddress, gradients.baseAddress, gradients.count)
        case .tanh:
            ae_tanh_backward(outputs.baseAddress, gradients.baseAddress, gradients.count)
        case .sigmoid:
            ae_sigmoid_backward(outputs.baseAddress, gradients.baseAddress, gradients.count)
        case .identity:
            break
        }
    }

    /// `backward` over `count` outputs and gradients given by their start,
    /// as a layer's backward pass holds them.
    public func backward(outputs: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>, count: Int) {
        backward(outputs: UnsafeBufferPointer(start: outputs, count: count), gradients: UnsafeMutableBufferPointer(start: gradients, count: count))
    }
}
