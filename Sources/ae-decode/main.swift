import ArgumentParser
import AECLI
import AECore
import AEIO

@main
struct Decode: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae-decode",
        abstract: "Map latent codes to data rows, or draw them as a PNG grid of images.",
        discussion: """
            Reads latent rows (field z; NDJSON or HDF5) and writes one reconstruction per \
            row (field x): the model's output activation (sigmoid for bce), then its \
            normalisation inverted, so values are in the units of the training data. \
            Object rows keep their other members; arrays give arrays. --sample N decodes \
            N draws from the prior N(0, I) instead of reading input (bare arrays out).

            With -o FILE.png the rows are drawn as images in a grid (row-major, like \
            torchvision's make_grid): the picture is \
            cols * (W * scale) + (cols + 1) * pad pixels wide and \
            rows * (H * scale) + (rows + 1) * pad high, rows = ceil(n / cols). Values map \
            linearly to 0..255 and are clamped: a bce model's outputs and a minmax model's \
            training range span the full scale, other models the smallest to the largest \
            decoded value. A grid holds at most 65536 images and 2^28 values, its \
            picture at most 1 GiB. \
            --no-decode draws data rows (field x) as they are, e.g. inputs beside their \
            reconstructions; a model, if named, gives the shape and range.
            """,
        version: ToolVersion.string)

    static let manual = ToolManual(examples: [
        .init("Reconstruct rows (field x):", "ae-encode m.h5 < x.ndjson | ae-decode > xhat.ndjson"),
        .init("Draw the reconstructions as a PNG grid:", "ae-encode m.h5 < x.ndjson | ae-decode -o recon.png"),
        .init("Decode 64 draws from the prior N(0, I):", "ae-decode m.h5 --sample 64 -o samples.png"),
        .init("Draw paths between pairs of rows:", "ae-encode m.h5 < pair.ndjson | ae-interp | ae-decode -o grid.png"),
    ])

    @OptionGroup
    var arguments: StreamArguments<LatentRowsHelp>

    @OptionGroup(title: "Input")
    var inputOptions: InputOptions

    @OptionGroup(title: "Output")
    var outputOptions: OutputOptions<RowOrPNGFiles>

    @OptionGroup(title: "PNG grid")
    var gridOptions: GridOptions

    @OptionGroup(title: "Prior samples")
    var prior: PriorSampleOptions

    @OptionGroup(title: "Resources")
    var batching: BatchOptions

    @OptionGroup(title: "Resources")
    var compute: ComputeOptions

    func validate() throws {
        if prior.sample != nil, !arguments.inputs.isEmpty { throw ValidationError("--sample reads no input; name only the model") }
        if gridOptions.noDecode, !outputOptions.drawsPNG || prior.sample != nil {
            throw ValidationError("--no-decode draws input rows: it needs -o FILE.png and no --sample")
        }
    }

    func run() throws {
        let draws = prior.draws
        let (modelPath, inputPaths) = draws == nil ? arguments.resolved : (arguments.model, [])
        let space: StreamHeader.Space = gridOptions.noDecode ? .data : .latent
        let rows = try draws == nil ? inputOptions.open(inputPaths, defaultName: space == .data ? "x" : "z", droppedFields: ["x"]) : nil
        if let rows { try StreamHeader.require(space, in: rows.header, source: rows.source) }
        if gridOptions.noDecode { return try drawAsTheyAre(rows!, modelPath: modelPath, inputPaths: inputPaths) }
        let (trained, path) = try ModelLocator.load(explicit: modelPath, header: rows?.header)
        try rows?.require(width: trained.network.latentWidth, expectedBy: "the model")
        var codes = rows.map(DecodeInput.init(rows:)) ?? DecodeInput(
            prior: PriorSampler(width: trained.network.latentWidth, temperature: draws!.temperature, seed: draws!.seed),
            count: draws!.count)
        if draws != nil, trained.architecture.kind != .vae {
            Diagnostics.note("ae-decode: warning: \(path) is a plain autoencoder, whose codes follow no N(0, I) prior")
        }
        let reads = [.model(path)] + (rows == nil ? [] : ReadFile.inputs(inputPaths))
        if outputOptions.drawsPNG {
            try outputOptions.check(sparing: reads)
            let images = try codes.gridImages(decodedWith: trained, batchSize: batching.batch, pool: compute.pool)
            return try gridOptions.write(images, model: trained, header: rows?.header, to: outputOptions.output!)
        }
        try gridOptions.checkUnused()
        let output = try outputOptions.open(sparing: reads)
        if !outputOptions.noHeader {
            try output.writeHeader(StreamHeader.make(modelPath: path, space: .data, width: trained.network.inputWidth))
        }
        try codes.decode(with: trained, batchSize: batching.batch, pool: compute.pool, to: output)
        try output.finish()
    }

    private func drawAsTheyAre(_ rows: RowInput, modelPath: String?, inputPaths: [String]) throws {
        let named = try ModelLocator.loadIfNamed(explicit: modelPath, header: rows.header)
        let trained = named?.model
        if let trained { try rows.require(model: trained) }
        try outputOptions.check(sparing: ReadFile.inputs(inputPaths) + (named.map { [.model($0.path)] } ?? []))
        var input = DecodeInput(rows: rows)
        let images = try input.gridImages(decodedWith: nil, batchSize: batching.batch, pool: compute.pool)
        try gridOptions.write(images, model: trained, input: rows, header: rows.header, to: outputOptions.output!)
    }
}
