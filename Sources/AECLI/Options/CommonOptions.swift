import AECore
import AEIO
import ArgumentParser
import FoundationEssentials

/// Where a tool finds the vectors in its input.
public struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The member of NDJSON object rows that holds the vector.", valueName: "name"))
    public var field: String?

    @Option(help: ArgumentHelp("The HDF5 dataset that holds the rows.", valueName: "path"))
    public var dataset: String?

    @Option(help: ArgumentHelp(
        "The text format of the input (default: csv for .csv, tsv for .tsv, each also .gz; else ndjson; HDF5 and gzip are told by their first bytes).",
        valueName: TextFormat.choices))
    public var inputFormat: TextFormat?

    @Option(help: ArgumentHelp(
        "The features: these CSV columns, or members of object rows without the vector field, in this order (default: the model's feature names, else every numeric column).",
        valueName: "a,b,..."))
    public var columns: NameList?

    @Option(help: ArgumentHelp("Columns or members that are not features, when the numeric ones are.", valueName: "a,b,..."))
    public var exclude: NameList?

    @Option(help: ArgumentHelp(
        "An empty CSV cell (or NA, NaN, null) or a null member in a feature: an error, or read as 0.",
        valueName: MissingValues.choices))
    public var missing: MissingValues = .error

    public init() {}

    /// How the features of named rows are chosen; `namesFromObjects` lets
    /// object rows name their features themselves (ae-fit).
    public func selection(namesFromObjects: Bool = false) -> FeatureSelection {
        FeatureSelection(
            columns: columns?.names, exclude: exclude?.names ?? [], missing: missing, namesFromObjects: namesFromObjects)
    }

    /// Opens `paths` (none: stdin) reading the vector from `field`/`dataset`,
    /// or `name` when they are not given (x in data space, z in latent space).
    public func open(_ paths: [String], defaultName name: String, droppedFields: [String] = []) throws -> RowInput {
        try open(paths, defaultName: name, droppedFields: droppedFields, selection: selection())
    }

    func open(_ paths: [String], defaultName name: String, droppedFields: [String] = [], selection: FeatureSelection) throws -> RowInput {
        try RowInput(
            paths: paths, field: field ?? name, dataset: dataset ?? name, droppedFields: droppedFields, format: inputFormat,
            selection: selection)
    }
}

/// How much of the machine a tool uses.
public struct ComputeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Worker threads (default: the number of cores).", valueName: "n"))
    public var threads: Int?

    public init() {}

    public func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    public var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
    public var pool: WorkerPool { WorkerPool(threads: threadCount) }
}

/// Rows per batch for the streaming tools: memory is bounded by this, not
/// by the input's length.
public struct BatchOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Rows processed together; bounds memory use.", valueName: "rows"))
    public var batch = 1024

    public init() {}

    public func validate() throws {
        guard batch >= 1 && batch <= 1 << 20 else { throw ValidationError("--batch must be between 1 and 1048576") }
    }
}
