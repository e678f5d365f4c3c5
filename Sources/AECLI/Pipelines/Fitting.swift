import AECore
import AEIO

extension Fitting {
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
        let statistics = try data.statistics()
        let loss = configuration.loss ?? defaultLoss(layout: configuration.layout, statistics: statistics)
        let architectures = latents.map { latent in
            Architecture(
                kind: kind, inputWidth: width,
                hidden: configuration.hidden ?? defaultHidden(inputWidth: width, latent: latent),
                latent: latent, activation: configuration.activation, loss: loss, layout: configuration.layout)
        }
        for architecture in architectures { try architecture.validate() }
        if let shape = configuration.imageShape {
            try shape.checkRowLength(width)
        }
        if let names = configuration.featureNames, names.count != width {
            throw AEError("\(names.count) feature names for rows of \(width) values")
        }
        var generator = SeededGenerator(seed: configuration.settings.seed)

        let method = configuration.normalization
            ?? defaultNormalization(kind: kind, loss: loss, statistics: statistics)
        let normalization = statistics.normalization(method)
        if loss == .bce, !normalization.mapsIntoUnitInterval(statistics) {
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
