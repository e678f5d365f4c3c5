import AECore

/// The rows a tool reads: from files read in order (or stdin), each NDJSON,
/// CSV/TSV or an HDF5 dataset, plain or gzip-compressed (`InputContent`),
/// or PNG images, from folders or files (`InputArgument`, `PNGRows`).
///
/// Text streams batch by batch. An HDF5 file is read in row blocks; HDF5 on
/// stdin or in gzip is read into memory first (HDF5 needs random access),
/// which holds that tensor in memory. Several files make one stream: the
/// first file's header record is the stream's, every file's rows must have
/// the first file's shape and features (by name where the first file names
/// them), and errors name the file they come from. A batch never holds rows
/// of two files. Once rows are asked for through `readBatch`, the next batch
/// is read on another thread while the tool works on the current one;
/// `readBatchHere` reads on the caller's thread, for `BatchPipeline`.
public final class RowInput {
    /// The inputs' names in messages about the whole stream: a path or
    /// `<stdin>`, or the first few paths and how many there are.
    public let source: String
    /// The stream's header record, if it has one. HDF5 inputs carry it as the
    /// root attribute `ae` (JSON text), as ae's own HDF5 outputs write it.
    public let header: JSONValue?

    private let rows: RowSource
    private var prefetcher: BatchPrefetcher<RowShape?>?
    /// The row shape seen with the last batch delivered.
    private var deliveredShape: RowShape?

    /// Opens `paths` in order (none, or `-`, for stdin). `field` names the
    /// vector member of NDJSON object rows, `dataset` the HDF5 dataset;
    /// `droppedFields` are left out of what passes through, because the tool
    /// writes them itself; `format` overrides the text format that file
    /// names imply; `selection` picks the features of named rows.
    ///
    /// Every file is looked at here, before the tool starts threads: the
    /// first is opened, the others are checked (HDF5 structure in a crash
    /// guard's child) and opened when their turn comes.
    public init(
        paths: [String], field: String, dataset: String, droppedFields: [String] = [], format: TextFormat? = nil,
        selection: FeatureSelection = FeatureSelection()
    ) throws {
        let paths = paths.isEmpty ? ["-"] : paths
        guard paths.filter({ $0 == "-" }).count <= 1 else { throw AEError("stdin (-) can be read only once") }
        let settings = RowSource.Settings(
            field: field, dataset: dataset, droppedFields: droppedFields, format: format, selection: selection)
        let arguments = try InputArgument.gather(paths)
        let first = try RowSource.open(RowSource.Pending(arguments[0]), settings, guarded: true)
        let later = try arguments.dropFirst().map { try RowSource.check($0, settings) }
        rows = RowSource(first: first, later: later, settings: settings)
        header = try first.header
        source = Self.listing(paths.map(RowSource.name(of:)))
    }

    /// Whether an input argument is a folder, which is read as PNG images.
    public static func isImageFolder(_ path: String) -> Bool {
        InputArgument.isFolder(path)
    }

    /// Inputs named in messages about them all: the first few, and how many.
    static func listing(_ names: [String]) -> String {
        names.count <= 3 ? names.joined(separator: ", ") : names.prefix(2).joined(separator: ", ") + ", … (\(names.count) files)"
    }

    deinit {
        prefetcher?.stop()
    }

    /// Whether rows are bare arrays or objects with pass-through members; nil
    /// until a row has been read (NDJSON).
    public var shape: RowShape? {
        deliveredShape ?? (rows.first is HDF5Rows ? .array : nil)
    }

    /// The names of the features read, when the input names them (a CSV
    /// header, object rows with one member per feature), once rows have
    /// been read.
    public var featureNames: [String]? { rows.first.featureNames }

    /// The image shape of the rows when the first input is an HDF5 stack of
    /// images ([N, H, W] or [N, H, W, C]), or PNG images once one is read.
    public var imageShape: ImageShape? { rows.first.imageShape }

    /// The range the first input's format fixes for its values: [0, 1] for
    /// PNG images (see `PNGDecoder`); nil for formats of any numbers.
    public var pixelRange: IntensityRange? { rows.first is PNGRows ? .unit : nil }

    /// The HDF5 dataset of a single input read from a file on disk (so it
    /// can be read again, as training larger-than-memory data does), before
    /// any row has been read through this input.
    public var fileDataset: HDF5Dataset? {
        guard prefetcher == nil, rows.isSingleFile, let hdf5 = rows.first as? HDF5Rows, hdf5.isOnDisk else { return nil }
        return hdf5.dataset
    }

    /// The values of the dataset `path` that lies beside the rows of HDF5
    /// inputs, one per row (shape [rows] or [rows, 1]), such as labels `y`
    /// beside `x`, for every input in turn; nil for text, whose rows carry
    /// such values as members.
    public func valuesBesideRows(_ path: String) throws -> [Double]? {
        try rows.valuesBesideRows(path)
    }

    /// Requires every row to hold `width` values, found by `names` where
    /// rows name their features (CSV, objects with one member per feature);
    /// `expectedBy` names who requires it in messages, e.g. "the model".
    /// Call it before reading.
    public func require(width: Int, names: [String]? = nil, expectedBy: String) throws {
        precondition(prefetcher == nil, "require(width:) after reading has started")
        try rows.require(ExpectedFeatures(width: width, names: names, expectedBy: expectedBy))
    }

    /// `require(width:…)` for a model's input rows: also, where the rows are
    /// images (PNG files, an HDF5 dataset of images) and the model knows its
    /// image shape, the shapes must agree, since 64x32 images hold as many
    /// values as 32x64 ones and a model of either would take the other's.
    public func require(model: TrainedModel) throws {
        precondition(prefetcher == nil, "require(model:) after reading has started")
        if let modelShape = model.imageShape, let shape = imageShape, shape != modelShape {
            throw AEError("images are \(shape); the model was trained on \(modelShape) images", source: rows.first.source)
        }
        try rows.require(ExpectedFeatures(
            width: model.network.inputWidth, names: model.featureNames, image: model.imageShape, expectedBy: "the model"))
    }

    /// Appends up to `capacity` rows to `batch`; returns how many (0 at the
    /// end). Rows with NaN or infinite values are an error. The first call
    /// starts reading ahead, in batches of `capacity` rows.
    public func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int {
        if prefetcher == nil {
            let rows = rows
            prefetcher = BatchPrefetcher(
                capacity: capacity,
                read: { batch, capacity in try rows.read(into: &batch, capacity: capacity) },
                observe: { rows.shape })
        }
        switch prefetcher!.next() {
        case .end:
            return 0
        case .failure(let error):
            throw error
        case .batch(let delivered, let shape):
            deliveredShape = shape
            if batch.count == 0 {
                prefetcher!.recycle(batch)
                batch = delivered
            } else {
                batch.append(contentsOf: delivered)
                prefetcher!.recycle(delivered)
            }
            return delivered.count
        }
    }

    /// Reads up to `capacity` rows into a new batch on the calling thread,
    /// without reading ahead: for `BatchPipeline`, whose threads take turns
    /// reading while the others compute. Returns nil at the end.
    ///
    /// `shape` is set by the first batch only (every later row has to match
    /// it), so a thread that writes an earlier batch may read `shape` while
    /// another thread reads the next.
    public func readBatchHere(capacity: Int) throws -> RowBatch? {
        precondition(prefetcher == nil, "readBatchHere(capacity:) after reading ahead has started")
        var batch = RowBatch()
        guard try rows.read(into: &batch, capacity: capacity) > 0 else { return nil }
        if deliveredShape == nil { deliveredShape = rows.shape }
        return batch
    }

    /// Every remaining row in one matrix (for training, which needs them all).
    /// An input without rows is an error.
    public func readAll() throws -> RowBatch {
        var batch = RowBatch()
        while try readBatch(into: &batch, capacity: 1 << 14) > 0 {}
        guard batch.count > 0 else { throw AEError("empty input: no rows", source: source) }
        return batch
    }
}

/// The reading state behind a `RowInput`, owned by the thread that reads
/// ahead, so it outlives the `RowInput` until that thread's last read ends.
private final class RowSource: @unchecked Sendable {
    struct Settings {
        var field: String
        var dataset: String
        var droppedFields: [String]
        var format: TextFormat?
        var selection: FeatureSelection
    }

    /// An input whose turn has not come.
    enum Pending {
        /// A file to open then.
        case path(String)
        /// Opened already: stdin, or HDF5 or PNG read into memory (from stdin or gzip).
        case opened(source: String, InputContent)
        /// PNG images, read when their rows are.
        case images(PNGRows.Files)

        init(_ argument: InputArgument) {
            switch argument {
            case .path(let path): self = .path(path)
            case .images(let files): self = .images(files)
            }
        }
    }

    let first: FileRows
    let isSingleFile: Bool
    private let settings: Settings
    private var current: FileRows
    private var later: [Pending]
    private let allInputs: [Pending]
    /// What every file's rows must hold: the caller's requirement, else the
    /// first rows' features.
    private var expected: ExpectedFeatures?
    /// The first rows' shape and file.
    private var established: (shape: RowShape, source: String)?
    private var currentHasDelivered = false

    init(first: FileRows, later: [Pending], settings: Settings) {
        self.first = first
        current = first
        self.later = later
        allInputs = later
        isSingleFile = later.isEmpty
        self.settings = settings
    }

    static func name(of path: String) -> String {
        path == "-" ? "<stdin>" : path
    }

    /// The rows of an input.
    static func open(_ input: Pending, _ settings: Settings, guarded: Bool) throws -> FileRows {
        let (source, content): (String, InputContent)
        var path: String?
        switch input {
        case .path(let named):
            source = name(of: named)
            path = named == "-" ? nil : named
            content = try InputContent.open(named, source: source, format: settings.format)
        case .opened(let opened, let openedContent):
            (source, content) = (opened, openedContent)
        case .images(let files):
            return PNGRows(files, droppedFields: settings.droppedFields)
        }
        switch content {
        case .text(let bytes, let format):
            if let delimiter = format.delimiter {
                return try CSVRowReader(
                    bytes, source: source, delimiter: delimiter, selection: settings.selection,
                    droppedFields: settings.droppedFields)
            }
            var prefix: [UInt8] = []
            let wholeArray = try JSONArrayElements.startsDocument(&prefix, reading: bytes)
            let reader = NDJSONRowReader(
                PrefixedBytes(prefix, then: bytes), source: source, field: settings.field, expected: nil,
                selection: settings.selection, droppedFields: settings.droppedFields, wholeArray: wholeArray)
            _ = try reader.header
            return reader
        case .hdf5(let image):
            return try HDF5Rows(path: source, image: image, source: source, dataset: settings.dataset, guarded: guarded)
        case .png(let bytes):
            return PNGRows(PNGRows.Files(bytes: bytes, path: path, source: source), droppedFields: settings.droppedFields)
        }
    }

    /// Looks at a later input now: it must open, and HDF5 is checked in a
    /// crash guard's child, so that opening it in its turn needs no fork.
    static func check(_ argument: InputArgument, _ settings: Settings) throws -> Pending {
        guard case .path(let path) = argument else { return Pending(argument) }
        let source = name(of: path)
        let content = try InputContent.open(path, source: source, format: settings.format)
        switch content {
        case .text:
            return path == "-" ? .opened(source: source, content) : .path(path)
        case .png:
            return .opened(source: source, content)
        case .hdf5(let image):
            try HDF5Rows.check(path: source, image: image, source: source, dataset: settings.dataset)
            return image == nil ? .path(path) : .opened(source: source, content)
        }
    }

    var shape: RowShape? { established?.shape ?? current.shape }

    func require(_ expected: ExpectedFeatures) throws {
        self.expected = expected
        try current.require(expected)
    }

    func read(into batch: inout RowBatch, capacity: Int) throws -> Int {
        while true {
            let count = try current.readBatch(into: &batch, capacity: capacity)
            if count > 0 {
                if !currentHasDelivered { try establish(width: batch.vectors.cols) }
                currentHasDelivered = true
                batch.source = current.source
                return count
            }
            guard !later.isEmpty else { return 0 }
            current = try Self.open(later.removeFirst(), settings, guarded: false)
            currentHasDelivered = false
            if let expected { try current.require(expected) }
        }
    }

    /// At a file's first rows: the first file's fix what the others must
    /// hold; the others' must agree.
    private func establish(width: Int) throws {
        let shape = current.shape ?? .array
        let selection = settings.selection
        if selection.columns != nil || !selection.exclude.isEmpty, current.featureNames == nil {
            throw AEError(
                "--columns and --exclude choose among CSV columns or the members of objects without the vector field; "
                    + "these rows do not name their features", source: current.source)
        }
        guard let established else {
            established = (shape, current.source)
            if expected?.names == nil {
                let names = current.featureNames
                let expectedBy = names == nil ? expected?.expectedBy : nil
                expected = ExpectedFeatures(width: width, names: names, expectedBy: expectedBy ?? "the first input (\(current.source))")
            }
            return
        }
        guard shape == established.shape else {
            let kinds = shape == .array ? ("arrays", "objects") : ("objects", "arrays")
            throw AEError("rows are \(kinds.0), but the rows of \(established.source) are \(kinds.1)", source: current.source)
        }
    }

    func valuesBesideRows(_ path: String) throws -> [Double]? {
        guard let hdf5 = first as? HDF5Rows else { return nil }
        var values = try hdf5.valuesBeside(path)
        for input in allInputs {
            guard let next = try Self.open(input, settings, guarded: true) as? HDF5Rows else {
                throw AEError("not HDF5, so it has no dataset '\(path)' beside its rows", source: name(of: input))
            }
            values += try next.valuesBeside(path)
        }
        return values
    }

    private func name(of input: Pending) -> String {
        switch input {
        case .path(let path): Self.name(of: path)
        case .opened(let source, _): source
        case .images(let files): RowInput.listing(files.arguments)
        }
    }
}
