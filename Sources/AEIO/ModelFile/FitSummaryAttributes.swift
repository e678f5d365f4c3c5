import AECore

/// The fit summary in the model file: attributes of the group `/summary`,
/// one per figure, so that h5py (`f["summary"].attrs`) and ae-info read it
/// without knowing ae's types. Lists that are empty are left out; a figure
/// that does not apply (no validation rows) is NaN.
enum FitSummaryAttributes {
    static let group = "summary"

    static func write(_ summary: FitSummary, into file: HDF5File) throws {
        try file.createGroup(group)
        func set(_ name: String, _ value: Int) throws { try file.setAttribute(name, to: value, on: group) }
        func set(_ name: String, _ value: Double) throws { try file.setAttribute(name, to: value, on: group) }
        func set(_ name: String, _ values: [Int]) throws {
            if !values.isEmpty { try file.setAttribute(name, to: values, on: group) }
        }
        func set(_ name: String, _ values: [Double]) throws {
            if !values.isEmpty { try file.setAttribute(name, to: values, on: group) }
        }
        try file.setAttribute("kind", to: summary.kind.rawValue, on: group)
        try set("training_rows", summary.trainingRows)
        try set("validation_rows", summary.validationRows)
        try set("features", summary.features)
        try set("latent", summary.latent)
        try set("latent_candidates", summary.latentCandidates.map(\.latent))
        try set("latent_validation_losses", summary.latentCandidates.map(\.validationLoss))
        try set("kept_epoch", summary.keptEpoch)
        try set("epochs_run", summary.epochsRun)
        try set("kept_train_loss", summary.keptTrainLoss)
        try set("kept_validation_loss", summary.keptValidationLoss ?? .nan)
        try set("kl_per_dimension", summary.klPerDimension)
        if summary.kind == .vae { try set("active_dimensions", summary.activeDimensions) }
        try set("latent_gain", summary.latentGain)
        try set("constant_columns", summary.constantColumns)
        try set("dominated_columns", summary.dominatedColumns)
        try file.setAttribute("score_method", to: summary.scoreMethod.rawValue, on: group)
        try set("threshold", summary.threshold ?? .nan)
        if let trim = summary.trim {
            try set("trim", trim.share)
            try set("trimmed_training_rows", trim.trainingRows)
            try set("trimmed_validation_rows", trim.validationRows)
        }
        let warnings = summary.warnings
        if !warnings.isEmpty { try file.setAttribute("warnings", to: warnings.joined(separator: "; "), on: group) }
    }

    static func read(_ file: HDF5File, fail: (String) -> AEError) throws -> FitSummary? {
        guard file.exists(group) else { return nil }
        func integer(_ name: String) throws -> Int {
            guard let value = try file.intAttribute(name, on: group) else { throw fail("\(group) has no \(name) attribute") }
            return value
        }
        func number(_ name: String) throws -> Double? {
            let value = try file.doubleAttribute(name, on: group)
            return value.flatMap { $0.isNaN ? nil : $0 }
        }
        guard let kind = try file.stringAttribute("kind", on: group).flatMap(ModelKind.init(rawValue:)),
              let method = try file.stringAttribute("score_method", on: group).flatMap(ScoreMethod.init(rawValue:)) else {
            throw fail("\(group) has no valid kind or score_method attribute")
        }
        let latents = try file.intArrayAttribute("latent_candidates", on: group) ?? []
        let losses = try file.doubleArrayAttribute("latent_validation_losses", on: group) ?? []
        guard latents.count == losses.count else { throw fail("\(group) has latent candidates without their losses") }
        return FitSummary(
            kind: kind, trainingRows: try integer("training_rows"), validationRows: try integer("validation_rows"),
            features: try integer("features"), latent: try integer("latent"),
            latentCandidates: zip(latents, losses).map { LatentChoice.Candidate(latent: $0, validationLoss: $1) },
            keptEpoch: try integer("kept_epoch"), epochsRun: try integer("epochs_run"),
            keptTrainLoss: try number("kept_train_loss") ?? .nan, keptValidationLoss: try number("kept_validation_loss"),
            klPerDimension: try file.doubleArrayAttribute("kl_per_dimension", on: group) ?? [],
            latentGain: try number("latent_gain") ?? .nan,
            constantColumns: try file.intArrayAttribute("constant_columns", on: group) ?? [],
            dominatedColumns: try file.intArrayAttribute("dominated_columns", on: group) ?? [],
            scoreMethod: method, threshold: try number("threshold"),
            trim: try number("trim").map {
                TrainingTrim.Outcome(share: $0, trainingRows: try integer("trimmed_training_rows"), validationRows: try integer("trimmed_validation_rows"))
            })
    }
}
