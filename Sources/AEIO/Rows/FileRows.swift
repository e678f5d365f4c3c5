import AECore

/// One input file's rows, read batch by batch: NDJSON, CSV or an HDF5
/// dataset. `RowInput` reads several of them in turn as one stream.
protocol FileRows: AnyObject {
    /// The file's name in messages: its path, or `<stdin>`.
    var source: String { get }
    /// The stream's header record, if the file starts with one.
    var header: JSONValue? { get throws }
    /// Arrays or objects; nil until a row has been read (NDJSON).
    var shape: RowShape? { get }
    /// The features' names when the file names them (CSV columns, object
    /// rows with one member per feature), once rows have been read.
    var featureNames: [String]? { get }
    /// The shape of the rows' images, when they are images (HDF5 of rank 3
    /// or 4, PNG once an image has been read).
    var imageShape: ImageShape? { get }
    /// Requires every row to hold these features; call before reading.
    func require(_ expected: ExpectedFeatures) throws
    /// Appends up to `capacity` rows to `batch`; returns how many (0 at the end).
    func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int
}

extension FileRows {
    var imageShape: ImageShape? { nil }
}

extension NDJSONRowReader: FileRows {
    func require(_ expected: ExpectedFeatures) throws {
        self.expected = expected
    }
}
