import AECore
import AEIO
import ArgumentParser
import FoundationEssentials

/// How ae-decode draws its rows as one PNG grid, with `-o FILE.png`.
public struct GridOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The image shape of a row (default: the model's, which ae-fit takes from --image or from PNG or HDF5 images; with --no-decode, else the input images'; else a grey square when the row length is a perfect square).",
        valueName: "HxW[xC]"))
    public var shape: ImageShape?

    @Option(help: ArgumentHelp(
        "Images per grid row (default: the hint in the stream's header, which ae-interp writes, else a near-square grid).",
        valueName: "n"))
    public var cols: Int?

    @Option(help: ArgumentHelp("Background (black) pixels between and around the images (default: 2).", valueName: "pixels"))
    public var pad: Int?

    @Option(help: ArgumentHelp("Draw each image pixel as an n x n block (default: 1).", valueName: "n"))
    public var scale: Int?

    @Option(help: ArgumentHelp(
        "The values drawn black and white; values outside are clamped (default: the range the model's outputs lie in, else 0:1 for input PNG images with --no-decode, else the smallest and largest decoded value).",
        valueName: "low:high"))
    public var valueRange: ValueInterval?

    @Flag(help: "Draw the input rows as they are: data rows (field x) or PNG images, not decoded; e.g. inputs beside their reconstructions.")
    public var noDecode = false

    public init() {}

    public func validate() throws {
        if let cols, cols < 1 { throw ValidationError("--cols must be at least 1") }
        if let pad, !(0...1000).contains(pad) { throw ValidationError("--pad must be between 0 and 1000") }
        if let scale, !(1...100).contains(scale) { throw ValidationError("--scale must be between 1 and 100") }
        if let valueRange, !(valueRange.low < valueRange.high) {
            throw ValidationError("--value-range needs low < high, got \(valueRange)")
        }
    }

    /// Refuses grid options for an output that is not a PNG.
    public func checkUnused() throws {
        let given = [("--shape", shape != nil), ("--cols", cols != nil), ("--pad", pad != nil),
                     ("--scale", scale != nil), ("--value-range", valueRange != nil)]
        if let name = given.first(where: \.1)?.0 {
            throw ValidationError("\(name) applies only to PNG output (-o FILE.png)")
        }
    }

    /// Draws `images` (one row each) as a grid and writes the PNG atomically
    /// to `path`; `model`, when known, gives the default shape and range,
    /// else `input` when the rows are drawn as they were read (PNG images
    /// give theirs).
    public func write(_ images: Matrix, model: TrainedModel?, input: RowInput? = nil, header: JSONValue?, to path: String) throws {
        guard let shape = shape ?? model?.imageShape ?? input?.imageShape ?? ImageShape.square(rowLength: images.cols) else {
            throw AEError(
                "cannot tell the image shape of rows of \(images.cols) values: give --shape HxW[xC] "
                    + "(or train the model with ae-fit --image HxW[xC])")
        }
        try shape.checkRowLength(images.cols)
        let grid = try ImageGrid(
            imageCount: images.rows, shape: shape, columns: cols ?? StreamHeader.gridColumns(in: header),
            padding: pad ?? ImageGrid.defaultPadding, scale: scale ?? 1)
        try ImageGridRows.checkPicture(grid)
        let range = valueRange.map { IntensityRange(low: $0.low, high: $0.high) }
            ?? model?.outputRange ?? input?.pixelRange ?? .spanning(images.storage)
        try grid.render(images, range: range).writePNG(to: path)
    }
}
