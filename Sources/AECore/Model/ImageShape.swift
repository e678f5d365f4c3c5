/// The shape of one image stored as a flat row: height, width and channels.
///
/// A row holds `height * width * channels` values in HWC order, the layout of
/// a PIL or numpy image: pixels row by row, left to right, and for RGB the
/// three channel values of a pixel next to each other (`r, g, b, r, g, b, ...`).
public struct ImageShape: Hashable, Sendable, CustomStringConvertible {
    public let height: Int
    public let width: Int
    /// 1 for grey, 3 for RGB.
    public let channels: Int
    /// `height * width * channels`: the number of values a row must hold.
    public let valuesPerImage: Int

    /// Checks the sizes here so a shape from a flag or a model file can never
    /// describe an image that the grid cannot draw.
    public init(height: Int, width: Int, channels: Int = 1) throws {
        let text = ImageShape.text(height: height, width: width, channels: channels)
        guard height > 0, width > 0 else {
            throw AEError("image shape \(text): height and width must be positive")
        }
        guard channels == 1 || channels == 3 else {
            throw AEError("image shape \(text): channels must be 1 (grey) or 3 (RGB), got \(channels)")
        }
        let (pixels, pixelsOverflow) = height.multipliedReportingOverflow(by: width)
        let (values, valuesOverflow) = pixels.multipliedReportingOverflow(by: channels)
        guard !pixelsOverflow, !valuesOverflow else {
            throw AEError("image shape \(text) is too large")
        }
        self.height = height
        self.width = width
        self.channels = channels
        self.valuesPerImage = values
    }

    /// Parses `HxW` (grey) or `HxWxC` (C is 1 or 3), as in `--shape 28x28` or
    /// `--shape 32x32x3`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        let sizes = parts.compactMap { part in
            part.allSatisfy { $0.isASCII && $0.isNumber } ? Int(part) : nil
        }
        guard (2...3).contains(parts.count), sizes.count == parts.count else {
            throw AEError("image shape '\(text)' is not HxW or HxWxC (e.g. 28x28 or 32x32x3)")
        }
        try self.init(height: sizes[0], width: sizes[1], channels: sizes.count == 3 ? sizes[2] : 1)
    }

    /// A grey square image whose pixels fill `rowLength` exactly, or nil when
    /// `rowLength` is not a perfect square. It lets `ae-decode -o grid.png`
    /// draw MNIST-like data (784 = 28x28) without a `--shape`.
    public static func square(rowLength: Int) -> ImageShape? {
        guard rowLength > 0 else { return nil }
        let side = Int(Double(rowLength).squareRoot().rounded())
        let (area, overflow) = side.multipliedReportingOverflow(by: side)
        guard !overflow, area == rowLength else { return nil }
        return try? ImageShape(height: side, width: side)
    }

    /// Throws unless rows of `rowLength` values hold exactly one image.
    public func checkRowLength(_ rowLength: Int) throws {
        guard rowLength == valuesPerImage else {
            throw AEError("rows have \(rowLength) values; shape \(self) needs \(valuesPerImage)")
        }
    }

    /// `HxW` for grey, `HxWx3` for RGB: the text `init(parsing:)` reads back.
    public var description: String {
        ImageShape.text(height: height, width: width, channels: channels)
    }

    private static func text(height: Int, width: Int, channels: Int) -> String {
        channels == 1 ? "\(height)x\(width)" : "\(height)x\(width)x\(channels)"
    }
}
