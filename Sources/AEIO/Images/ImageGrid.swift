import AECore

/// The layout of n equally shaped images tiled into one picture, and its
/// rendering; the conventions follow torchvision's `make_grid`.
///
/// Image i sits in grid row `i / columns`, column `i % columns` (row-major,
/// like reading text). Cells are `shape.width * scale` by
/// `shape.height * scale` pixels, separated from each other and from the
/// border by `padding` background pixels, so the picture measures
///
///     width  = columns * (shape.width  * scale) + (columns + 1) * padding
///     height = rows    * (shape.height * scale) + (rows    + 1) * padding
///
/// with `rows = ceil(imageCount / columns)`. Cells after the last image in the
/// bottom row stay background.
public struct ImageGrid: Equatable, Sendable {
    public let imageCount: Int
    public let shape: ImageShape
    public let columns: Int
    public let rows: Int
    /// Background pixels between cells and around the border; not scaled.
    public let padding: Int
    /// Each image pixel becomes a `scale` x `scale` block (nearest neighbour).
    public let scale: Int
    /// The byte of padding and empty cells, in every channel.
    public let background: UInt8
    /// The picture's size in pixels.
    public let width: Int
    public let height: Int

    /// Two pixels, as in `make_grid`: enough to tell cells apart, small next
    /// to a 28-pixel digit.
    public static let defaultPadding = 2
    /// libpng refuses to write a side longer than this (its user limit).
    public static let maximumSide = 1_000_000
    /// libpng's simplified API addresses the pixel buffer with 32 bits.
    public static let maximumBytes = Int(UInt32.max)

    /// Lays out `imageCount` images. `columns` defaults to
    /// `ceil(sqrt(imageCount))`, a near-square picture, and is capped at
    /// `imageCount` so that a short input leaves no empty columns.
    /// `background` defaults to black, as in `make_grid`.
    public init(
        imageCount: Int,
        shape: ImageShape,
        columns: Int? = nil,
        padding: Int = defaultPadding,
        scale: Int = 1,
        background: UInt8 = 0
    ) throws {
        guard imageCount > 0 else { throw AEError("no images to draw") }
        if let columns, columns < 1 { throw AEError("grid columns must be at least 1, got \(columns)") }
        guard padding >= 0 else { throw AEError("grid padding must be 0 or more, got \(padding)") }
        guard scale >= 1 else { throw AEError("grid scale must be at least 1, got \(scale)") }
        let columns = min(columns ?? Int(Double(imageCount).squareRoot().rounded(.up)), imageCount)
        let rows = imageCount / columns + (imageCount % columns == 0 ? 0 : 1)
        let width = ImageGrid.side(cells: columns, cellPixels: shape.width, scale: scale, padding: padding)
        let height = ImageGrid.side(cells: rows, cellPixels: shape.height, scale: scale, padding: padding)
        func tooLarge(_ size: String) -> AEError {
            AEError(
                "a grid of \(imageCount) images of \(shape) at scale \(scale) would be \(size); "
                    + "a PNG grid may be at most \(ImageGrid.maximumSide) pixels a side and 4 GiB"
            )
        }
        guard let width, let height else { throw tooLarge("too large to count") }
        guard width <= ImageGrid.maximumSide, height <= ImageGrid.maximumSide,
              width * height * shape.channels <= ImageGrid.maximumBytes
        else { throw tooLarge("\(width)x\(height) pixels") }
        self.imageCount = imageCount
        self.shape = shape
        self.columns = columns
        self.rows = rows
        self.padding = padding
        self.scale = scale
        self.background = background
        self.width = width
        self.height = height
    }

    /// The top-left pixel of image `index`'s cell.
    public func cellOrigin(_ index: Int) -> (x: Int, y: Int) {
        precondition(index >= 0 && index < imageCount, "image index out of range")
        let x = padding + (index % columns) * (shape.width * scale + padding)
        let y = padding + (index / columns) * (shape.height * scale + padding)
        return (x, y)
    }

    /// Draws each row of `images` (one image per row, HWC order) into its
    /// cell, mapping values to bytes through `range`.
    public func render(_ images: Matrix, range: IntensityRange) throws -> PixelImage {
        precondition(images.rows == imageCount, "the grid was laid out for \(imageCount) images")
        try shape.checkRowLength(images.cols)
        let channels = shape.channels
        var bytes = [UInt8](repeating: background, count: width * height * channels)
        var scaledLine = [UInt8](repeating: background, count: shape.width * scale * channels)
        for index in 0..<imageCount {
            let origin = cellOrigin(index)
            let imageStart = index * images.cols
            for sourceY in 0..<shape.height {
                let lineStart = imageStart + sourceY * shape.width * channels
                for sourceX in 0..<shape.width {
                    for channel in 0..<channels {
                        let byte = range.byte(images.storage[lineStart + sourceX * channels + channel])
                        for repeatX in 0..<scale {
                            scaledLine[(sourceX * scale + repeatX) * channels + channel] = byte
                        }
                    }
                }
                for repeatY in 0..<scale {
                    let start = ((origin.y + sourceY * scale + repeatY) * width + origin.x) * channels
                    bytes.replaceSubrange(start..<start + scaledLine.count, with: scaledLine)
                }
            }
        }
        return PixelImage(width: width, height: height, channels: channels, bytes: bytes)
    }

    /// `cells * (cellPixels * scale) + (cells + 1) * padding`, or nil on overflow.
    private static func side(cells: Int, cellPixels: Int, scale: Int, padding: Int) -> Int? {
        let (cell, cellOverflow) = cellPixels.multipliedReportingOverflow(by: scale)
        let (content, contentOverflow) = cells.multipliedReportingOverflow(by: cell)
        let (gaps, gapsOverflow) = (cells + 1).multipliedReportingOverflow(by: padding)
        let (total, totalOverflow) = content.addingReportingOverflow(gaps)
        guard !(cellOverflow || contentOverflow || gapsOverflow || totalOverflow) else { return nil }
        return total
    }
}
