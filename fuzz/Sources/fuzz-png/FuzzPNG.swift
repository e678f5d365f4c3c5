import CLibFuzzer
import Glibc
@_spi(Fuzzing) import Shared

/// libFuzzer entry point for the PNG reader.
///
/// Each input is one PNG file's bytes, decoded as `PNGRows` decodes a
/// folder's files: by one `PNGDecoder` kept across inputs, so its buffer is
/// reused, grown and sized anew as the images' sizes change. A thrown
/// `AEError` is a correct answer; so is an image whose values all lie in
/// [0, 1]. A crash, a trap, a sanitizer report, a hang, a huge allocation or
/// any other value is a bug.
@main
enum FuzzPNG {
    static func main() {
        exit(ae_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzz(data, size) })
    }
}

nonisolated(unsafe) private let decoder = PNGDecoder()

private func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
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
