/// How ae-fit sizes the bottleneck when `--latent` is not given: it trains
/// the model at a few sizes around `Fitting.defaultLatent` and keeps the one
/// the validation rows favour.
///
/// The two kinds need different rules. A VAE's validation loss is a bound
/// on −log p(x) that charges every latent dimension its KL, so it flattens
/// once the bottleneck is wide enough, and unused dimensions switch off; the
/// narrowest size within `vaeTolerance` of the lowest loss is kept (a wider
/// one bought 0.3% of loss and lost ranking quality on the development
/// tables). An AE's reconstruction loss only falls as the bottleneck
/// widens, until the bottleneck copies its input and the reconstruction
/// error no longer tells rare rows apart; so a wider candidate must earn its
/// place by cutting the validation loss by `requiredGain`, a real structure
/// found rather than noise fitted.
public enum LatentChoice {
    /// The share of the validation loss a wider AE bottleneck must remove.
    public static let requiredGain = 0.2
    /// How far above the lowest validation loss a narrower VAE may be.
    public static let vaeTolerance = 0.01

    /// One size tried: its latent width and its best validation loss per row.
    public struct Candidate: Equatable, Sendable {
        public var latent: Int
        public var validationLoss: Double

        public init(latent: Int, validationLoss: Double) {
            self.latent = latent
            self.validationLoss = validationLoss
        }
    }

    /// The sizes tried for a `kind` model of `width` inputs: half, once and
    /// twice the default, within 1...32 and below the input width (a
    /// one-feature input tries only 1), smallest first.
    public static func candidates(kind: ModelKind, inputWidth width: Int) -> [Int] {
        let middle = Fitting.defaultLatent(kind: kind, inputWidth: width)
        let sizes = [middle / 2, middle, middle * 2].map { min(max($0, 1), 32, max(width - 1, 1)) }
        return Array(Set(sizes)).sorted()
    }

    /// The chosen size among `tried` (smallest first).
    public static func choose(kind: ModelKind, among tried: [Candidate]) -> Int {
        precondition(!tried.isEmpty, "no candidate to choose from")
        if kind == .vae {
            let lowest = tried.map(\.validationLoss).min()!
            return tried.first { $0.validationLoss <= lowest + vaeTolerance * abs(lowest) }!.latent
        }
        // The narrowest size that no wider one beats by the required gain
        // (not merely the next: an under-trained middle size must not hide
        // a wider one that finds real structure).
        let chosen = tried.indices.first { index in
            !tried[(index + 1)...].contains { $0.validationLoss < (1 - requiredGain) * tried[index].validationLoss }
        }!
        return tried[chosen].latent
    }

    /// Why `choose` picked what it did, for the fit summary.
    public static func rule(for kind: ModelKind) -> String {
        kind == .vae
            ? "the narrowest within \(Int(vaeTolerance * 100))% of the lowest validation loss"
            : "the narrowest that no wider size improves on by \(Int(requiredGain * 100))% or more"
    }
}
