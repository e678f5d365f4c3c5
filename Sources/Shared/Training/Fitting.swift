/// Everything `ae-fit` decides about a model before training: choices left
/// open (nil) get defaults that depend on the data.
public struct FitConfiguration: Sendable {
    public var kind: ModelKind
    public var hidden: [Int]?
    public var latent: Int?
    public var activation: Activation
    public var loss: Loss
    public var normalization: NormalizationMethod?
    /// The features' names, stored in the model.
    public var featureNames: [String]?
    public var imageShape: ImageShape?
    /// Epochs to train; nil lets `AutomaticSchedule` choose them from the
    /// row count, which also changes the default split below.
    public var epochs: Int?
    /// The share of rows held out for validation; nil: the automatic
    /// schedule's split without `epochs`, else none.
    public var validationFraction: Double?
    /// The other training settings; `resolved(rows:)` fills in its epochs.
    public var settings: TrainingSettings

    public init(
        kind: ModelKind = .ae, hidden: [Int]? = nil, latent: Int? = nil, activation: Activation = .relu,
        loss: Loss = .mse, normalization: NormalizationMethod? = nil, featureNames: [String]? = nil,
        imageShape: ImageShape? = nil, epochs: Int? = nil, validationFraction: Double? = nil,
        settings: TrainingSettings = TrainingSettings()
    ) {
        self.kind = kind
        self.hidden = hidden
        self.latent = latent
        self.activation = activation
        self.loss = loss
        self.normalization = normalization
        self.featureNames = featureNames
        self.imageShape = imageShape
        self.epochs = epochs
        self.validationFraction = validationFraction
        self.settings = settings
    }

    /// The configuration with its schedule fixed for `rows` input rows: the
    /// split and the epochs decided.
    public func resolved(rows: Int) -> FitConfiguration {
        var resolved = self
        let validation = validationFraction ?? (epochs == nil ? AutomaticSchedule.validationFraction : 0)
        resolved.validationFraction = validation
        resolved.epochs = epochs ?? AutomaticSchedule.epochs(
            for: kind, rows: rows - Int(Double(rows) * validation), batchSize: settings.batchSize)
        resolved.settings.epochs = resolved.epochs!
        return resolved
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

    /// Latent size for a `kind` model of `width` inputs when none is given,
    /// within 2...32. An AE's narrow bottleneck (width / 8) is all that keeps
    /// it from copying its input; a VAE's KL term switches off the latent
    /// dimensions it does not need, so it gets room to spare (width / 3).
    public static func defaultLatent(kind: ModelKind, inputWidth width: Int) -> Int {
        min(32, max(2, width / (kind == .vae ? 3 : 8)))
    }

    /// The normalisation when none is given. For bce: none when the data
    /// already lie in [0, 1], else minmax. For mse it depends on the kind:
    /// a VAE's decoder is a Gaussian of fixed variance ½, which suits
    /// features of unit variance (standard); under minmax the features' small
    /// spread makes reconstruction too cheap to pay for any KL, and the latent
    /// collapses onto the prior. A plain AE has no such scale; minmax keeps a
    /// few extreme rows of heavy-tailed features from dominating the squared
    /// error it minimises, which on the ODDS tables (bench/odds) raised its
    /// mean ROC-AUC from 0.73 to 0.84.
    public static func defaultNormalization(kind: ModelKind, loss: Loss, statistics: FeatureStatistics) -> NormalizationMethod {
        guard loss == .bce else { return kind == .vae ? .standard : .minmax }
        return statistics.withinUnitInterval ? .none : .minmax
    }

    /// The fewest training rows a fit accepts: with one row every feature is
    /// constant, and there is nothing for a model to learn.
    public static let minimumTrainingRows = 2

    private static func checkEnoughRows(training: Int, of rows: Int) throws {
        guard training < minimumTrainingRows else { return }
        let left = rows == training
            ? "\(rows) row\(rows == 1 ? "" : "s") to train on"
            : "--val leaves \(training) of \(rows) rows to train on"
        throw AEError("\(left); a model needs at least \(minimumTrainingRows), since it learns how rows differ")
    }

    /// Trains on `data` and scores the training and validation rows for the
    /// model's calibration. In-memory rows are split row by row; an HDF5
    /// dataset too large for memory is split, normalised and shuffled by
    /// blocks, read again each epoch. `shouldStop` can end training early
    /// (`Trainer.train`).
    public static func fit(
        _ data: FitData, _ options: FitConfiguration, pool: WorkerPool, observer: TrainingObserver? = nil,
        shouldStop: () -> Bool = { false }
    ) throws -> TrainedModel {
        let configuration = options.resolved(rows: data.rows)
        let validationFraction = configuration.validationFraction!
        let width = data.width
        let kind = configuration.kind
        // Without --latent, a few sizes are tried when there are validation
        // rows to judge them by (LatentChoice); else the default size.
        let latents = configuration.latent.map { [$0] }
            ?? (validationFraction > 0 && data.rows >= 2 ? LatentChoice.candidates(kind: kind, inputWidth: width) : [defaultLatent(kind: kind, inputWidth: width)])
        let architectures = latents.map { latent in
            Architecture(
                kind: kind, inputWidth: width,
                hidden: configuration.hidden ?? defaultHidden(inputWidth: width, latent: latent),
                latent: latent, activation: configuration.activation, loss: configuration.loss)
        }
        for architecture in architectures { try architecture.validate() }
        if let shape = configuration.imageShape {
            try shape.checkRowLength(width)
        }
        if let names = configuration.featureNames, names.count != width {
            throw AEError("\(names.count) feature names for rows of \(width) values")
        }
        var generator = SeededGenerator(seed: configuration.settings.seed)

        let statistics = try data.statistics()
        let method = configuration.normalization
            ?? defaultNormalization(kind: kind, loss: configuration.loss, statistics: statistics)
        let normalization = statistics.normalization(method)
        if configuration.loss == .bce, !normalization.mapsIntoUnitInterval(statistics) {
            throw AEError("--loss bce needs values in [0, 1] after normalisation; use --normalize minmax or --loss mse")
        }

        let training: TrainingRows, validation: TrainingRows?
        switch data {
        case .memory(let rows):
            var normalized = rows
            normalization.apply(to: &normalized)
            let order = generator.permutation(normalized.rows)
            let held = Int(Double(normalized.rows) * validationFraction)
            training = InMemoryTrainingRows(held > 0 ? normalized.gathering(rows: order[held...]) : normalized)
            validation = held > 0 ? InMemoryTrainingRows(normalized.gathering(rows: order[..<held])) : nil
        case .hdf5(let dataset, let bufferRows):
            let blocks = HDF5TrainingRows.splitBlocks(of: dataset, validationFraction: validationFraction, generator: &generator)
            training = HDF5TrainingRows(dataset: dataset, blocks: blocks.training, normalization: normalization, bufferRows: bufferRows)
            validation = blocks.validation.isEmpty
                ? nil
                : HDF5TrainingRows(dataset: dataset, blocks: blocks.validation, normalization: normalization, bufferRows: bufferRows)
        }
        try checkEnoughRows(training: training.count, of: data.rows)

        let trainer = Trainer(settings: configuration.settings, pool: pool)
        var fitted: [(network: Autoencoder, history: [EpochMetrics])] = []
        for (index, architecture) in architectures.enumerated() {
            // Ctrl-C ends the search too: the size is chosen among the
            // candidates trained so far.
            guard fitted.isEmpty || !shouldStop() else { break }
            // Every candidate starts from the same generator state, so the
            // one chosen is the model `--latent` with its size would give.
            var candidateGenerator = generator
            var network = Autoencoder(architecture: architecture, generator: &candidateGenerator)
            if architectures.count > 1 {
                observer?.latentCandidateStarted(latent: architecture.latent, candidate: index + 1, of: architectures.count)
            }
            let history = try trainer.train(
                &network, on: training, validation: validation, observer: observer, shouldStop: shouldStop)
            fitted.append((network, history))
        }
        let candidates = fitted.count > 1
            ? zip(latents, fitted).map { LatentChoice.Candidate(latent: $0, validationLoss: $1.history.compactMap(\.validationLoss).min() ?? .infinity) }
            : []
        let chosen = candidates.isEmpty ? 0 : latents.firstIndex(of: LatentChoice.choose(kind: kind, among: candidates))!
        let (network, history) = fitted[chosen]

        let record = TrainingRecord(
            settings: configuration.settings, normalization: method,
            validationFraction: validationFraction, threads: pool.threads,
            trainingRows: training.count, validationRows: validation?.count ?? 0, history: history)
        var model = TrainedModel(
            network: network, normalization: normalization, featureNames: configuration.featureNames,
            imageShape: configuration.imageShape, training: record)
        let calibrationRows = ScoreCalibration.maximumRows(for: kind)
        let trainingSample = try training.evenlySpacedRows(calibrationRows)
        let validationSample = try validation?.evenlySpacedRows(calibrationRows)
        model.calibration = ScoreCalibration.measure(model, training: trainingSample, validation: validationSample, pool: pool)
        var summaryRows = trainingSample
        if let validationSample { summaryRows.append(validationSample) }
        model.summary = FitSummary.measure(
            model, rows: summaryRows, statistics: statistics, history: history, candidates: candidates,
            trainingRows: training.count, validationRows: validation?.count ?? 0, pool: pool)
        return model
    }
}

/// The rows `ae-fit` trains on: in memory, or an HDF5 dataset read in blocks
/// with a shuffle buffer of `bufferRows` rows.
public enum FitData {
    case memory(Matrix)
    case hdf5(HDF5Dataset, bufferRows: Int)

    public var rows: Int {
        switch self {
        case .memory(let matrix): return matrix.rows
        case .hdf5(let dataset, _): return dataset.rows
        }
    }

    public var width: Int {
        switch self {
        case .memory(let matrix): return matrix.cols
        case .hdf5(let dataset, _): return dataset.cols
        }
    }

    /// Per-feature statistics of every row.
    func statistics() throws -> FeatureStatistics {
        switch self {
        case .memory(let matrix):
            var statistics = FeatureStatistics(width: matrix.cols)
            statistics.add(matrix)
            return statistics
        case .hdf5(let dataset, _):
            let blocks = stride(from: 0, to: dataset.rows, by: HDF5TrainingRows.blockRows)
                .map { $0..<min($0 + HDF5TrainingRows.blockRows, dataset.rows) }
            return try HDF5TrainingRows.statistics(of: dataset, blocks: blocks)
        }
    }
}
