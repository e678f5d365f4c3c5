/// The reader's options, one bit of the input's first byte each, so the
/// fuzzer explores them together with the stream.
struct ReaderOptions {
    let bits: UInt8

    /// "ae" as the vector field is the name the header record uses too.
    var field: String { bits & 1 == 0 ? "x" : "ae" }
    var expectsWidth: Bool { bits & 2 != 0 }
    /// Two-byte reads make every line cross reads and grow the line buffer.
    var readsTinyChunks: Bool { bits & 4 != 0 }
    var batchCapacity: Int { bits & 8 == 0 ? 64 : 1 }
    var readsHeaderFirst: Bool { bits & 16 != 0 }
    /// Hands the first bytes over as already read, as format sniffing does.
    var splitsFirstBytes: Bool { bits & 32 != 0 }
    var dropsFields: Bool { bits & 64 != 0 }
    /// The stream as one JSON array of rows (`JSONArrayElements`).
    var readsWholeArray: Bool { bits & 128 != 0 }
}
