import CLibFuzzer
import FuzzInput
import Glibc
import AECLI
import AECore
@_spi(Fuzzing) import AEIO

/// libFuzzer entry point for the NDJSON row reader.
///
/// The input's first byte chooses the reader's options (one bit each, see
/// `ReaderOptions`); the rest is the stream, read in batches until it ends or
/// the reader throws. A thrown `AEError` is a correct answer; a crash, a
/// trap, a sanitizer report, a hang or a huge allocation is a bug.
@main
enum FuzzNDJSON {
    static func main() {
        exit(ae_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzz(data, size) })
    }
}

private func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let options = ReaderOptions(bits: data[0])
    let stream = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let descriptor = StreamFile.shared.holding(stream)
    let alreadyRead = options.splitsFirstBytes ? Array(stream.prefix(3)) : []
    lseek(descriptor, off_t(alreadyRead.count), SEEK_SET)
    let reader = NDJSONRowReader(
        fileDescriptor: descriptor, source: "fuzz.ndjson", field: options.field,
        expected: options.expectsWidth ? ExpectedFeatures(width: 3, expectedBy: "the model") : nil,
        selection: FeatureSelection(), droppedFields: options.dropsFields ? ["id", "x"] : [], alreadyRead: alreadyRead,
        wholeArray: options.readsWholeArray, chunkSize: options.readsTinyChunks ? 2 : 1 << 16)
    var batch = RowBatch()
    do {
        if options.readsHeaderFirst { _ = try reader.header }
        while try reader.readBatch(into: &batch, capacity: options.batchCapacity) > 0 {
            for row in 0..<batch.count { _ = batch.passThrough(row: row) }
            batch.removeAll()
        }
    } catch is AEError {
    } catch {
        fatalError("NDJSONRowReader threw a non-AEError: \(error)")
    }
    return 0
}
