/// The training length ae-fit chooses when `--epochs` is not given.
///
/// Tables differ in size by orders of magnitude, so a fixed epoch count
/// under-trains small ones and over-spends on large ones; the schedule aims
/// at a number of gradient steps instead. It holds out a validation split,
/// which calibrates the anomaly thresholds on rows the model never saw and
/// shows in the history whether it overfits, but does not stop early by
/// default: on the ODDS tables the best-validation epoch ranked anomalies
/// worse than the schedule's last (bench/odds). Given `--epochs`, training
/// runs exactly that many epochs on all rows, with a split and early stopping
/// only if `--val` asks for them.
///
/// The two kinds get different lengths. A VAE trains until it settles: its
/// posterior noise and KL term keep it from reproducing rare rows exactly, so
/// longer training does not teach it the anomalies among its training rows. A
/// plain AE has no such brake: trained to convergence it learns to
/// reconstruct the rare rows too and its reconstruction error stops telling
/// them apart, so its schedule stops after the dominant structure is learnt
/// (a few hundred Adam steps); give `--epochs` for a fully trained AE.
public enum AutomaticSchedule {
    /// The share of rows held out for calibration and the validation history.
    public static let validationFraction = 0.1
    /// No early stopping unless `--patience` asks for it.
    public static let patience = 0

    /// Gradient steps aimed at for `kind`.
    public static func targetSteps(for kind: ModelKind) -> Int {
        kind == .vae ? 5000 : 300
    }

    /// Bounds on the epochs for `kind`, so a tiny table is not passed over
    /// thousands of times and a VAE sees even a huge table a few times.
    public static func epochRange(for kind: ModelKind) -> ClosedRange<Int> {
        kind == .vae ? 10...500 : 1...500
    }

    /// Epochs for a `kind` model on `rows` training rows in batches of `batchSize`.
    public static func epochs(for kind: ModelKind, rows: Int, batchSize: Int) -> Int {
        let stepsPerEpoch = max(1, (rows + batchSize - 1) / batchSize)
        let wanted = (targetSteps(for: kind) + stepsPerEpoch - 1) / stepsPerEpoch
        let range = epochRange(for: kind)
        return min(max(wanted, range.lowerBound), range.upperBound)
    }
}
