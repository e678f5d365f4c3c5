/// The training length ae-fit chooses when `--epochs` is not given.
///
/// Tables differ in size by orders of magnitude, so a fixed epoch count
/// under-trains small ones and over-spends on large ones; the schedule aims
/// at a number of gradient steps instead, within bounds on the epochs, and
/// holds out a validation split for early stopping (`--patience`), for
/// choosing the bottleneck (`LatentChoice`) and for calibrating the anomaly
/// thresholds on rows the model never saw. Given `--epochs`, training runs
/// exactly that many epochs on all rows, with a split only if `--val` asks.
///
/// The two kinds get different bounds. A VAE trains until the validation
/// loss stops improving, for up to 5000 steps: its posterior noise and KL
/// term keep it from reproducing rare rows exactly. A plain AE has no such
/// brake: passed over a small table hundreds of times it learns to
/// reconstruct the rare rows too, and its error stops telling them apart; so
/// it gets at most 50 passes (with early stopping) and at most 10,000 steps.
/// On the 35 development tables (bench/anomaly) this scored better than the
/// earlier 300 steps, which left the larger tables under-trained, and than
/// a step target alone, which over-trained the small ones.
public enum AutomaticSchedule {
    /// The share of rows held out for early stopping and calibration.
    public static let validationFraction = 0.1

    /// Gradient steps aimed at for `kind`.
    public static func targetSteps(for kind: ModelKind) -> Int {
        kind == .vae ? 5000 : 10_000
    }

    /// Bounds on the epochs for `kind`, so a tiny table is not passed over
    /// thousands of times and a VAE sees even a huge table a few times.
    public static func epochRange(for kind: ModelKind) -> ClosedRange<Int> {
        kind == .vae ? 10...500 : 5...50
    }

    /// Epochs for a `kind` model on `rows` training rows in batches of `batchSize`.
    public static func epochs(for kind: ModelKind, rows: Int, batchSize: Int) -> Int {
        let stepsPerEpoch = max(1, (rows + batchSize - 1) / batchSize)
        let wanted = (targetSteps(for: kind) + stepsPerEpoch - 1) / stepsPerEpoch
        let range = epochRange(for: kind)
        return min(max(wanted, range.lowerBound), range.upperBound)
    }
}
