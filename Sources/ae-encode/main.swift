import ArgumentParser
import AECLI
import AECore
import AEIO

@main
struct Encode: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae-encode",
        abstract: "Map data rows to latent codes with a trained model.",
        discussion: """
            Writes one row of latent code per input row (field z; a VAE gives the \
            posterior mean unless --sample), after a header record naming the model. \
            CSV and TSV give columns z0, z1, ... after the other members of object rows; \
            HDF5 gives dataset z and one dataset per other member (ids, labels).
            """,
        version: ToolVersion.string)

    static let manual = ToolManual(examples: [
        .init("Encode rows into latent codes:", "ae-encode m.h5 < x.ndjson > z.ndjson"),
        .init("Encode, keeping the other members of object rows:", "head -2 sensors.ndjson | ae-encode sensors.h5"),
        .init("Draw codes from a VAE's posterior, with their log-variance:", "ae-encode m.h5 x.ndjson --sample --seed 7 --with-logvar"),
        .init("Encode into an HDF5 dataset z:", "ae-encode m.h5 x.h5 -o z.h5"),
        .init("Encode a folder of PNG images, each row naming its image in member file:", "ae-encode digits.h5 photos/ > z.ndjson"),
    ])

    @OptionGroup
    var arguments: StreamArguments<DataRowsHelp>

    @OptionGroup(title: "Input")
    var inputOptions: InputOptions

    @OptionGroup(title: "Output")
    var outputOptions: OutputOptions<RowFiles>

    @Flag(help: "VAE: draw codes from the posterior instead of writing its mean.")
    var sample = false

    @Option(help: "Seed for --sample.")
    var seed: UInt64 = 1

    @Flag(help: "VAE: also write the posterior log-variance (field logvar).")
    var withLogvar = false

    @OptionGroup(title: "Resources")
    var batching: BatchOptions

    @OptionGroup(title: "Resources")
    var compute: ComputeOptions

    func run() throws {
        let (modelPath, inputPaths) = arguments.resolved
        let rows = try inputOptions.open(inputPaths, defaultName: "x", droppedFields: ["z", "logvar"])
        let (trained, path) = try ModelLocator.load(explicit: modelPath, header: rows.header)
        if withLogvar, trained.architecture.kind != .vae {
            throw AEError("--with-logvar needs a VAE; \(path) is an autoencoder")
        }
        try rows.require(model: trained)
        let output = try outputOptions.open(sparing: [.model(path)] + ReadFile.inputs(inputPaths))
        if !outputOptions.noHeader {
            try output.writeHeader(StreamHeader.make(modelPath: path, space: .latent, width: trained.network.latentWidth))
        }
        var generator = SeededGenerator(seed: seed)
        try BatchPipeline.run(
            workers: compute.pool.threads,
            read: { try rows.readBatchHere(capacity: batching.batch) },
            compute: { batch in trained.encode(batch.vectors, pool: .serial, logVariance: sample || withLogvar) },
            commit: { batch, codes in
                // Drawn here, in input order, so the codes follow from --seed alone.
                var columns: [(name: String, values: OutputColumns.Values)] = [
                    ("z", .vectors(sample ? codes.sample(generator: &generator) : codes.mean))
                ]
                if withLogvar, let logVariance = codes.logVariance { columns.append(("logvar", .vectors(logVariance))) }
                try output.write(
                    OutputColumns(rows: batch.count, columns: columns), passThrough: batch, asArrays: rows.shape == .array)
            })
        try output.finish()
    }
}
