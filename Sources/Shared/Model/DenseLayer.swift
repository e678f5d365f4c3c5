/// A fully connected layer: where its weights and bias sit in the model's
/// flat parameter vector, and the products that apply and differentiate it.
///
/// Weights are kept `[inputs, outputs]` row-major in memory, so row j holds
/// everything input j feeds; the model file stores them `[outputs, inputs]`
/// like `torch.nn.Linear` and transposes on the way in and out.
public struct DenseLayer: Equatable, Sendable {
    public let inputs: Int
    public let outputs: Int
    public let weightOffset: Int

    public var biasOffset: Int { weightOffset + inputs * outputs }
    public var parameterCount: Int { inputs * outputs + outputs }
    public var end: Int { weightOffset + parameterCount }

    /// output[rows × outputs] = input[rows × inputs] · W + b.
    public func forward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        let bias = parameters + biasOffset
        for row in 0..<rows {
            (output + row * outputs).update(from: bias, count: outputs)
        }
        BLAS.gemm(
            .none, .none, m: rows, n: outputs, k: inputs,
            a: input, lda: inputs, b: parameters + weightOffset, ldb: outputs,
            beta: 1, c: output, ldc: outputs, pool: pool)
    }

    /// Given ∂L/∂output, writes ∂L/∂W and ∂L/∂b into `gradients` (overwriting
    /// this layer's slice) and, when `inputGradient` is given, ∂L/∂input
    /// (added to what is there when `accumulate` is set, for inputs that feed
    /// two heads).
    public func backward(
        input: UnsafePointer<Float>, rows: Int, outputGradient: UnsafePointer<Float>,
        parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, accumulate: Bool = false, pool: WorkerPool
    ) {
        BLAS.gemm(
            .transposed, .none, m: inputs, n: outputs, k: rows,
            a: input, lda: inputs, b: outputGradient, ldb: outputs,
            c: gradients + weightOffset, ldc: outputs, pool: pool)
        let biasGradient = gradients + biasOffset
        biasGradient.update(repeating: 0, count: outputs)
        for row in 0..<rows {
            let g = outputGradient + row * outputs
            for j in 0..<outputs { biasGradient[j] += g[j] }
        }
        if let inputGradient {
            BLAS.gemm(
                .none, .transposed, m: rows, n: inputs, k: outputs,
                a: outputGradient, lda: outputs, b: parameters + weightOffset, ldb: outputs,
                beta: accumulate ? 1 : 0, c: inputGradient, ldc: inputs, pool: pool)
        }
    }
}
