import ArgumentParser
import AECLI
import AECore
import AEIO

@main
struct Fit: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae-fit",
        abstract: "Train an autoencoder or VAE on rows of numbers and write the model file.",
        discussion: """
            Reads rows from files (in order) or stdin: NDJSON (arrays, objects with the \
            vector in field x, or objects with one numeric member per feature, as pandas \
            writes records), CSV/TSV with a header line, a JSON array of such rows, or an \
            HDF5 dataset (rank 3 or 4 is a stack of images), each also gzip-compressed, \
            or PNG images (files, or folders of them: one image a row, values in [0, 1]); \
            and writes one HDF5 model file that the other ae tools use. The features of \
            CSV rows are --columns, else every column but --exclude whose cells in the \
            first 100 rows are numbers (or empty); of object rows without x, their numeric \
            members, chosen the same way. Their names are stored in the model, and every \
            tool finds the features by name.
            """,
        version: ToolVersion.string)

    static let manual = ToolManual(
        examples: [
            .init("Train a VAE with 8 latent dimensions:", "ae-fit x.ndjson -o m.h5 --kind vae --latent 8"),
            .init("Train an autoencoder with a 3-dimensional code for 50 epochs:",
                  "ae-fit sensors.ndjson -o sensors.h5 --latent 3 --epochs 50"),
            .init("Train a VAE on 20x20 images in [0, 1] with a Bernoulli decoder, keeping the image shape for ae-decode's PNG grids:",
                  "ae-fit blobs.ndjson -o blobs.h5 --kind vae --hidden 256,64 --latent 3 --loss bce --image 20x20 --epochs 30 --batch 32"),
            .init("Train a VAE on a folder of PNG digits, keeping their size for ae-decode's PNG grids:",
                  "ae-fit digits/ -o digits.h5 --kind vae --hidden 400 --latent 20 --loss bce"),
            .init("Train on a CSV's numeric columns but its label column, keeping their names in the model:",
                  "ae-fit readings.csv --exclude label -o readings.h5"),
            .init("Train on rows from a pipe and log each epoch's metrics:",
                  "head -8000 mnist.ndjson | ae-fit -o m.h5 --kind vae --hidden 400 --latent 20 --loss bce --epochs 20 --log log.ndjson"),
        ],
        environment: [("COLUMNS", "The width of the progress bar when stderr is a terminal that reports none.")],
        succeeded: "The model was written (an empty input is an error).",
        interrupted: "Interrupted by Ctrl-C: training stopped before its next batch and the best model so far was written. A second Ctrl-C quits at once and writes nothing.")

    @Argument(help: ArgumentHelp("Training rows, read in order (default: stdin).", valueName: "input"), completion: .file())
    var inputs: [String] = []

    @Option(
        name: [.short, .customLong("output")], help: ArgumentHelp("The model file to write.", valueName: "model.h5"),
        completion: .file())
    var output: String

    @OptionGroup(title: "Input")
    var inputOptions: InputOptions

    @Option(help: ArgumentHelp(
        "Names for the features of rows that do not name them (arrays, HDF5), one per line; stored in the model.",
        valueName: "file"), completion: .file())
    var names: String?

    @OptionGroup(title: "Model")
    var model: ModelOptions

    @OptionGroup(title: "Training")
    var training: TrainingOptions

    @OptionGroup(title: "Resources")
    var compute: ComputeOptions

    @Option(help: ArgumentHelp(
        "Stream an HDF5 input in blocks, shuffling within a buffer of this many rows (default: read it whole when it holds at most 1 GiB, else stream with 65536).",
        valueName: "rows"))
    var bufferRows: Int?

    @Flag(name: .shortAndLong, help: "Print no progress.")
    var quiet = false

    @Option(
        help: ArgumentHelp("Write each epoch's metrics to this file (- is stdout), one NDJSON line per epoch.", valueName: "file"),
        completion: .file())
    var log: String?

    func validate() throws {
        if output == "-" { throw ValidationError("-o -: a model must be a file, not stdout: the other tools read it by name") }
        if let bufferRows, bufferRows < 1 { throw ValidationError("--buffer-rows must be at least 1") }
    }

    func run() throws {
        let reads = ReadFile.inputs(inputs) + (names.map { [ReadFile($0, role: "the feature names file")] } ?? [])
        try OverwriteGuard.check(output: output, option: "-o", against: reads)
        if let log {
            try OverwriteGuard.check(output: log, option: "--log", against: reads + [ReadFile(output, role: "the model file")])
        }
        let input = try inputOptions.openForTraining(inputs, bufferRows: bufferRows, namesFile: names)
        let rows = input.data
        if !quiet, let names = input.featureNames, let source = input.namesSource {
            Diagnostics.note("ae-fit: \(names.count) features named by \(source): \(FeatureSelection.listing(names))")
        }
        let configuration = try model.configuration(training: training, input: input).resolved(rows: rows.rows)
        let progress = try TrainingProgress(
            tool: "ae-fit", epochs: configuration.settings.epochs, display: .forStandardError(quiet: quiet), logPath: log)
        defer { progress.finish() }
        Interruption.stopAtFirstInterrupt(
            notice: "ae-fit: stopping after this batch to write the best model so far; Ctrl-C again quits without writing it")
        let trained = try Fitting.fit(
            rows, configuration, pool: compute.pool, observer: progress, shouldStop: { Interruption.stopRequested })
        try ModelFile.save(trained, to: output)
        if let summary = trained.summary { progress.report(summary, featureNames: trained.featureNames) }
        if Interruption.stopRequested { throw Interrupted.fit(trained, writtenTo: output) }
    }
}
