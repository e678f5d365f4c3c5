import CKernels

/// The reconstruction loss, which is also the decoder's likelihood.
///
/// Both are summed over features per row, so a row's loss is in the units
/// users compare across models: squared error, or nats for `bce`. The decoder
/// produces logits for `bce` and values for `mse`; `outputActivation` turns
/// them into data-space values.
public enum Loss: String, CaseIterable, Sendable, Codable {
    /// Squared error (a Gaussian likelihood with fixed variance, up to constants).
    case mse
    /// Binary cross-entropy on logits (a Bernoulli likelihood), for data in [0, 1].
    case bce

    /// The decoder's likelihood, the loss's other name.
    public var likelihood: String {
        switch self {
        case .mse: "gaussian"
        case .bce: "bernoulli"
        }
    }

    /// What the loss is for, when that is narrower than any data.
    private var suits: String? { self == .bce ? "for data in [0, 1]" : nil }

    /// Accepts the likelihood names too.
    public init?(name: String) {
        guard let loss = Self.allCases.first(where: { $0.rawValue == name || $0.likelihood == name }) else { return nil }
        self = loss
    }

    /// Every name `init(name:)` accepts: the losses', then the likelihoods'.
    public static var names: [String] { allCases.map(\.rawValue) + allCases.map(\.likelihood) }

    /// The losses with their other names and uses, for help texts:
    /// `mse (gaussian) or bce (bernoulli, for data in [0, 1])`.
    public static var described: String {
        allCases.map { loss in
            let notes = [loss.likelihood] + (loss.suits.map { [$0] } ?? [])
            return "\(loss.rawValue) (\(notes.joined(separator: ", ")))"
        }.joined(separator: " or ")
    }

    /// The activation applied to the decoder's last layer to give data values.
    public var outputActivation: Activation { self == .bce ? .sigmoid : .identity }

    /// Per-row losses of `output` (decoder pre-activations) against `target`,
    /// both `rows × cols`. Writes each row's loss into `rowLosses` when given,
    /// and `gradientScale · ∂loss/∂output` into `gradient` when given.
    /// Returns the sum over all rows.
    @discardableResult
    public func evaluate(
        output: UnsafePointer<Float>, target: UnsafePointer<Float>, rows: Int, cols: Int,
        rowLosses: UnsafeMutablePointer<Double>? = nil,
        gradient: UnsafeMutablePointer<Float>? = nil, gradientScale: Float = 1
    ) -> Double {
        switch self {
        case .mse: return ae_squared_error(output, target, rows, cols, rowLosses, gradient, gradientScale)
        case .bce: return ae_binary_cross_entropy(output, target, rows, cols, rowLosses, gradient, gradientScale)
        }
    }

    /// Each element's term of the loss, for `count` outputs (decoder
    /// pre-activations) against their targets: what `ae-score --explain`
    /// ranks features by. The terms come from training's kernels, so a row's
    /// terms sum to its loss (to rounding: the row sums run in vector lanes).
    public func elementLosses(
        output: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int, into losses: UnsafeMutablePointer<Float>
    ) {
        switch self {
        case .mse: ae_squared_error_terms(output, target, count, losses)
        case .bce: ae_binary_cross_entropy_terms(output, target, count, losses)
        }
    }
}
