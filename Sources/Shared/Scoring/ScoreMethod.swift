/// What a row's anomaly score measures.
///
/// All three are in the units of the model's loss (squared error summed over
/// normalised features for mse, nats for bce), so a larger score always means
/// a row the model explains worse.
public enum ScoreMethod: String, CaseIterable, Sendable {
    /// The loss between the row and its reconstruction from the latent mean;
    /// deterministic, and the only score an AE has.
    case reconstruction
    /// The negative evidence lower bound of a VAE: the KL divergence of the
    /// posterior from the prior plus the reconstruction loss averaged over
    /// `samples` latent draws.
    case elbo
    /// The negative importance-weighted bound (IWAE) with `samples` draws,
    /// a tighter estimate of −log p(x) than the ELBO.
    case iwae

    /// The method ae-score uses when none is given: the negative ELBO for a
    /// VAE, because its KL term also flags rows that the decoder reproduces
    /// well but that sit far out in latent space; the reconstruction error
    /// for an AE.
    public static func defaultMethod(for kind: ModelKind) -> ScoreMethod {
        kind == .vae ? .elbo : .reconstruction
    }

    /// Latent draws per row for `elbo` and `iwae` when none are given.
    public static let defaultSamples = 16

    /// Whether the method draws latent samples (and so needs a VAE).
    public var isSampled: Bool { self != .reconstruction }

    /// The methods a model of `kind` can be scored with, which are also the
    /// distributions its calibration holds.
    public static func available(for kind: ModelKind) -> [ScoreMethod] {
        kind == .vae ? allCases : [.reconstruction]
    }
}
