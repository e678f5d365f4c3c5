/// The figures of an `EpochMetrics` by name: one table for the model file's
/// `/history` datasets, the `--log` records and the epoch lines on stderr,
/// so that all three call a figure the same.
public enum EpochMetric: String, CaseIterable, Sendable {
    case trainLoss = "train_loss"
    case trainReconstruction = "train_rec"
    case trainKL = "train_kl"
    case validationLoss = "val_loss"
    case validationReconstruction = "val_rec"
    case validationKL = "val_kl"
    case seconds

    /// The name in files: a `/history` dataset, a member of a `--log` record.
    public var name: String { rawValue }

    /// The word an epoch line (and the live bar) shows the figure by; nil
    /// for those it leaves out or shows by their unit (seconds).
    public var label: String? {
        switch self {
        case .trainLoss: "loss"
        case .trainReconstruction: "rec"
        case .trainKL: "kl"
        case .validationLoss: "val"
        case .validationReconstruction, .validationKL, .seconds: nil
        }
    }
}

extension EpochMetrics {
    /// The figure `metric`; nil for a validation figure of an epoch without
    /// validation rows.
    public subscript(metric: EpochMetric) -> Double? {
        switch metric {
        case .trainLoss: trainLoss
        case .trainReconstruction: trainReconstruction
        case .trainKL: trainKL
        case .validationLoss: validationLoss
        case .validationReconstruction: validationReconstruction
        case .validationKL: validationKL
        case .seconds: seconds
        }
    }

    /// The metrics of `epoch` with each figure from `value`; a figure every
    /// epoch has is NaN where `value` gives none.
    public init(epoch: Int, value: (EpochMetric) -> Double?) {
        self.init(
            epoch: epoch, trainLoss: value(.trainLoss) ?? .nan,
            trainReconstruction: value(.trainReconstruction) ?? .nan, trainKL: value(.trainKL) ?? .nan,
            validationLoss: value(.validationLoss), validationReconstruction: value(.validationReconstruction),
            validationKL: value(.validationKL), seconds: value(.seconds) ?? .nan)
    }
}
