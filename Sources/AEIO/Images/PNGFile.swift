import AECore
import CPNG

/// PNG encoding through libpng's simplified API, which reports failures in
/// `png_image` instead of longjmp-ing across Swift frames; decoding goes
/// through `PNGDecoder`.
extension PixelImage {
    /// Writes the image as an 8-bit grey or RGB PNG, atomically: a failure
    /// (unwritable directory, full disk) leaves no partial file at `path`.
    public func writePNG(to path: String) throws {
        try AtomicFile.write(pngData(), to: path)
    }

    /// The PNG file's bytes, for callers that write them somewhere else.
    public func pngData() throws -> [UInt8] {
        // Compressed data rarely exceeds the raw bytes plus filter bytes; when
        // it does, libpng reports the size it needs and we retry once with it.
        var capacity = bytes.count + height + bytes.count / 8 + 1024
        while true {
            var image = describedForLibpng()
            var output = [UInt8](repeating: 0, count: capacity)
            var length = png_alloc_size_t(capacity)
            let succeeded = output.withUnsafeMutableBytes { destination in
                bytes.withUnsafeBytes { source in
                    png_image_write_to_memory(&image, destination.baseAddress, &length, 0, source.baseAddress, 0, nil)
                }
            }
            if succeeded != 0 {
                output.removeSubrange(Int(length)...)
                return output
            }
            guard !image.failed, Int(length) > capacity else {
                throw AEError("cannot encode PNG: \(image.messageText)")
            }
            capacity = Int(length)
        }
    }

    /// Reads a PNG file as the rows reader does (`PNGDecoder`), in bytes:
    /// each value drawn back with the range [0, 1], so an 8-bit file gives
    /// its own samples.
    public init(pngFile path: String) throws {
        let decoder = PNGDecoder()
        let shape = try decoder.decode(FileContents.read(path, source: path), source: path)
        var values = [Float](repeating: 0, count: shape.valuesPerImage)
        values.withUnsafeMutableBufferPointer { decoder.writeValues(into: $0) }
        self.init(width: shape.width, height: shape.height, channels: shape.channels, bytes: values.map(IntensityRange.unit.byte))
    }

    private func describedForLibpng() -> png_image {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = channels == 3 ? png_uint_32(PNG_FORMAT_RGB) : png_uint_32(PNG_FORMAT_GRAY)
        return image
    }
}

extension png_image {
    /// PNG_IMAGE_FAILED, which Swift cannot import as a function-like macro.
    fileprivate var failed: Bool { warning_or_error & 3 > 1 }

    /// libpng's NUL-terminated message from its fixed 64-byte field.
    fileprivate var messageText: String {
        withUnsafeBytes(of: message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
