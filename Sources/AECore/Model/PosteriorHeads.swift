/// A VAE encoder's last layer: two linear heads over the same input, giving
/// the posterior's mean and log-variance for the `Bottleneck`.
///
/// The output holds the block's means (rows × latent), then its
/// log-variances (rows × latent): two matrices, as the bottleneck and the
/// tools read them, rather than one row of 2 × latent values.
public struct PosteriorHeads: Layer, Equatable {
    public let mean: DenseLayer
    public let logVariance: DenseLayer

    public init(inputs: Int, latent: Int, readsData: Bool = false) {
        mean = DenseLayer(inputs: inputs, outputs: latent, readsData: readsData)
        logVariance = DenseLayer(inputs: inputs, outputs: latent, readsData: readsData)
    }

    public var inputWidth: Int { mean.inputs }
    public var outputWidth: Int { 2 * latent }
    private var latent: Int { mean.outputs }

    public var tensors: [ParameterTensor] {
        let second = mean.parameterCount
        return mean.tensors.map { ParameterTensor(name: "mean/\($0.name)", shape: $0.shape, offset: $0.offset, transposedInMemory: $0.transposedInMemory) }
            + logVariance.tensors.map {
                ParameterTensor(name: "logvar/\($0.name)", shape: $0.shape, offset: second + $0.offset, transposedInMemory: $0.transposedInMemory)
            }
    }

    public func initialize(_ parameters: UnsafeMutablePointer<Float>, generator: inout SeededGenerator) {
        mean.initialize(parameters, generator: &generator)
        logVariance.initialize(parameters + mean.parameterCount, generator: &generator)
    }

    public func makeWorkspace(rows: Int) -> LayerWorkspace? { mean.makeWorkspace(rows: rows) }

    public func forward(
        _ input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, workspace: LayerWorkspace?, pool: WorkerPool
    ) {
        mean.forward(input, rows: rows, parameters: parameters, output: output, workspace: workspace, pool: pool)
        logVariance.forward(
            input, rows: rows, parameters: parameters + mean.parameterCount, output: output + rows * latent,
            workspace: workspace, pool: pool)
    }

    /// Both heads are linear, so their gradients go straight to the products;
    /// the second head adds its share of ∂L/∂input to the first's.
    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, rows: Int,
        outputGradient: UnsafeMutablePointer<Float>, parameters: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
        workspace: LayerWorkspace?, pool: WorkerPool
    ) {
        mean.backwardProducts(
            input: input, rows: rows, outputGradient: outputGradient, parameters: parameters, gradients: gradients,
            inputGradient: inputGradient, accumulate: false, workspace: workspace, pool: pool)
        let second = mean.parameterCount
        logVariance.backwardProducts(
            input: input, rows: rows, outputGradient: outputGradient + rows * latent, parameters: parameters + second,
            gradients: gradients + second, inputGradient: inputGradient, accumulate: true, workspace: workspace, pool: pool)
    }
}
