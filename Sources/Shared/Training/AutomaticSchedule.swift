/// The training length ae-fit chooses when `--epochs` is not given.
///
/// Tables differ in size by orders of magnitude, so a fixed epoch count
/// under-trains small ones and over-spends on large ones; the schedule aims
/// at a number of gradient steps instead, and holds out a validation split
/// for early stopping (`--patience`) and for calibrating the anomaly
/// thresholds on rows the model never saw. Given `--epochs`, training runs
/// exactly that many epochs on all rows, with a split only if `--val` asks.
///
/// The two kinds get different lengths. A VAE trains until the validation
/// loss stops improving: its posterior noise and KL term keep it from
/// reproducing rare rows exactly, so longer training does not teach it the
/// anomalies among its training rows. A plain AE has no such brake: trained
/// to convergence it learns to reconstruct the rare rows too and its
/// reconstruction error stops telling them apart (on the ODDS tables its
/// mean ROC-AUC fell from 0.84 to 0.73), so its schedule stops after the
/// dominant structure is learnt, a few hundred Adam steps; give `--epochs`
/// for a fully trained AE.
public enum AutomaticSchedule {
    /// The share of rows held out for early stopping and calibration.
    public static let validationFraction = 0.1

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
