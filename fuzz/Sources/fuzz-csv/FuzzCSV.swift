import CLibFuzzer
import FuzzInput
import Glibc
import AECLI
import AECore
@_spi(Fuzzing) import AEIO

/// libFuzzer entry point for the CSV/TSV row reader.
///
/// The input's first byte chooses the reader's options (one bit each, see
/// `CSVReaderOptions`); the rest is the stream, read in batches until it
/// ends or the reader throws. A thrown `AEError` is a correct answer; a
/// crash, a trap, a sanitizer report, a hang or a huge allocation is a bug.
@main
enum FuzzCSV {
    static func main() {
        exit(ae_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzz(data, size) })
    }
}

private func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let options = CSVReaderOptions(bits: data[0])
    let descriptor = StreamFile.shared.holding(UnsafeBufferPointer(start: data + 1, count: size - 1))
    lseek(descriptor, 0, SEEK_SET)
    do {
        let reader = try CSVRowReader(
            fileDescriptor: descriptor, source: "fuzz.csv", delimiter: options.delimiter, selection: options.selection,
            droppedFields: options.droppedFields, chunkSize: options.readsTinyChunks ? 2 : 1 << 16)
        if let expected = options.expected { try reader.require(expected) }
        var batch = RowBatch()
        while try reader.readBatch(into: &batch, capacity: options.batchCapacity) > 0 {
            for row in 0..<batch.count { _ = batch.passThrough(row: row) }
            batch.removeAll()
        }
    } catch is AEError {
    } catch {
        fatalError("CSVRowReader threw a non-AEError: \(error)")
    }
    return 0
}
