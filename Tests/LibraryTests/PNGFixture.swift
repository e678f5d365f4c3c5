import CZlib

/// A PNG file made chunk by chunk, for the reader's tests: any colour type,
/// bit depth, interlacing, palette, transparency and extra chunk, where ae's
/// own writer makes only 8-bit grey and RGB.
struct PNGFixture {
    enum ColourType: UInt8 {
        case grey = 0, rgb = 2, palette = 3, greyAlpha = 4, rgba = 6

        var samplesPerPixel: Int {
            switch self {
            case .grey, .palette: 1
            case .greyAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    var width: Int
    var height: Int
    var colourType: ColourType
    var bitDepth = 8
    /// Row-major, channels interleaved, each below 2^bitDepth (palette
    /// images: indices).
    var samples: [Int]
    var palette: [[UInt8]] = []
    /// The tRNS chunk's content.
    var transparency: [UInt8]?
    var interlaced = false
    /// Chunks written before the image data, such as gAMA.
    var extraChunks: [(type: String, data: [UInt8])] = []

    var bytes: [UInt8] {
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header = Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
            + [UInt8(bitDepth), colourType.rawValue, 0, 0, interlaced ? 1 : 0]
        file += Self.chunk("IHDR", header)
        for (type, data) in extraChunks { file += Self.chunk(type, data) }
        if !palette.isEmpty { file += Self.chunk("PLTE", palette.flatMap { $0 }) }
        if let transparency { file += Self.chunk("tRNS", transparency) }
        file += Self.chunk("IDAT", Self.deflate(scanlines))
        file += Self.chunk("IEND", [])
        return file
    }

    /// Each pass's rows (one pass unless interlaced: Adam7's seven), each
    /// after filter byte 0 (none).
    private var scanlines: [UInt8] {
        let passes = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        var lines: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let columns = Array(stride(from: x0, to: width, by: dx))
            guard !columns.isEmpty else { continue }
            for y in stride(from: y0, to: height, by: dy) {
                lines.append(0)
                let channels = colourType.samplesPerPixel
                lines += pack(columns.flatMap { x in (0..<channels).map { samples[(y * width + x) * channels + $0] } })
            }
        }
        return lines
    }

    private func pack(_ values: [Int]) -> [UInt8] {
        switch bitDepth {
        case 16: return values.flatMap { Self.bigEndian(UInt16($0)) }
        case 8: return values.map(UInt8.init)
        default:
            let perByte = 8 / bitDepth
            return stride(from: 0, to: values.count, by: perByte).map { start in
                var byte = 0
                for k in 0..<perByte {
                    let value = start + k < values.count ? values[start + k] : 0
                    byte |= value << (8 - bitDepth * (k + 1))
                }
                return UInt8(byte)
            }
        }
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        return bigEndian(UInt32(data.count)) + typed + bigEndian(UInt32(crc))
    }

    private static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&out, &length, bytes, uLong(bytes.count), 9)
        precondition(status == Z_OK, "zlib failed")
        return Array(out.prefix(Int(length)))
    }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
