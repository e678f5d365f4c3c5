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
    /// initialised: each thread writes the bias into its block of rows, then
    /// the product and the activation, while the block is in cache.
    ///
    /// The product is ae's dense-rows kernel rather than `sgemm`: it sums each
    /// output in the inputs' order whatever the number of rows, so a row's
    /// result depends on that row alone, not on its batch, the batch's size
    /// or the thread count (see CKernels.h).
    public func forward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, activation: Activation? = nil, pool: WorkerPool
    ) {
        let inputs = inputs, outputs = outputs
        let blocks = pool.partition(rows, minimum: 16)
        pool.run(tasks: blocks.count) { task in
            let block = blocks[task]
            let blockOutput = output + block.lowerBound * outputs
            writeBias(rows: block, parameters: parameters, output: output)
            ae_dense_rows_times_dense(input + block.lowerBound * inputs, block.count, parameters + weightOffset, inputs, outputs, blockOutput)
            activation?.apply(UnsafeMutableBufferPointer(start: blockOutput, count: block.count * outputs))
        }
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
        writeBias(rows: 0..<input.rows, parameters: parameters, output: output)
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
    /// half of it is non-zero: the rows for the dense product are gathered
    /// into a block of their own. Either way a row's result depends on that
    /// row alone (both kernels sum in the inputs' order). (One row at a time,
    /// the sparse product keeps up with the dense one up to about that
    /// density; beyond it the dense kernel's reuse of the weights wins.)
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
                writeBias(rows: range, parameters: parameters, output: output)
                let block = output + range.lowerBound * outputs
                ae_sparse_rows_times_dense(starts, columns, values, range.count, weights, inputs, outputs, block)
                activation?.apply(UnsafeMutableBufferPointer(start: block, count: range.count * outputs))
            }
        }
        let denseRows = denseRowsByPart.flatMap { $0 }
        guard !denseRows.isEmpty else { return }
        let block = ScratchBuffer(count: denseRows.count * inputs)
        let blockOutput = ScratchBuffer(count: denseRows.count * outputs)
        for (k, row) in denseRows.enumerated() {
            (block.pointer + k * inputs).update(from: input + row * inputs, count: inputs)
        }
        forward(
            input: block.pointer, rows: denseRows.count, parameters: parameters, output: blockOutput.pointer,
            activation: activation, pool: pool)
        for (k, row) in denseRows.enumerated() {
            (output + row * outputs).update(from: blockOutput.pointer + k * outputs, count: outputs)
        }
    }

    /// Writes the bias into output[rows, :], which need not be initialised.
    private func writeBias(rows: Range<Int>, parameters: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let bias = parameters + biasOffset
        for row in rows {
            (output + row * outputs).initialize(from: bias, count: outputs)
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
