import ArgumentParser
import AECLI
import AECore
import AEIO

@main
struct Score: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae-score",
        abstract: "Score rows for anomalies with a trained model.",
        discussion: """
            Writes each row with a score (the model's loss for the row: reconstruction \
            error, or for a VAE the negative ELBO or IWAE bound) and an anomaly flag \
            against a threshold from the model's calibration. Object rows keep their \
            other members; array rows become {"row": i, "score": s, "anomaly": b}. \
            CSV and TSV give those as columns, explanations as explain0_feature, \
            explain0_share, ...; HDF5 gives a dataset per column and records the method, \
            samples, threshold and model as root attributes.
            """,
        version: ToolVersion.string)

    static let manual = ToolManual(examples: [
        .init("Keep the rows flagged as anomalies:", "ae-score m.h5 < x.ndjson | jq 'select(.anomaly)'"),
        .init("Report ROC-AUC and average precision against a label member on stderr:",
              "ae-score sensors.h5 sensors.ndjson --label label > scored.ndjson"),
        .init("Flag the top 10% and name the two features that explain each score most:",
              "ae-score cardio.h5 cardio.ndjson --contamination 0.1 --explain 2 | head -2"),
        .init("Score with the importance-weighted bound, labels from dataset y beside x, into HDF5:",
              "ae-score cardio.h5 cardio.h5 --label y --method iwae --samples 64 -o scores.h5"),
        .init("Score CSV files in parts, gzipped or not, finding the model's features by name:",
              "ae-score sensors-named.h5 part-*.csv part-*.csv.gz --explain 2"),
        .init("Score a folder of PNG images and list the five least typical (member file names each image):",
              "ae-score digits.h5 photos/ | jq -s -r 'sort_by(-.score)[:5][] | .file'"),
    ])

    @OptionGroup
    var arguments: StreamArguments<DataRowsHelp>

    @OptionGroup(title: "Input")
    var inputOptions: InputOptions

    @OptionGroup(title: "Scoring")
    var scoring: ScoreOptions

    @OptionGroup(title: "Output")
    var outputOptions: OutputOptions<RowFiles>

    @OptionGroup(title: "Resources")
    var batching: BatchOptions

    @OptionGroup(title: "Resources")
    var compute: ComputeOptions

    func run() throws {
        let (modelPath, inputPaths) = arguments.resolved
        let rows = try inputOptions.open(inputPaths, defaultName: "x", droppedFields: ScoreStream.writtenFields)
        let (trained, path) = try ModelLocator.load(explicit: modelPath, header: rows.header)
        try rows.require(model: trained)
        let settings = try scoring.settings(
            for: trained, modelPath: path, vectorField: inputOptions.field ?? "x", batchSize: batching.batch)
        let labels = try scoring.label.map { try RowLabels(name: $0, input: rows) }
        let names = scoring.names.map { [ReadFile($0, role: "the feature names file")] } ?? []
        let output = try outputOptions.open(sparing: [.model(path)] + ReadFile.inputs(inputPaths) + names)
        if let field = settings.keptVectorField, let featureNames = settings.featureNames {
            output.nameEntries(of: field, featureNames)
        }
        if scoring.keep, !outputOptions.noHeader {
            try output.writeHeader(StreamHeader.make(modelPath: path, space: .data, width: trained.network.inputWidth))
        }
        let scorer = RowScorer(model: trained, samples: settings.samples, seed: settings.seed)
        let summary = try ScoreStream(scorer: scorer, settings: settings).run(rows, to: output, labels: labels, pool: compute.pool)
        try output.finish()
        if labels != nil { Diagnostics.note("ae-score: \(summary.report)") }
    }
}
