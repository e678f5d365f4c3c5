/// A list of layers with the buffers to run it over blocks of up to
/// `capacity` rows: the one walk that training and inference share.
///
/// Forward keeps every layer's output, which is all that backward needs:
/// each layer's backward takes its input (the previous output) and its own
/// output. Buffers are made once per owner and reused block after block.
public final class LayerStack {
    public let layers: [PlacedLayer]
    public let capacity: Int
    private let outputs: [ScratchBuffer]
    private let workspaces: [LayerWorkspace?]
    /// Two buffers that the backward pass's gradients alternate between,
    /// made by the first backward pass (inference makes none).
    private lazy var gradientBuffers: (ScratchBuffer, ScratchBuffer) = {
        let widest = layers.map { $0.layer.inputWidth }.max() ?? 0
        return (ScratchBuffer(count: capacity * widest), ScratchBuffer(count: capacity * widest))
    }()

    public init(_ layers: [PlacedLayer], capacity: Int) {
        precondition(!layers.isEmpty, "a stack needs a layer")
        self.layers = layers
        self.capacity = capacity
        // Every layer writes its whole output before anything reads it.
        outputs = layers.map { ScratchBuffer(count: capacity * $0.layer.outputWidth, zeroed: false) }
        workspaces = layers.map { $0.layer.makeWorkspace(rows: capacity) }
    }

    /// Runs the layers in turn on `rows` rows at `input` and returns the
    /// last layer's output, valid until the next call. With `last`, the last
    /// layer writes there instead (inference's result matrix, which is then
    /// not copied); a backward pass needs it in the stack's own buffer.
    @discardableResult
    public func forward(
        _ input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>, pool: WorkerPool,
        into last: UnsafeMutablePointer<Float>? = nil
    ) -> UnsafePointer<Float> {
        precondition(rows <= capacity, "block larger than the stack's capacity")
        var current = input
        for (index, placed) in layers.enumerated() {
            let output = index == layers.count - 1 ? last ?? outputs[index].pointer : outputs[index].pointer
            placed.layer.forward(
                current, rows: rows, parameters: parameters + placed.offset, output: output,
                workspace: workspaces[index], pool: pool)
            current = UnsafePointer(output)
        }
        return current
    }

    /// The backward pass of the last `forward`, whose input was `input`:
    /// given ∂L/∂result in `resultGradient` (which may be overwritten),
    /// writes every layer's parameter gradients into `gradients` (the model's
    /// whole vector) and ∂L/∂input into `inputGradient` unless it is nil.
    public func backward(
        input: UnsafePointer<Float>, rows: Int, resultGradient: UnsafeMutablePointer<Float>,
        parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, pool: WorkerPool
    ) {
        var current = resultGradient
        var spare = (gradientBuffers.0.pointer, gradientBuffers.1.pointer)
        for index in layers.indices.reversed() {
            let placed = layers[index]
            let below = index > 0 ? spare.0 : inputGradient
            placed.layer.backward(
                input: index > 0 ? UnsafePointer(outputs[index - 1].pointer) : input,
                output: UnsafePointer(outputs[index].pointer), rows: rows, outputGradient: current,
                parameters: parameters + placed.offset, gradients: gradients + placed.offset,
                inputGradient: below, workspace: workspaces[index], pool: pool)
            if let below, index > 0 {
                current = below
                spare = (spare.1, spare.0)
            }
        }
    }
}

/// Stacks kept for inference between blocks: each block of rows takes one
/// (of enough capacity) and puts it back, so that the buffers, written the
/// block before, are not fresh pages to fault in again (which cost ae-score
/// 5 to 15% on two threads). A stack is used by one thread at a time.
final class LayerStackShelf: @unchecked Sendable {
    private let lock = ConditionLock()
    private var spare: [LayerStack] = []

    /// Runs `body` with a stack of `layers` for `rows` rows.
    func withStack<Result>(_ layers: [PlacedLayer], rows: Int, _ body: (LayerStack) -> Result) -> Result {
        let stack = lock.withLock { () -> LayerStack? in
            guard let index = spare.firstIndex(where: { $0.capacity >= rows }) else { return nil }
            return spare.remove(at: index)
        } ?? LayerStack(layers, capacity: rows)
        defer { lock.withLock { spare.append(stack) } }
        return body(stack)
    }
}
