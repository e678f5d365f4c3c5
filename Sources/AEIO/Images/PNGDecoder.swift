import AECore
import CPNGDecode

/// Turns PNG files into rows of values in [0, 1], the way PIL and numpy
/// users read images: `np.asarray(Image.open(f).convert("RGB")) / 255`.
///
/// - A sample s becomes s / 255 (8-bit) or s / 65535 (16-bit, kept at full
///   precision rather than cut to 8 bits), in float32, as MNIST's pixels in
///   [0, 1] are; an 8-bit image so reads back exactly from what ae-decode
///   draws with the range [0, 1].
/// - The values are the file's samples: gamma, colour-profile and
///   significant-bit chunks are ignored, as PIL and numpy ignore them.
/// - Grey (of 1 to 16 bits) gives one value per pixel, RGB three (HWC, as
///   `ImageShape` lays rows out); a palette image gives RGB, or grey when
///   every palette colour is grey (as optimisers write grey images).
/// - An alpha channel (or tRNS transparency) is dropped, as PIL's
///   `convert("RGB")` and torchvision's image loader drop it.
@_spi(Fuzzing) public final class PNGDecoder {
    /// The most values one image may give: the widest row ae-fit trains on.
    /// It bounds what a damaged or hostile file makes the reader allocate.
    static let maximumValues = Architecture.maximumWidth

    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private var samples: [UInt8] = []
    private var header = ae_png_header()

    @_spi(Fuzzing) public init() {}

    static func hasSignature(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: signature)
    }

    /// Decodes the PNG file `bytes`, named `source` in messages, and returns
    /// its shape; `writeValues(into:)` then gives its values.
    @_spi(Fuzzing) public func decode(_ bytes: [UInt8], source: String) throws -> ImageShape {
        var result = run(bytes)
        if result < 0 {
            let needed = try Self.sampleBytes(header, source: source)
            samples = [UInt8](repeating: 0, count: needed)
            result = run(bytes)
        }
        guard result == 1 else {
            let message = withUnsafeBytes(of: header.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if message == "truncated PNG file" || message == "Not a PNG file" {
                throw AEError(message.prefix(1).lowercased() + message.dropFirst(), source: source)
            }
            throw AEError("damaged PNG file: \(message)", source: source)
        }
        return try ImageShape(height: Int(header.height), width: Int(header.width), channels: colourChannels)
    }

    /// Writes the last decoded image's values, `shape.valuesPerImage` of them.
    @_spi(Fuzzing) public func writeValues(into values: UnsafeMutableBufferPointer<Float>) {
        let stride = Int(header.channels)
        let kept = colourChannels
        let pixels = Int(header.width) * Int(header.height)
        precondition(values.count == pixels * kept, "room for one image's values")
        samples.withUnsafeBufferPointer { samples in
            if header.bit_depth == 16 {
                for pixel in 0..<pixels {
                    for channel in 0..<kept {
                        let at = 2 * (pixel * stride + channel)
                        values[pixel * kept + channel] = Float(UInt16(samples[at]) << 8 | UInt16(samples[at + 1])) / 65535
                    }
                }
            } else {
                for pixel in 0..<pixels {
                    for channel in 0..<kept {
                        values[pixel * kept + channel] = Float(samples[pixel * stride + channel]) / 255
                    }
                }
            }
        }
    }

    private var colourChannels: Int { Self.colourChannels(header) }

    /// 3 for colour, 1 for grey: the decoded channels without alpha.
    private static func colourChannels(_ header: ae_png_header) -> Int {
        header.channels >= 3 && header.grey_palette == 0 ? 3 : 1
    }

    private func run(_ bytes: [UInt8]) -> Int32 {
        let capacity = samples.count
        return bytes.withUnsafeBufferPointer { data in
            samples.withUnsafeMutableBufferPointer { out in
                ae_png_decode(data.baseAddress, data.count, out.baseAddress, capacity, &header)
            }
        }
    }

    /// The bytes the decoded samples take, once the image is known to give
    /// at most `maximumValues` values.
    private static func sampleBytes(_ header: ae_png_header, source: String) throws -> Int {
        let (width, height) = (Int(header.width), Int(header.height))
        let colours = colourChannels(header)
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maximumValues / colours else {
            throw AEError(
                "a \(height)x\(width) image is too large: rows hold at most \(maximumValues) values", source: source)
        }
        return pixels * Int(header.channels) * Int(header.bit_depth / 8)
    }
}
