import AECore
import AEIO
import ArgumentParser
import FoundationEssentials

extension ScoreMethod: ExpressibleByArgument {}

/// How `ae-score` scores rows and decides which are anomalies.
public struct ScoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The score (default: elbo for a VAE, density for an AE; elbo and iwae need a VAE; density weighs each feature by its typical error and adds the latent code's distance from the training codes).",
        valueName: ScoreMethod.choices))
    public var method: ScoreMethod?

    @Option(help: ArgumentHelp(
        "Latent draws per row for elbo and iwae (default: \(ScoreMethod.defaultSamples)).", valueName: "k"))
    public var samples: Int?

    @Option(help: "Seed for the latent draws, which are drawn per row from its values, not its position.")
    public var seed = RowScorer.defaultSeed

    @Option(help: ArgumentHelp(
        "Anomaly above this quantile of the model's calibration scores (default: \(AnomalyThreshold.defaultQuantile)).",
        valueName: "q"))
    public var quantile: Double?

    @Option(help: ArgumentHelp(
        "Anomaly above the score that this fraction of the calibration rows exceed.", valueName: "fraction"))
    public var contamination: Double?

    @Option(help: ArgumentHelp("Anomaly above this score.", valueName: "score"))
    public var threshold: Double?

    @Option(help: ArgumentHelp("Name the K features with the largest share of each row's error.", valueName: "k"))
    public var explain: Int?

    @Option(help: ArgumentHelp(
        "Feature names for --explain, one per line (default: the model's, when it has them).", valueName: "file"),
        completion: .file())
    public var names: String?

    @Flag(help: "Keep the input vector in the output rows.")
    public var keep = false

    @Option(help: ArgumentHelp(
        "Report ROC-AUC and average precision on stderr against this member of object rows (or dataset beside HDF5 rows); non-zero or true marks an anomaly.",
        valueName: "name"))
    public var label: String?

    public init() {}

    public func validate() throws {
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
        if [quantile, contamination, threshold].compactMap({ $0 }).count > 1 {
            throw ValidationError("give at most one of --quantile, --contamination and --threshold")
        }
        if let quantile, !(quantile >= 0 && quantile <= 1) { throw ValidationError("--quantile must be in [0, 1]") }
        if let contamination, !(contamination >= 0 && contamination <= 1) {
            throw ValidationError("--contamination must be in [0, 1]")
        }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a finite number") }
        if let explain, explain < 1 { throw ValidationError("--explain must be at least 1") }
        if names != nil, explain == nil { throw ValidationError("--names needs --explain") }
    }

    /// The choice of threshold, before it is turned into a score.
    public var anomalyThreshold: AnomalyThreshold {
        if let threshold { return .score(threshold) }
        if let contamination { return .contamination(contamination) }
        if let quantile { return .quantile(quantile) }
        return .standard
    }

    /// The settings for `model` (named `modelPath` in messages), checking
    /// that the method suits the model and reading the feature names.
    public func settings(
        for model: TrainedModel, modelPath: String, vectorField: String, batchSize: Int
    ) throws -> ScoringSettings {
        let kind = model.architecture.kind
        let method = method ?? ScoreMethod.defaultMethod(for: model)
        guard ScoreMethod.available(for: kind).contains(method) else {
            throw AEError("--method \(method.rawValue) needs a VAE; \(modelPath) is an autoencoder")
        }
        if method == .density, model.calibration?.density == nil {
            throw AEError("--method density needs the density statistics that ae-fit measures; \(modelPath) was written before it did: refit it")
        }
        if samples != nil, !method.isSampled {
            throw AEError("--samples applies to --method elbo or iwae, not \(method.rawValue)")
        }
        let samples = samples ?? ScoreMethod.defaultSamples
        let thresholdScore: Double
        do {
            thresholdScore = try anomalyThreshold.score(for: method, calibration: model.calibration)
        } catch var error as AEError {
            error.location = .init(source: modelPath)
            throw error
        }
        if let calibration = model.calibration, threshold == nil, method.isSampled,
           calibration.samples != samples || calibration.seed != seed {
            Diagnostics.note(
                "ae-score: note: \(modelPath) was calibrated with \(calibration.samples) samples and seed \(calibration.seed); "
                    + "thresholds for \(samples) samples and seed \(seed) are approximate")
        }
        return ScoringSettings(
            method: method, samples: samples, seed: seed, threshold: thresholdScore, thresholdRule: anomalyThreshold,
            modelPath: modelPath, explain: explain ?? 0,
            featureNames: try names.map { try FeatureNamesFile.read($0, count: model.network.inputWidth) } ?? model.featureNames,
            keptVectorField: keep ? vectorField : nil, batchSize: batchSize)
    }
}
