/// Everything `ae-fit` decides about a model before training: choices left
/// open (nil) get defaults that depend on the data.
public struct FitConfiguration: Sendable {
    public var kind: ModelKind
    public var hidden: [Int]?
    public var latent: Int?
    public var activation: Activation
    public var loss: Loss
    public var normalization: NormalizationMethod?
    public var imageShape: ImageShape?
    public var validationFraction: Double
    public var settings: TrainingSettings

    public init(
        kind: ModelKind = .ae, hidden: [Int]? = nil, latent: Int? = nil, activation: Activation = .relu,
        loss: Loss = .mse, normalization: NormalizationMethod? = nil, imageShape: ImageShape? = nil,
        validationFraction: Double = 0, settings: TrainingSettings = TrainingSettings()
    ) {
        self.kind = kind
        self.hidden = hidden
        self.latent = latent
        self.activation = activation
        self.loss = loss
        self.normalization = normalization
        self.imageShape = imageShape
        self.validationFraction = validationFraction
        self.settings = settings
    }
}

/// Trains a model from rows: chooses the defaults, fits the normalisation,
/// holds out validation rows, trains.
public enum Fitting {
    /// Hidden widths for `width` inputs when none are given: one layer about
    /// half as wide as the input, within 16...512, then halving to the
    /// bottleneck while wider than four times the latent size.
    public static func defaultHidden(inputWidth width: Int, latent: Int) -> [Int] {
        var layers = [min(512, max(16, width / 2))]
        while layers.count < 3, layers.last! / 2 >= 4 * latent, layers.last! / 2 >= 16 {
            layers.append(layers.last! / 2)
        }
        return layers
    }

    /// Latent size for `width` inputs when none is given.
    public static func defaultLatent(inputWidth width: Int) -> Int {
        min(32, max(2, width / 8))
    }

    /// The normalisation when none is given: standard for mse; for bce none
    /// when the data already lie in [0, 1], else minmax.
    public static func defaultNormalization(loss: Loss, data: Matrix) -> NormalizationMethod {
        guard loss == .bce else { return .standard }
        return data.storage.allSatisfy { $0 >= 0 && $0 <= 1 } ? .none : .minmax
    }

    public static func fit(
        _ data: Matrix, _ configuration: FitConfiguration, pool: WorkerPool, observer: TrainingObserver? = nil
    ) throws -> TrainedModel {
        let width = data.cols
        let latent = configuration.latent ?? defaultLatent(inputWidth: width)
        let architecture = Architecture(
            kind: configuration.kind, inputWidth: width,
            hidden: configuration.hidden ?? defaultHidden(inputWidth: width, latent: latent),
            latent: latent, activation: configuration.activation, loss: configuration.loss)
        try architecture.validate()
        if let shape = configuration.imageShape {
            try shape.checkRowLength(width)
        }

        let method = configuration.normalization ?? defaultNormalization(loss: configuration.loss, data: data)
        let normalization = Normalization(fitting: method, to: data)
        var normalized = data
        normalization.apply(to: &normalized)
        if configuration.loss == .bce, !normalized.storage.allSatisfy({ $0 >= 0 && $0 <= 1 }) {
            throw AEError("--loss bce needs values in [0, 1] after normalisation; use --normalize minmax or --loss mse")
        }

        var generator = SeededGenerator(seed: configuration.settings.seed)
        let order = generator.permutation(normalized.rows)
        let validationRows = Int(Double(normalized.rows) * configuration.validationFraction)
        guard normalized.rows - validationRows >= 1 else { throw AEError("--val leaves no rows to train on") }
        let training = validationRows > 0 ? normalized.gathering(rows: order[validationRows...]) : normalized
        let validation = validationRows > 0 ? normalized.gathering(rows: order[..<validationRows]) : nil

        var network = Autoencoder(architecture: architecture, generator: &generator)
        let trainer = Trainer(settings: configuration.settings, pool: pool)
        let history = try trainer.train(
            &network, on: InMemoryTrainingRows(training), validation: validation.map(InMemoryTrainingRows.init), observer: observer)
        let record = TrainingRecord(
            settings: configuration.settings, normalization: method,
            validationFraction: configuration.validationFraction, threads: pool.threads,
            trainingRows: training.rows, validationRows: validationRows, history: history)
        return TrainedModel(
            network: network, normalization: normalization, imageShape: configuration.imageShape, training: record)
    }
}
