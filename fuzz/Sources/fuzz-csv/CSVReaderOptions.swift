import AECLI
import AECore
@_spi(Fuzzing) import AEIO

/// The CSV reader's options, one bit of the input's first byte each, so the
/// fuzzer explores them together with the stream. FuzzRegressionTests
/// decodes the same bits.
struct CSVReaderOptions {
    let bits: UInt8

    var delimiter: UInt8 { bits & 1 == 0 ? UInt8(ascii: ",") : UInt8(ascii: "\t") }
    /// Features found by a model's names (bit 1), else a model's width only
    /// (bit 7): the numeric columns must be that many.
    var expected: ExpectedFeatures? {
        if bits & 2 != 0 { return ExpectedFeatures(width: 2, names: ["a", "b"], expectedBy: "the model") }
        if bits & 128 != 0 { return ExpectedFeatures(width: 2, expectedBy: "the model") }
        return nil
    }
    /// Two-byte reads make every record cross reads and grow the buffer.
    var readsTinyChunks: Bool { bits & 4 != 0 }
    var batchCapacity: Int { bits & 8 == 0 ? 64 : 1 }
    var selection: FeatureSelection {
        FeatureSelection(columns: bits & 16 != 0 ? ["b", "a"] : nil, missing: bits & 32 != 0 ? .zero : .error)
    }
    var droppedFields: [String] { bits & 64 != 0 ? ["id"] : [] }
}
