import ArgumentParser
import AECLI
import AECore
import AEIO

@main
struct Interp: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae-interp",
        abstract: "Walk latent space: paths between codes, traversals, a manifold grid, prior samples.",
        discussion: """
            Reads latent rows (field z; NDJSON or HDF5) and writes latent rows, after a \
            header record passed on from the input with a hint "cols" (images per grid \
            row) that makes ae-decode draw one path, sweep or grid row per row of its PNG:

              ae-encode m.h5 < pair.ndjson | ae-interp | ae-decode -o grid.png

            Paths (default) join rows 0->1, 2->3, ... (--chain: 0->1, 1->2, ...) in --steps \
            codes each, both endpoints included and equal to the input codes bit for \
            bit. Object rows give {"path","step","t","from","to","z"}: from and to hold \
            the endpoint rows' other members. --traverse writes, for each input code and \
            each dimension in --dims order, the code with that dimension set to --steps \
            values from low to high; object rows keep their members and add "dim" and \
            "value". --grid writes steps x steps codes row by row: the first --dims \
            dimension increases left to right, the second decreases top to bottom, at \
            the standard normal quantiles of (k + 0.5) / steps, the other dimensions 0. \
            --sample draws from N(0, I) with the same codes as ae-decode --sample for the \
            same seed. Generated codes are bare arrays; their size comes from the model \
            argument, else --dim, else the header record of the input (a file, or stdin \
            unless it is a terminal; only the header is read), else $AE_MODEL.
            """,
        version: ToolVersion.string)

    static let manual = ToolManual(examples: [
        .init("Paths between rows 0 and 1, 2 and 3, ..., drawn as a grid:", "ae-encode m.h5 < x.ndjson | ae-interp | ae-decode -o grid.png"),
        .init("Spherical paths along the rows, 0 to 1, 1 to 2, ...:", "ae-encode m.h5 < x.ndjson | ae-interp --chain --method slerp --steps 16"),
        .init("Sweep each latent dimension of one row from -3 to 3:",
              "ae-encode m.h5 < one.ndjson | ae-interp --traverse --range=-3:3 --steps 7 | ae-decode -o sweep.png"),
        .init("The 2-D manifold of dimensions 0 and 1:", "ae-interp m.h5 --grid --dims 0,1 --steps 20 | ae-decode -o manifold.png"),
        .init("16 codes drawn from the prior at temperature 0.8:", "ae-interp m.h5 --sample 16 --temperature 0.8 > z.ndjson"),
    ])

    @OptionGroup
    var arguments: StreamArguments<LatentWalkHelp>

    @OptionGroup(title: "Walk")
    var walkOptions: WalkOptions

    @OptionGroup(title: "Input")
    var inputOptions: InputOptions

    @OptionGroup(title: "Output")
    var outputOptions: OutputOptions<RowFiles>

    @OptionGroup(title: "Resources")
    var batching: BatchOptions

    func run() throws {
        let (modelPath, inputPaths) = arguments.resolved
        let walk = walkOptions.walk
        guard walk.readsInput else {
            let (width, header, namedModel) = try GeneratedCodeSize.locate(
                dim: walkOptions.dim, modelPath: modelPath, inputPath: inputPaths.first)
            let models = [namedModel, StreamHeader.modelPath(in: header)].compactMap { $0 }.map(ReadFile.model)
            let output = try outputOptions.open(sparing: ReadFile.inputs(inputPaths) + models)
            try writeHeader(StreamHeader.passingOn(header, modelPath: namedModel, width: width, gridColumns: walk.gridColumns), to: output)
            try walk.generate(width: width, to: output, batchSize: batching.batch)
            return try output.finish()
        }
        let rows = try inputOptions.open(inputPaths, defaultName: "z", droppedFields: walk.writtenMembers)
        try StreamHeader.require(.latent, in: rows.header, source: rows.source)
        let modelWidth = try modelPath.map { try ModelFile.load($0).network.latentWidth }
        let width = modelWidth ?? StreamHeader.width(in: rows.header)
        if let width {
            try rows.require(width: width, expectedBy: modelWidth != nil ? "the model" : "the stream's header record")
        }
        let output = try outputOptions.open(sparing: ReadFile.inputs(inputPaths) + (modelPath.map { [.model($0)] } ?? []))
        let header = StreamHeader.passingOn(rows.header, modelPath: modelPath, width: width, gridColumns: walk.gridColumns)
        try writeHeader(header, to: output)
        try walk.transform(rows, field: inputOptions.field ?? "z", to: output, batchSize: batching.batch)
        try output.finish()
    }

    private func writeHeader(_ header: JSONValue, to output: RowOutput) throws {
        if !outputOptions.noHeader { try output.writeHeader(header) }
    }
}
