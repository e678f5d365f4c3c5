/// The CRC-32 that ends each PNG chunk, over its type and data.
enum ChunkCRC {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// Rewrites the CRC of every whole chunk after the 8-byte signature.
    static func correct(_ file: inout [UInt8]) {
        var start = 8
        while start + 12 <= file.count {
            let length = file[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
            let end = start + 8 + length
            guard end + 4 <= file.count else { return }
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in file[(start + 4)..<end] { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            crc ^= 0xFFFF_FFFF
            for k in 0..<4 { file[end + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * k)) }
            start = end + 4
        }
    }
}
