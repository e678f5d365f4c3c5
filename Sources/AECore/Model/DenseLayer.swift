import CKernels

/// A fully connected layer, with its activation fused into its passes.
///
/// Weights are kept `[inputs, outputs]` row-major in memory, so row j holds
/// everything input j feeds; the model file stores them `[outputs, inputs]`
/// like `torch.nn.Linear` (`ParameterTensor.transposedInMemory`).
///
/// The first layer of a network reads the data itself, which may be mostly
/// zeros (images): that layer (`readsData`) takes the sparse products, whose
/// cost follows the non-zeros, wherever they pay.
public struct DenseLayer: Layer, Equatable {
    public let inputs: Int
    public let outputs: Int
    public let activation: Activation
    public let readsData: Bool

    public init(inputs: Int, outputs: Int, activation: Activation = .identity, readsData: Bool = false) {
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        self.readsData = readsData
    }

    public var inputWidth: Int { inputs }
    public var outputWidth: Int { outputs }
    private var biasOffset: Int { inputs * outputs }

    public var tensors: [ParameterTensor] {
        [ParameterTensor(name: "weight", shape: [outputs, inputs], offset: 0, transposedInMemory: true),
         ParameterTensor(name: "bias", shape: [outputs], offset: biasOffset)]
    }

    /// Drawn like `torch.nn.Linear`'s default: weights and biases uniform in ±1/√inputs.
    public func initialize(_ parameters: UnsafeMutablePointer<Float>, generator: inout SeededGenerator) {
        let bound = 1 / Double(inputs).squareRoot()
        for i in 0..<parameterCount { parameters[i] = Float((2 * generator.uniform() - 1) * bound) }
    }

    /// The data layer's index of a batch's non-zeros, for its weight gradient.
    final class Workspace: LayerWorkspace, @unchecked Sendable {
        let sparseInput = SparseRows()
    }

    public func makeWorkspace(rows: Int) -> LayerWorkspace? { readsData ? Workspace() : nil }

    /// The product is ae's dense-rows kernel rather than `sgemm`: it sums each
    /// output in the inputs' order whatever the number of rows, so a row's
    /// result depends on that row alone, not on its batch, the batch's size
    /// or the thread count (see CKernels.h). Each thread writes the bias into
    /// its block of rows, then the product and the activation, while the
    /// block is in cache.
    public func forward(
        _ input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, workspace: LayerWorkspace?, pool: WorkerPool
    ) {
        if readsData {
            forwardRowwise(input, rows: rows, parameters: parameters, output: output, pool: pool)
            return
        }
        let inputs = inputs, outputs = outputs
        let blocks = pool.partition(rows, minimum: 16)
        pool.run(tasks: blocks.count) { task in
            let block = blocks[task]
            let blockOutput = output + block.lowerBound * outputs
            writeBias(rows: block, parameters: parameters, output: output)
            ae_dense_rows_times_dense(input + block.lowerBound * inputs, block.count, parameters, inputs, outputs, blockOutput)
            activation.apply(UnsafeMutableBufferPointer(start: blockOutput, count: block.count * outputs))
        }
    }

    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, rows: Int,
        outputGradient: UnsafeMutablePointer<Float>, parameters: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
        workspace: LayerWorkspace?, pool: WorkerPool
    ) {
        activation.backward(outputs: output, gradients: outputGradient, count: rows * outputs)
        backwardProducts(
            input: input, rows: rows, outputGradient: outputGradient, parameters: parameters, gradients: gradients,
            inputGradient: inputGradient, accumulate: false, workspace: workspace, pool: pool)
    }

    /// The products of `backward` after the activation's derivative: ∂L/∂W
    /// and ∂L/∂b (overwritten), and ∂L/∂input when asked for (added to what is
    /// there when `accumulate` is set, for an input that feeds two layers).
    /// A data layer's weight gradient over a sparse batch sums ∂L/∂output over
    /// the rows where each input is non-zero: the sparse-rows product over the
    /// batch's columns.
    func backwardProducts(
        input: UnsafePointer<Float>, rows: Int, outputGradient: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?, accumulate: Bool,
        workspace: LayerWorkspace?, pool: WorkerPool
    ) {
        if let sparse = (workspace as? Workspace)?.sparseInput, inputGradient == nil,
           sparse.index(input, rows: rows, cols: inputs) {
            gradients.update(repeating: 0, count: inputs * outputs)
            ae_sparse_rows_times_dense(
                sparse.columnStarts, sparse.rowIndices, sparse.columnValues, inputs,
                outputGradient, rows, outputs, gradients)
        } else {
            BLAS.gemm(
                .transposed, .none, m: inputs, n: outputs, k: rows,
                a: input, lda: inputs, b: outputGradient, ldb: outputs,
                c: gradients, ldc: outputs, pool: pool)
        }
        let biasGradient = gradients + biasOffset
        biasGradient.update(repeating: 0, count: outputs)
        for row in 0..<rows {
            let g = outputGradient + row * outputs
            for j in 0..<outputs { biasGradient[j] += g[j] }
        }
        if let inputGradient {
            BLAS.gemm(
                .none, .transposed, m: rows, n: inputs, k: outputs,
                a: outputGradient, lda: outputs, b: parameters, ldb: outputs,
                beta: accumulate ? 1 : 0, c: inputGradient, ldc: inputs, pool: pool)
        }
    }

    /// `forward` where each row takes the sparse product unless more than
    /// half of it is non-zero: the rows for the dense product are gathered
    /// into a block of their own. Both kernels sum in the inputs' order, so a
    /// row's result is the same either way (but for the sign of a zero) and
    /// depends on that row alone. (One row at a time, the sparse product
    /// keeps up with the dense one up to about that density; beyond it the
    /// dense kernel's reuse of the weights wins.)
    private func forwardRowwise(
        _ input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        let inputs = inputs, outputs = outputs, activation = activation
        let sparseLimit = inputs / 2
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
                ae_sparse_rows_times_dense(starts, columns, values, range.count, parameters, inputs, outputs, block)
                activation.apply(UnsafeMutableBufferPointer(start: block, count: range.count * outputs))
            }
        }
        let denseRows = denseRowsByPart.flatMap { $0 }
        guard !denseRows.isEmpty else { return }
        let block = ScratchBuffer(count: denseRows.count * inputs)
        let blockOutput = ScratchBuffer(count: denseRows.count * outputs)
        for (k, row) in denseRows.enumerated() {
            (block.pointer + k * inputs).update(from: input + row * inputs, count: inputs)
        }
        let inner = DenseLayer(inputs: inputs, outputs: outputs, activation: activation)
        inner.forward(block.pointer, rows: denseRows.count, parameters: parameters, output: blockOutput.pointer, workspace: nil, pool: pool)
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
}
