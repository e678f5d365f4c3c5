/// The distribution of a model's scores on the rows it was fitted to, kept
/// in the model file so that ae-score can turn a quantile or a contamination
/// rate into a score threshold without seeing the training data again.
///
/// Each distribution is summarised by its quantiles at evenly spaced
/// probabilities, so its size is bounded whatever the number of rows.
public struct ScoreCalibration: Equatable, Sendable {
    /// Latent draws per row behind the sampled methods' scores.
    public var samples: Int
    /// The seed those draws came from.
    public var seed: UInt64
    /// Per method: the scores of the training rows, and of the held-out
    /// validation rows when training held some out.
    public var distributions: [ScoreMethod: Scores]
    /// What the density score weighs features and latent codes by (nil in
    /// models written before ae-fit measured it).
    public var density: DensityStatistics?

    public struct Scores: Equatable, Sendable {
        public var training: ScoreDistribution
        public var validation: ScoreDistribution?

        public init(training: ScoreDistribution, validation: ScoreDistribution?) {
            self.training = training
            self.validation = validation
        }
    }

    public init(samples: Int, seed: UInt64, distributions: [ScoreMethod: Scores], density: DensityStatistics? = nil) {
        self.samples = samples
        self.seed = seed
        self.distributions = distributions
        self.density = density
    }

    /// The distribution thresholds at `probability` are taken from: the
    /// validation rows' when the model holds enough of them, because the
    /// network was not fitted to those and they show how new rows from the
    /// same source score; else the training rows'. "Enough" means that the
    /// quantile lies within the scores (at least 1/(1 − p) rows): below
    /// that, the 0.99 quantile of, say, 7 validation rows is their maximum,
    /// which one new row in 8 exceeds, so a small table's threshold uses
    /// its training and validation scores together.
    public func reference(for method: ScoreMethod, probability: Double = AnomalyThreshold.defaultQuantile) -> ScoreDistribution? {
        guard let entry = distributions[method] else { return nil }
        guard let validation = entry.validation else { return entry.training }
        let needed = probability < 1 ? 1 / (1 - probability) : .infinity
        guard Double(validation.rows) < needed else { return validation }
        return entry.training.merged(with: validation) ?? validation
    }
}

extension ScoreCalibration {
    /// Rows scored per split at most, for a model of `kind`: about 40,000
    /// decoder passes. An AE row costs one (20,000 rows: quantiles up to
    /// 0.999 well estimated); a VAE row costs `samples` + 1, so a VAE scores
    /// 2,350 rows (still 23 above its default 0.99 threshold), which keeps
    /// calibration to a fraction of training time.
    public static func maximumRows(for kind: ModelKind, samples: Int = ScoreMethod.defaultSamples) -> Int {
        kind == .vae ? 40_000 / (samples + 1) : 20_000
    }

    /// Scores the training rows (and validation rows, when there are any)
    /// of a freshly fitted model by every method its kind has, taking evenly
    /// spaced rows when a split has more than `maximumRows(for:)`. The density
    /// statistics are measured on `densityRows` when given (the rows a trimmed
    /// fit kept: what the model describes), else on both splits' rows. All
    /// matrices are normalised with the model's statistics.
    public static func measure(
        _ model: TrainedModel, training: Matrix, validation: Matrix?, densityRows: Matrix? = nil,
        samples: Int = ScoreMethod.defaultSamples, seed: UInt64 = RowScorer.defaultSeed, batchSize: Int = 1024,
        pool: WorkerPool
    ) -> ScoreCalibration {
        let count = { (data: Matrix) in min(data.rows, maximumRows(for: model.architecture.kind, samples: samples)) }
        var statisticsRows = training.gathering(rows: (0..<count(training)).map { $0 * training.rows / count(training) })
        if let validation, validation.rows > 0 {
            statisticsRows.append(validation.gathering(rows: (0..<count(validation)).map { $0 * validation.rows / count(validation) }))
        }
        let density = DensityStatistics.measure(model, on: densityRows ?? statisticsRows, batchSize: batchSize, pool: pool)
        let scorer = RowScorer(model: model, density: density, samples: samples, seed: seed)
        let methods = ScoreMethod.available(for: model.architecture.kind)
        func scores(of data: Matrix) -> [ScoreMethod: [Double]] {
            let count = count(data)
            let chosen = (0..<count).map { $0 * data.rows / count }
            var collected: [ScoreMethod: [Double]] = [:]
            var batch = Matrix(rows: 0, cols: data.cols)
            var start = 0
            while start < count {
                let end = min(start + batchSize, count)
                batch.resize(rows: end - start)
                batch.copyRows(of: data, at: chosen[start..<end])
                for (method, values) in scorer.score(normalizedRows: batch, methods: methods, pool: pool).scores {
                    collected[method, default: []] += values
                }
                start = end
            }
            return collected
        }
        let trainingScores = scores(of: training)
        let validationScores = validation.flatMap { $0.rows > 0 ? scores(of: $0) : nil }
        var distributions: [ScoreMethod: Scores] = [:]
        for method in methods {
            distributions[method] = Scores(
                training: ScoreDistribution(summarizing: trainingScores[method] ?? []),
                validation: validationScores.map { ScoreDistribution(summarizing: $0[method] ?? []) })
        }
        return ScoreCalibration(samples: samples, seed: seed, distributions: distributions, density: density)
    }
}
