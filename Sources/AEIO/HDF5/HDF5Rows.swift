import AECore

/// The rows of an HDF5 dataset: a file on disk, read in row blocks, or an
/// image in memory (HDF5 from a pipe or through gzip).
final class HDF5Rows: FileRows {
    let source: String
    let header: JSONValue?
    let file: HDF5File
    public let dataset: HDF5Dataset
    /// Whether the rows come from a file on disk, which can be read again.
    let isOnDisk: Bool
    /// The size of what is read, which sets how long `HDF5CrashGuard` waits.
    private let fileBytes: Int
    private var nextRow = 0

    var shape: RowShape? { .array }
    var featureNames: [String]? { nil }
    var imageShape: ImageShape? { dataset.imageShape }

    /// Opens dataset `datasetPath` of the file at `path`, or of `image`.
    /// The file's structure is read in a crash-guard child first unless
    /// `guarded` is false (the caller checked it so already).
    init(path: String, image: [UInt8]?, source: String, dataset datasetPath: String, guarded: Bool = true) throws {
        self.source = source
        isOnDisk = image == nil
        fileBytes = image?.count ?? HDF5CrashGuard.size(of: path)
        let open = { () throws -> (HDF5File, HDF5Dataset, JSONValue?) in
            let file = try image.map { try HDF5File.open(image: $0, name: source) } ?? HDF5File.open(path)
            let header = try file.stringAttribute("ae").map { text in
                do {
                    return try JSONValue.parse(text)
                } catch let error as AEError {
                    throw AEError("the stream header (root attribute \"ae\") is not JSON: \(error.message)", source: source)
                }
            }
            return (file, try HDF5Dataset(datasetPath, in: file), header)
        }
        (file, dataset, header) = guarded ? try HDF5CrashGuard.run(checking: source, fileBytes: fileBytes, open) : try open()
    }

    /// Reads the file's structure in a crash-guard child only, so that it
    /// can be opened later, unguarded, once other threads run (forking
    /// then could leave the child waiting on a lock another thread held).
    static func check(path: String, image: [UInt8]?, source: String, dataset: String) throws {
        _ = try HDF5CrashGuard.answer(checking: source, fileBytes: image?.count ?? HDF5CrashGuard.size(of: path)) {
            (try? HDF5Rows(path: path, image: image, source: source, dataset: dataset, guarded: false)) != nil
        }
    }

    func require(_ expected: ExpectedFeatures) throws {
        guard dataset.cols == expected.width else {
            throw AEError(
                "dataset '\(dataset.path)' has rows of \(dataset.cols) values; \(expected.expectedBy) expects \(expected.width)",
                source: source)
        }
    }

    func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int {
        let rows = min(capacity, dataset.rows - nextRow)
        guard rows > 0 else { return 0 }
        let range = nextRow..<(nextRow + rows)
        try batch.appendRows(rows, width: dataset.cols, firstNumber: nextRow + 1) { buffer in
            try dataset.readFiniteRows(range, into: buffer)
        }
        nextRow += rows
        return rows
    }

    /// The values of the dataset `path` beside the rows, one per row (shape
    /// [rows] or [rows, 1]), such as labels `y` beside `x`.
    func valuesBeside(_ path: String) throws -> [Double] {
        try HDF5CrashGuard.run(checking: source, fileBytes: fileBytes) {
            let shape = try file.shape(of: path)
            guard shape == [dataset.rows] || shape == [dataset.rows, 1] else {
                throw AEError(
                    "dataset '\(path)' has shape \(shape); expected one value per row of '\(dataset.path)' ([\(dataset.rows)])",
                    source: source)
            }
            if shape.count == 1 { return try file.read(path, as: Double.self, maxCount: dataset.rows) }
            return try file.readMatrix(path, maxCount: dataset.rows).storage.map(Double.init)
        }
    }
}
