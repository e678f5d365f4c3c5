import Glibc

/// What ae-fit found out while fitting, beyond the weights: printed at the
/// end of every run and kept in the model (`/summary`), so that the classic
/// pitfalls (a bottleneck too wide or too narrow, a collapsed posterior,
/// constant or outlier-dominated columns, an epoch count that overfits) are
/// reported by the tool instead of discovered later.
public struct FitSummary: Equatable, Sendable {
    public var kind: ModelKind
    public var trainingRows: Int
    public var validationRows: Int
    public var features: Int
    public var latent: Int
    /// The sizes tried and their validation losses; empty when `--latent` was given.
    public var latentCandidates: [LatentChoice.Candidate]
    /// The epoch whose weights were kept (1-based), of `epochsRun`.
    public var keptEpoch: Int
    public var epochsRun: Int
    public var keptTrainLoss: Double
    public var keptValidationLoss: Double?
    /// VAE: the mean KL of each latent dimension on the calibration rows, in nats.
    public var klPerDimension: [Double]
    /// The share of the reconstruction loss that the latent code explains:
    /// 1 − loss(decoded from the code) / loss(decoded from the prior mean).
    public var latentGain: Double
    /// Columns constant in the training rows (0-based).
    public var constantColumns: [Int]
    /// Columns whose range a few rows dominate (0-based).
    public var dominatedColumns: [Int]
    /// The default score method and its threshold at the default quantile.
    public var scoreMethod: ScoreMethod
    public var threshold: Double?
    /// The rows the first fit dropped before the second, when ae-fit trimmed.
    public var trim: TrainingTrim.Outcome?

    public init(
        kind: ModelKind, trainingRows: Int, validationRows: Int, features: Int, latent: Int, latentCandidates: [LatentChoice.Candidate], keptEpoch: Int, epochsRun: Int, keptTrainLoss: Double, keptValidationLoss: Double?, klPerDimension: [Double], latentGain: Double, constantColumns: [Int], dominatedColumns: [Int], scoreMethod: ScoreMethod, threshold: Double?,
        trim: TrainingTrim.Outcome? = nil
    ) {
        self.kind = kind
        self.trainingRows = trainingRows
        self.validationRows = validationRows
        self.features = features
        self.latent = latent
        self.latentCandidates = latentCandidates
        self.keptEpoch = keptEpoch
        self.epochsRun = epochsRun
        self.keptTrainLoss = keptTrainLoss
        self.keptValidationLoss = keptValidationLoss
        self.klPerDimension = klPerDimension
        self.latentGain = latentGain
        self.constantColumns = constantColumns
        self.dominatedColumns = dominatedColumns
        self.scoreMethod = scoreMethod
        self.threshold = threshold
        self.trim = trim
    }

    /// A dimension is active when its mean KL exceeds this many nats.
    public static let activeKL = 0.01
    /// A column is dominated by a few rows when its middle 98% of values
    /// span less than this share of its range: under min-max scaling those
    /// few rows squeeze all the others into a sliver of [0, 1].
    public static let dominatedSpread = 0.05
    /// Below this `latentGain` the decoder is taken to ignore the latent code.
    public static let ignoredLatentGain = 0.01

    public var activeDimensions: Int { klPerDimension.filter { $0 > Self.activeKL }.count }

    /// Warnings a user should act on.
    public var warnings: [String] {
        var found: [String] = []
        if !klPerDimension.isEmpty, activeDimensions == 0 {
            found.append("the posterior has collapsed: no latent dimension carries information (try a smaller --beta, --kl-warmup, or --normalize standard)")
        } else if latentGain < Self.ignoredLatentGain {
            found.append("the decoder ignores the latent code: reconstructions from it are no better than from the prior mean")
        }
        if trainingRows < 10 * features {
            found.append("only \(trainingRows) training rows for \(features) features: the model may learn the rows rather than their structure")
        }
        return found
    }

    /// The summary as lines for stderr (without the tool's prefix).
    public func lines(featureName: (Int) -> String = { String($0) }) -> [String] {
        func number(_ value: Double) -> String { String(printf: "%.4g", value) }
        var lines = ["rows: \(trainingRows) training, \(validationRows) validation; \(features) features"]
        if let trim {
            lines.append("trimmed: \(trim.trainingRows + trim.validationRows) rows (--trim \(String(printf: "%g", trim.share)): \(trim.trainingRows) training, \(trim.validationRows) validation) that the first fit found most outlying; the model was fitted again without them")
        }
        if latentCandidates.isEmpty {
            lines.append("latent: \(latent), as given")
        } else {
            let tried = latentCandidates.map { "\($0.latent) → \(number($0.validationLoss))" }.joined(separator: ", ")
            lines.append("latent: \(latent), chosen on the validation rows (loss per row: \(tried); the rule: \(LatentChoice.rule(for: kind)))")
        }
        var kept = "kept epoch: \(keptEpoch) of \(epochsRun), train loss \(number(keptTrainLoss))"
        if let keptValidationLoss { kept += ", validation loss \(number(keptValidationLoss))" }
        lines.append(kept)
        if !klPerDimension.isEmpty {
            lines.append("active latent dimensions: \(activeDimensions) of \(latent) (KL per dimension: \(klPerDimension.map(number).joined(separator: ", ")) nats)")
        }
        if !constantColumns.isEmpty {
            lines.append("constant columns: \(constantColumns.map(featureName).joined(separator: ", "))")
        }
        if !dominatedColumns.isEmpty {
            lines.append("columns whose range a few rows dominate: \(dominatedColumns.map(featureName).joined(separator: ", "))")
        }
        if let threshold {
            lines.append("anomaly threshold: \(number(threshold)) (\(scoreMethod.rawValue) score above \(number(AnomalyThreshold.defaultQuantile * 100))% of the calibration rows)")
        }
        return lines
    }
}

extension FitSummary {
    /// Measures what the summary needs of a trained `model` on normalised
    /// calibration rows `rows` (a sample of the training and validation rows).
    public static func measure(
        _ model: TrainedModel, rows: Matrix, statistics: FeatureStatistics, history: [EpochMetrics],
        candidates: [LatentChoice.Candidate], trainingRows: Int, validationRows: Int, pool: WorkerPool
    ) -> FitSummary {
        let network = model.network
        let best = model.training?.bestValidationEpoch
        let kept = history.first { $0.epoch == best } ?? history.last

        let codes = network.encode(rows, pool: pool)
        var klPerDimension: [Double] = []
        if let logVariance = codes.logVariance {
            let k = network.latentWidth
            klPerDimension = [Double](repeating: 0, count: k)
            for row in 0..<rows.rows {
                for j in 0..<k {
                    let mu = Double(codes.mean[row, j]), v = Double(logVariance[row, j])
                    klPerDimension[j] += LatentCodes.kl(mean: mu, logVariance: v) / Double(rows.rows)
                }
            }
        }
        let loss = network.architecture.loss
        func reconstructionLoss(from latent: Matrix) -> Double {
            let logits = network.decodeLogits(latent, pool: pool)
            return logits.storage.withUnsafeBufferPointer { output in
                rows.storage.withUnsafeBufferPointer { target in
                    loss.evaluate(output: output.baseAddress!, target: target.baseAddress!, rows: rows.rows, cols: rows.cols)
                }
            }
        }
        let fromCodes = reconstructionLoss(from: codes.mean)
        let fromPrior = reconstructionLoss(from: Matrix(rows: rows.rows, cols: network.latentWidth))
        let latentGain = fromPrior > 0 ? 1 - fromCodes / fromPrior : 1

        let method = ScoreMethod.defaultMethod(for: model)
        return FitSummary(
            kind: network.architecture.kind, trainingRows: trainingRows, validationRows: validationRows, features: network.inputWidth,
            latent: network.latentWidth, latentCandidates: candidates,
            keptEpoch: kept?.epoch ?? 0, epochsRun: history.count, keptTrainLoss: kept?.trainLoss ?? .nan,
            keptValidationLoss: kept?.validationLoss, klPerDimension: klPerDimension, latentGain: latentGain,
            constantColumns: (0..<statistics.width).filter(statistics.isConstant),
            dominatedColumns: dominatedColumns(of: rows, skipping: statistics),
            scoreMethod: method,
            threshold: try? AnomalyThreshold.standard.score(for: method, calibration: model.calibration),
            trim: model.training?.trim)
    }

    /// Columns of `rows` whose middle 98% span less than `dominatedSpread`
    /// of their range (constant columns left out).
    static func dominatedColumns(of rows: Matrix, skipping statistics: FeatureStatistics) -> [Int] {
        guard rows.rows >= 50 else { return [] }
        return (0..<rows.cols).filter { j in
            guard !statistics.isConstant(j) else { return false }
            let values = (0..<rows.rows).map { rows[$0, j] }.sorted()
            let range = values.last! - values.first!
            let low = values[values.count / 100], high = values[values.count - 1 - values.count / 100]
            return range > 0 && Double(high - low) < dominatedSpread * Double(range)
        }
    }
}
