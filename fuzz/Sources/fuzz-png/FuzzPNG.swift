import CLibFuzzer
import Glibc
import AECore
@_spi(Fuzzing) import AEIO

/// libFuzzer entry point for the PNG reader.
///
/// The input's first byte chooses whether its chunks' CRCs are made right
/// first (bit 0): a mutated chunk otherwise fails its CRC check at once,
/// and libpng's decoding behind it would go unexplored. The rest is one PNG
/// file, decoded as `PNGRows` decodes a folder's files: by one `PNGDecoder`
/// kept across inputs, so that its buffer is reused, grown and sized anew
/// as the images' sizes change. A thrown `AEError` is a correct answer; so
/// is an image whose values all lie in [0, 1]. A crash, a trap, a sanitizer
/// report, a hang, a huge allocation or any other value is a bug.
@main
enum FuzzPNG {
    static func main() {
        exit(ae_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzz(data, size) })
    }
}

nonisolated(unsafe) private let decoder = PNGDecoder()

private func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 != 0 { ChunkCRC.correct(&bytes) }
    do {
        let shape = try decoder.decode(bytes, source: "fuzz.png")
        var values = [Float](repeating: -1, count: shape.valuesPerImage)
        values.withUnsafeMutableBufferPointer { decoder.writeValues(into: $0) }
        precondition(values.allSatisfy { $0 >= 0 && $0 <= 1 }, "a value outside [0, 1]")
    } catch is AEError {
    } catch {
        fatalError("PNGDecoder threw a non-AEError: \(error)")
    }
    return 0
}
