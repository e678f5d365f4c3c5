/// What a row's anomaly score measures.
///
/// Each is a negative log-likelihood of sorts, in the units of the model's
/// loss (squared error summed over normalised features for mse, nats for
/// bce), so a larger score always means a row the model explains worse.
public enum ScoreMethod: String, CaseIterable, Sendable {
    /// The loss between the row and its reconstruction from the latent mean;
    /// deterministic.
    case reconstruction
    /// The reconstruction loss with each feature weighed by its typical
    /// size, plus the latent code's distance from the training codes
    /// (`DensityStatistics`); deterministic.
    case density
    /// The negative evidence lower bound of a VAE: the KL divergence of the
    /// posterior from the prior plus the reconstruction loss averaged over
    /// `samples` latent draws.
    case elbo
    /// The negative importance-weighted bound (IWAE) with `samples` draws,
    /// a tighter estimate of −log p(x) than the ELBO.
    case iwae

    /// The method ae-score uses when none is given: the negative ELBO for a
    /// VAE, because its KL term also flags rows that the decoder reproduces
    /// well but that sit far out in latent space; for an AE the density
    /// score, which adds the same kind of latent term (and the plain
    /// reconstruction error for a model written before ae-fit measured
    /// the density statistics).
    public static func defaultMethod(for model: TrainedModel) -> ScoreMethod {
        if model.architecture.kind == .vae { return .elbo }
        return model.calibration?.density == nil ? .reconstruction : .density
    }

    /// Latent draws per row for `elbo` and `iwae` when none are given.
    public static let defaultSamples = 16

    /// Whether the method draws latent samples (and so needs a VAE).
    public var isSampled: Bool { self == .elbo || self == .iwae }

    /// The methods a model of `kind` can be scored with, which are also the
    /// distributions its calibration holds.
    public static func available(for kind: ModelKind) -> [ScoreMethod] {
        kind == .vae ? allCases : [.reconstruction, .density]
    }
}
