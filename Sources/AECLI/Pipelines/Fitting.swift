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
    /// blocks, read again each epoch. With a trim share (`TrainingTrim`),
    /// the first network's most outlying rows are dropped and a second
    /// network, of the size chosen for the first, is fitted to the rest of
    /// the same split under a normalisation fitted to them. `shouldStop`
    /// can end training early (`Trainer.train`); in the second fit, it keeps
    /// the first.
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
        let split = FitSplit(data, validationFraction: validationFraction, generator: &generator)
        let rows = try split.rows(normalization)
        try checkEnoughRows(training: rows.training.count, of: data.rows)

        let trainer = Trainer(settings: configuration.settings, pool: pool)
        let calibrationRows = ScoreCalibration.maximumRows(for: kind)
        let first = try train(
            architectures, on: rows, trainer: trainer, generator: generator, observer: observer, shouldStop: shouldStop)
        var fitted = (first.network, first.history, normalization, statistics, rows)
        var outcome: TrainingTrim.Outcome?
        let share = configuration.trimShare!
        if share > 0, !shouldStop() {
            let trim = TrainingTrim(
                share: share, network: first.network, normalization: normalization,
                rows: try sample(of: rows, calibrationRows), pool: pool)
            let kept = split.keeping { trim.keptRows(of: $0, pool: pool) }
            let keptStatistics = try kept.statistics()
            let keptNormalization = keptStatistics.normalization(method)
            let keptRows = try kept.rows(keptNormalization)
            let dropped = (rows.training.count - keptRows.training.count, (rows.validation?.count ?? 0) - (keptRows.validation?.count ?? 0))
            if keptRows.training.count >= minimumTrainingRows {
                observer?.refitStarted(keptRows: keptRows.training.count + (keptRows.validation?.count ?? 0), droppedRows: dropped.0 + dropped.1, share: share)
                var second: (network: Autoencoder, history: [EpochMetrics], candidates: [LatentChoice.Candidate])?
                do {
                    second = try train(
                        [first.network.architecture], on: keptRows, trainer: trainer, generator: generator, observer: observer,
                        shouldStop: shouldStop)
                } catch is Interrupted {
                    second = nil
                }
                if let second, !shouldStop() {
                    fitted = (second.network, second.history, keptNormalization, keptStatistics, keptRows)
                    outcome = TrainingTrim.Outcome(share: share, trainingRows: dropped.0, validationRows: dropped.1)
                }
            }
        }
        let (network, history, modelNormalization, modelStatistics, trainedRows) = fitted

        let record = TrainingRecord(
            settings: configuration.settings, normalization: method,
            validationFraction: validationFraction, threads: pool.threads,
            trainingRows: trainedRows.training.count, validationRows: trainedRows.validation?.count ?? 0, history: history,
            trim: outcome)
        var model = TrainedModel(
            network: network, normalization: modelNormalization, featureNames: configuration.featureNames,
            imageShape: configuration.imageShape, training: record)
        // The thresholds come from every row of the split, trimmed or not
        // (rows like the input); the density statistics and the summary
        // from the rows the model was fitted to.
        let everyRow = outcome == nil ? trainedRows : try split.rows(modelNormalization)
        let trainedSample = try sample(of: trainedRows, calibrationRows)
        model.calibration = ScoreCalibration.measure(
            model, training: try everyRow.training.evenlySpacedRows(calibrationRows),
            validation: try everyRow.validation?.evenlySpacedRows(calibrationRows), densityRows: trainedSample, pool: pool)
        model.summary = FitSummary.measure(
            model, rows: trainedSample, statistics: modelStatistics, history: history,
            candidates: first.candidates, trainingRows: trainedRows.training.count,
            validationRows: trainedRows.validation?.count ?? 0, pool: pool)
        return model
    }

    /// At most `limit` evenly spaced rows of each split, together.
    private static func sample(of rows: (training: TrainingRows, validation: TrainingRows?), _ limit: Int) throws -> Matrix {
        var sample = try rows.training.evenlySpacedRows(limit)
        if let validation = try rows.validation?.evenlySpacedRows(limit) { sample.append(validation) }
        return sample
    }

    /// Trains a network of each architecture on `rows`, each from the same
    /// `generator` state (so the one chosen is the model `--latent` with its
    /// size would give), and keeps the one `LatentChoice` chooses.
    private static func train(
        _ architectures: [Architecture], on rows: (training: TrainingRows, validation: TrainingRows?), trainer: Trainer,
        generator: SeededGenerator, observer: TrainingObserver?, shouldStop: () -> Bool
    ) throws -> (network: Autoencoder, history: [EpochMetrics], candidates: [LatentChoice.Candidate]) {
        var fitted: [(network: Autoencoder, history: [EpochMetrics])] = []
        for (index, architecture) in architectures.enumerated() {
            // Ctrl-C ends the search too: the size is chosen among the
            // candidates trained so far.
            guard fitted.isEmpty || !shouldStop() else { break }
            var candidateGenerator = generator
            var network = Autoencoder(architecture: architecture, generator: &candidateGenerator)
            if architectures.count > 1 {
                observer?.latentCandidateStarted(latent: architecture.latent, candidate: index + 1, of: architectures.count)
            }
            let history = try trainer.train(
                &network, on: rows.training, validation: rows.validation, observer: observer, shouldStop: shouldStop)
            fitted.append((network, history))
        }
        let candidates = fitted.count > 1
            ? zip(architectures, fitted).map { LatentChoice.Candidate(latent: $0.latent, validationLoss: $1.history.compactMap(\.validationLoss).min() ?? .infinity) }
            : []
        let chosen = candidates.isEmpty ? 0 : architectures.firstIndex { $0.latent == LatentChoice.choose(kind: architectures[0].kind, among: candidates) }!
        return (fitted[chosen].network, fitted[chosen].history, candidates)
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
