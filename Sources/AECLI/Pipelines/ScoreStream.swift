import AECore
import AEIO

/// What ae-score computes and writes for each row, once the model is known.
public struct ScoringSettings: Sendable {
    public var method: ScoreMethod
    public var samples: Int
    public var seed: UInt64
    /// Scores above this are anomalies.
    public var threshold: Double
    /// How `threshold` was chosen.
    public var thresholdRule: AnomalyThreshold
    /// The model, as the tool was told where it is.
    public var modelPath: String
    /// Features to name per row (0: none).
    public var explain: Int
    /// Names for the features in explanations; column indices without them.
    public var featureNames: [String]?
    /// The field to write the input vector back under (`--keep`), if any.
    public var keptVectorField: String?
    public var batchSize: Int

    public init(
        method: ScoreMethod, samples: Int, seed: UInt64, threshold: Double, thresholdRule: AnomalyThreshold,
        modelPath: String, explain: Int = 0, featureNames: [String]? = nil, keptVectorField: String? = nil,
        batchSize: Int
    ) {
        self.method = method
        self.samples = samples
        self.seed = seed
        self.threshold = threshold
        self.thresholdRule = thresholdRule
        self.modelPath = modelPath
        self.explain = explain
        self.featureNames = featureNames
        self.keptVectorField = keptVectorField
        self.batchSize = batchSize
    }
}

/// What a scored stream came to, for the report on stderr.
public struct ScoringSummary: Sendable {
    public var rows = 0
    public var anomalies = 0
    /// With labels: how many rows they mark as anomalies, and how well the
    /// scores rank those (nil where a class is missing).
    public var labelledAnomalies: Int?
    public var rocAUC: Double?
    public var averagePrecision: Double?

    /// `1831 rows, 19 flagged; labels: 176 anomalies, ROC-AUC 0.9512, average precision 0.7321`.
    public var report: String {
        var text = "\(rows) rows, \(anomalies) flagged as anomalies"
        if let labelledAnomalies {
            text += "; labels: \(labelledAnomalies) anomalies"
            text += ", ROC-AUC " + (rocAUC.map { String(printf: "%.4f", $0) } ?? "undefined (one class only)")
            text += ", average precision " + (averagePrecision.map { String(printf: "%.4f", $0) } ?? "undefined (no anomalies)")
        }
        return text
    }
}

/// Scores a stream batch by batch: each row gets `score` and `anomaly` (and
/// `explain`), added to its pass-through members for object rows, or to its
/// 0-based `row` number for array rows; HDF5 output gets one dataset per
/// column, CSV one column per explained feature and share. Memory stays bounded by the batch size, except that `--label`
/// keeps one score and one label per row for the exact metrics at the end.
public struct ScoreStream {
    /// The members ae-score writes itself, dropped from the pass-through so a
    /// stream scored twice holds each name once.
    public static let writtenFields = ["score", "anomaly", "explain"]

    public let scorer: RowScorer
    public let settings: ScoringSettings

    public init(scorer: RowScorer, settings: ScoringSettings) {
        self.scorer = scorer
        self.settings = settings
    }

    /// Scores every row of `rows` into `output` (which the caller finishes),
    /// a batch per thread of `pool` at a time; no rows make an empty output.
    /// A bad row, or a missing label,
    /// ends the run with an error after the rows in front of it have been
    /// written (the failure path flushes them).
    public func run(_ rows: RowInput, to output: RowOutput, labels: RowLabels?, pool: WorkerPool) throws -> ScoringSummary {
        try describe(in: output)
        var summary = ScoringSummary()
        var allScores: [Double] = []
        var allLabels: [Bool] = []
        try BatchPipeline.run(
            workers: pool.threads,
            read: { () throws -> LabelledBatch? in
                guard var batch = try rows.readBatchHere(capacity: settings.batchSize) else { return nil }
                var labelError: AEError?
                if let labels {
                    let read = labels.labels(of: batch)
                    allLabels += read.labels
                    labelError = read.error
                    batch.keepFirst(read.labels.count)
                }
                return LabelledBatch(rows: batch, labelError: labelError)
            },
            compute: { item in
                scorer.score(rows: item.rows.vectors, methods: [settings.method], featureLosses: settings.explain > 0, pool: .serial)
            },
            commit: { item, scored in
                let batch = item.rows
                let scores = scored.scores[settings.method]!
                let flags = scores.map { $0 > settings.threshold }
                let columns = outputColumns(
                    batch, scores: scores, flags: flags, featureLosses: scored.featureLosses,
                    firstRow: summary.rows, arrayRows: rows.shape == .array, format: output.format)
                try output.write(OutputColumns(rows: batch.count, columns: columns), passThrough: batch, asArrays: false)
                if labels != nil { allScores += scores }
                summary.rows += batch.count
                summary.anomalies += flags.filter { $0 }.count
                if let labelError = item.labelError { throw labelError }
            })
        if labels != nil {
            summary.labelledAnomalies = allLabels.filter { $0 }.count
            summary.rocAUC = RankingMetrics.rocAUC(scores: allScores, labels: allLabels)
            summary.averagePrecision = RankingMetrics.averagePrecision(scores: allScores, labels: allLabels)
        }
        return summary
    }

    /// Records how the scores and flags were made as attributes of an HDF5
    /// output's root: `method`, `samples` and `seed` (sampled methods),
    /// `threshold`, `threshold_rule` (quantile, contamination or score) with
    /// `quantile` or `contamination`, and `model` (its absolute path).
    private func describe(in output: RowOutput) throws {
        try output.setAttribute("method", to: settings.method.rawValue)
        if settings.method.isSampled {
            try output.setAttribute("samples", to: settings.samples)
            if let seed = Int(exactly: settings.seed) { try output.setAttribute("seed", to: seed) }
        }
        try output.setAttribute("threshold", to: settings.threshold)
        switch settings.thresholdRule {
        case .quantile(let q):
            try output.setAttribute("threshold_rule", to: "quantile")
            try output.setAttribute("quantile", to: q)
        case .contamination(let c):
            try output.setAttribute("threshold_rule", to: "contamination")
            try output.setAttribute("contamination", to: c)
        case .score:
            try output.setAttribute("threshold_rule", to: "score")
        }
        try output.setAttribute("model", to: StreamHeader.absolute(settings.modelPath))
    }

    /// A batch as read, cut short before a row without a valid label.
    private struct LabelledBatch {
        var rows: RowBatch
        var labelError: AEError?
    }

    private func outputColumns(
        _ batch: RowBatch, scores: [Double], flags: [Bool], featureLosses: Matrix?, firstRow: Int, arrayRows: Bool,
        format: RowFormat
    ) -> [(name: String, values: OutputColumns.Values)] {
        var columns: [(name: String, values: OutputColumns.Values)] = []
        if arrayRows, format != .h5 {
            columns.append(("row", .integers(Array(firstRow..<(firstRow + batch.count)))))
        }
        if let field = settings.keptVectorField { columns.append((field, .vectors(batch.vectors))) }
        columns.append(("score", .floats(scores.map(Float.init))))
        columns.append(("anomaly", .flags(flags)))
        guard let featureLosses, settings.explain > 0 else { return columns }
        let count = min(settings.explain, featureLosses.cols)
        let explanations = (0..<batch.count).map { FeatureExplanation(featureLosses: featureLosses.row($0), count: count) }
        switch format {
        case .ndjson:
            columns.append(("explain", .json(explanations.map { $0.json(names: settings.featureNames) })))
        case .csv, .tsv:
            for k in 0..<count {
                let features = explanations.map { $0.entries[k].feature }
                columns.append(("explain\(k)_feature", settings.featureNames.map { names in .strings(features.map { names[$0] }) }
                    ?? .integers(features)))
                columns.append(("explain\(k)_share", .floats(explanations.map { $0.entries[k].share })))
            }
        case .h5:
            columns.append(("explain_feature", .integerVectors(
                columns: count, values: explanations.flatMap { $0.entries.map(\.feature) })))
            columns.append(("explain_share", .vectors(Matrix(
                rows: batch.count, cols: count, storage: explanations.flatMap { $0.entries.map(\.share) }))))
        }
        return columns
    }
}
