import CKernels

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

    /// output[rows × outputs] = activation(input[rows × inputs] · W + b),
    /// without the activation when it is nil. `output` need not be
    /// initialised: each thread writes the bias into its block of it, then
    /// the product and the activation.
    public func forward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, activation: Activation? = nil, pool: WorkerPool
    ) {
        let outputs = outputs
        BLAS.gemm(
            .none, .none, m: rows, n: outputs, k: inputs,
            a: input, lda: inputs, b: parameters + weightOffset, ldb: outputs,
            beta: 1, c: output, ldc: outputs, pool: pool,
            prepare: { rows, cols in writeBias(rows: rows, cols: cols, parameters: parameters, output: output) },
            finish: activation.map { activation in
                { rows, cols in
                    for row in rows {
                        activation.apply(UnsafeMutableBufferPointer(start: output + row * outputs + cols.lowerBound, count: cols.count))
                    }
                }
            })
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
        writeBiasGradient(outputGradient: outputGradient, rows: rows, gradients: gradients)
        if let inputGradient {
            BLAS.gemm(
                .none, .transposed, m: rows, n: inputs, k: outputs,
                a: outputGradient, lda: outputs, b: parameters + weightOffset, ldb: outputs,
                beta: accumulate ? 1 : 0, c: inputGradient, ldc: inputs, pool: pool)
        }
    }

    /// `forward` for a sparse input block: the same result, with work in
    /// proportion to the input's non-zeros.
    public func forward(
        sparseInput input: SparseRows, parameters: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        activation: Activation? = nil
    ) {
        precondition(input.cols == inputs, "sparse input width does not match the layer")
        writeBias(rows: 0..<input.rows, cols: 0..<outputs, parameters: parameters, output: output)
        ae_sparse_rows_times_dense(
            input.rowStarts, input.columnIndices, input.rowValues, input.rows,
            parameters + weightOffset, inputs, outputs, output)
        activation?.apply(UnsafeMutableBufferPointer(start: output, count: input.rows * outputs))
    }

    /// `backward` for a sparse input block, without an input gradient (a
    /// sparse input is the network's own input, which needs none).
    public func backward(
        sparseInput input: SparseRows, outputGradient: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>
    ) {
        precondition(input.cols == inputs, "sparse input width does not match the layer")
        // ∂L/∂W[j, :] sums ∂L/∂output over the rows where input j is non-zero:
        // the sparse-rows product over the input's columns (CSC), from zero.
        let weightGradient = gradients + weightOffset
        weightGradient.update(repeating: 0, count: inputs * outputs)
        ae_sparse_rows_times_dense(
            input.columnStarts, input.rowIndices, input.columnValues, inputs,
            outputGradient, input.rows, outputs, weightGradient)
        writeBiasGradient(outputGradient: outputGradient, rows: input.rows, gradients: gradients)
    }

    /// `forward` where each row takes the sparse product unless more than
    /// half of it is non-zero, so that each row's result depends on that row
    /// alone: the rows BLAS multiplies are gathered into a zero-padded block
    /// of the same `rows`, whose shape fixes OpenBLAS's kernel. (One row at a
    /// time, the sparse product keeps up with BLAS up to about that density;
    /// beyond it BLAS's reuse of the weights wins.)
    public func forwardRowwise(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, activation: Activation? = nil, pool: WorkerPool
    ) {
        let sparseLimit = inputs / 2
        let weights = parameters + weightOffset
        // Row ranges shared among the threads; the sparse product of a row
        // does not depend on which thread or range computes it.
        let parts = pool.partition(rows, minimum: 16)
        var denseRowsByPart = [[Int]](repeating: [], count: parts.count)
        denseRowsByPart.withUnsafeMutableBufferPointer { denseRowsByPart in
            pool.run(tasks: parts.count) { part in
                let range = parts[part]
                var starts = [Int64](repeating: 0, count: range.count + 1)
                // Filled before they are read, so not zeroed: at 64 rows of
                // 784 inputs that would be 200 KB of stores per block.
                let capacity = range.count * sparseLimit + Int(AE_NONZEROS_SLACK)
                let columns = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
                let values = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
                defer {
                    columns.deallocate()
                    values.deallocate()
                }
                var used = 0
                for (k, row) in range.enumerated() {
                    let found = ae_nonzeros(input + row * inputs, inputs, columns + used, values + used, sparseLimit)
                    if found < 0 { denseRowsByPart[part].append(row) } else { used += Int(found) }
                    starts[k + 1] = Int64(used)
                }
                writeBias(rows: range, cols: 0..<outputs, parameters: parameters, output: output)
                let block = output + range.lowerBound * outputs
                ae_sparse_rows_times_dense(starts, columns, values, range.count, weights, inputs, outputs, block)
                activation?.apply(UnsafeMutableBufferPointer(start: block, count: range.count * outputs))
            }
        }
        let denseRows = denseRowsByPart.flatMap { $0 }
        guard !denseRows.isEmpty else { return }
        let block = ScratchBuffer(count: rows * inputs)
        let blockOutput = ScratchBuffer(count: rows * outputs)
        for (k, row) in denseRows.enumerated() {
            (block.pointer + k * inputs).update(from: input + row * inputs, count: inputs)
        }
        forward(input: block.pointer, rows: rows, parameters: parameters, output: blockOutput.pointer, activation: activation, pool: pool)
        for (k, row) in denseRows.enumerated() {
            (output + row * outputs).update(from: blockOutput.pointer + k * outputs, count: outputs)
        }
    }

    /// Writes the bias into output[rows, cols], which need not be initialised.
    private func writeBias(rows: Range<Int>, cols: Range<Int>, parameters: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let bias = parameters + biasOffset + cols.lowerBound
        for row in rows {
            (output + row * outputs + cols.lowerBound).initialize(from: bias, count: cols.count)
        }
    }

    private func writeBiasGradient(outputGradient: UnsafePointer<Float>, rows: Int, gradients: UnsafeMutablePointer<Float>) {
        let biasGradient = gradients + biasOffset
        biasGradient.update(repeating: 0, count: outputs)
        for row in 0..<rows {
            let g = outputGradient + row * outputs
            for j in 0..<outputs { biasGradient[j] += g[j] }
        }
    }
}
