import AECore

/// An 8-bit grey or RGB raster: what a grid renders and what a PNG reads back.
///
/// Bytes are row-major with interleaved channels (HWC), the same layout as an
/// image row of data, so tests can compare the two directly.
public struct PixelImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 1 for grey, 3 for RGB.
    public let channels: Int
    public var bytes: [UInt8]

    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        precondition(width > 0 && height > 0, "an image needs at least one pixel")
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        precondition(bytes.count == width * height * channels, "bytes do not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.bytes = bytes
    }

    /// The byte of `channel` at column `x`, row `y` (0, 0 is the top left).
    public subscript(x: Int, y: Int, channel: Int = 0) -> UInt8 {
        bytes[(y * width + x) * channels + channel]
    }
}
