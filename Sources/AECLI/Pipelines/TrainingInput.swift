import AECore
import AEIO

/// What `ae-fit` trains on: the rows, and what the input says about them.
public struct TrainingInput {
    public var data: FitData
    /// The features' names: from a CSV header, the members of object rows, or `--names`.
    public var featureNames: [String]?
    /// Where the names came from, for the note ae-fit prints.
    public var namesSource: String?
    /// The image shape an HDF5 stack of images gives ([N, H, W] or [N, H, W, C]).
    public var imageShape: ImageShape?
}

extension InputOptions {
    /// Rows of an HDF5 file up to this size are read whole; larger ones are
    /// streamed in blocks.
    public static let wholeFileLimit = 1 << 30

    /// The rows `ae-fit` trains on, from `paths` in order. A single HDF5 file
    /// on disk whose dataset holds more than `wholeFileLimit` bytes, or any
    /// when `bufferRows` is given, is streamed in blocks through a shuffle
    /// buffer of `bufferRows` rows (default 65536); everything else is read
    /// into memory. `namesFile` names the features of rows that do not name
    /// them (arrays, HDF5), one name per line.
    public func openForTraining(_ paths: [String], bufferRows: Int?, namesFile: String?) throws -> TrainingInput {
        let input = try open(paths, defaultName: "x", selection: selection(namesFromObjects: true))
        func checkWidth(_ width: Int) throws {
            guard (1...Architecture.maximumWidth).contains(width) else {
                throw AEError("rows hold \(width) values; ae-fit trains on 1 to \(Architecture.maximumWidth)", source: input.source)
            }
        }
        func named(_ data: FitData) throws -> TrainingInput {
            if let names = input.featureNames {
                if namesFile != nil {
                    throw AEError("--names is for rows that do not name their features; these name them: \(FeatureSelection.listing(names))", source: input.source)
                }
                return TrainingInput(data: data, featureNames: names, namesSource: input.source, imageShape: input.imageShape)
            }
            let names = try namesFile.map { try FeatureNamesFile.read($0, count: data.width) }
            return TrainingInput(data: data, featureNames: names, namesSource: namesFile, imageShape: input.imageShape)
        }
        if let dataset = input.fileDataset {
            try checkWidth(dataset.cols)
            let bytes = dataset.rows.multipliedReportingOverflow(by: dataset.cols * 4)
            if bufferRows != nil || bytes.overflow || bytes.partialValue > Self.wholeFileLimit {
                guard dataset.rows > 0 else { throw AEError("empty input: no rows", source: input.source) }
                return try named(.hdf5(dataset, bufferRows: bufferRows ?? 1 << 16))
            }
        }
        let vectors = try input.readAll().vectors
        try checkWidth(vectors.cols)
        return try named(.memory(vectors))
    }
}
