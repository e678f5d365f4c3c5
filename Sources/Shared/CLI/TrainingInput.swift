extension InputOptions {
    /// Rows of an HDF5 file up to this size are read whole; larger ones are
    /// streamed in blocks.
    public static let wholeFileLimit = 1 << 30

    /// The rows `ae-fit` trains on. An HDF5 file on disk whose dataset holds
    /// more than `wholeFileLimit` bytes, or any when `bufferRows` is given,
    /// is streamed in blocks through a shuffle buffer of `bufferRows` rows
    /// (default 65536); everything else is read into memory.
    public func openForTraining(_ path: String?, bufferRows: Int?) throws -> FitData {
        let input = try open(path, defaultName: "x")
        func checkWidth(_ width: Int) throws {
            guard (1...Architecture.maximumWidth).contains(width) else {
                throw AEError("rows hold \(width) values; ae-fit trains on 1 to \(Architecture.maximumWidth)", source: input.source)
            }
        }
        if let dataset = input.fileDataset {
            try checkWidth(dataset.cols)
            let bytes = dataset.rows.multipliedReportingOverflow(by: dataset.cols * 4)
            if bufferRows != nil || bytes.overflow || bytes.partialValue > Self.wholeFileLimit {
                guard dataset.rows > 0 else { throw AEError("empty input: no rows", source: input.source) }
                return .hdf5(dataset, bufferRows: bufferRows ?? 1 << 16)
            }
        }
        let vectors = try input.readAll().vectors
        try checkWidth(vectors.cols)
        return .memory(vectors)
    }
}
