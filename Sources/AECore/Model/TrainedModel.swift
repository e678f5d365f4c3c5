/// How a model was trained: the settings, the data size and the history, kept
/// in the model file so that a model explains itself.
public struct TrainingRecord: Equatable, Sendable {
    public var settings: TrainingSettings
    public var normalization: NormalizationMethod
    public var validationFraction: Double
    public var threads: Int
    public var trainingRows: Int
    public var validationRows: Int
    public var history: [EpochMetrics]
    /// The rows left out of the second fit, when ae-fit trimmed (`TrainingTrim`).
    public var trim: TrainingTrim.Outcome?

    public init(
        settings: TrainingSettings, normalization: NormalizationMethod, validationFraction: Double, threads: Int,
        trainingRows: Int, validationRows: Int, history: [EpochMetrics], trim: TrainingTrim.Outcome? = nil
    ) {
        self.settings = settings
        self.normalization = normalization
        self.validationFraction = validationFraction
        self.threads = threads
        self.trainingRows = trainingRows
        self.validationRows = validationRows
        self.history = history
        self.trim = trim
    }

    /// The epoch whose parameters training kept under early stopping (a
    /// validation set and patience > 0): the first with the lowest
    /// validation loss. nil without early stopping, or before an epoch ended.
    public var bestValidationEpoch: Int? {
        guard settings.patience > 0 else { return nil }
        var best: (epoch: Int, loss: Double)?
        for metrics in history {
            if let loss = metrics.validationLoss, best == nil || loss < best!.loss { best = (metrics.epoch, loss) }
        }
        return best?.epoch
    }
}

/// Everything a model file holds: the network, the preprocessing every tool
/// applies, the features' names and the image shape when known, how it was
/// trained, and how its training rows scored.
public struct TrainedModel: Equatable, Sendable {
    public var network: Autoencoder
    public var normalization: Normalization
    /// One name per input feature, by which every tool finds the features in
    /// CSV columns and in object rows that hold one member per feature.
    public var featureNames: [String]?
    public var imageShape: ImageShape?
    public var training: TrainingRecord?
    public var calibration: ScoreCalibration?
    /// What ae-fit reported at the end of the fit.
    public var summary: FitSummary?

    public init(
        network: Autoencoder, normalization: Normalization, featureNames: [String]? = nil, imageShape: ImageShape? = nil,
        training: TrainingRecord? = nil, calibration: ScoreCalibration? = nil, summary: FitSummary? = nil
    ) {
        precondition(normalization.width == network.inputWidth, "normalisation width does not match the network")
        precondition(featureNames == nil || featureNames!.count == network.inputWidth, "one name per feature")
        self.network = network
        self.normalization = normalization
        self.featureNames = featureNames
        self.imageShape = imageShape
        self.training = training
        self.calibration = calibration
        self.summary = summary
    }

    public var architecture: Architecture { network.architecture }
}
