import ArgumentParser
import FoundationEssentials

/// Where a tool finds the vectors in its input.
public struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The member of NDJSON object rows that holds the vector.", valueName: "name"))
    public var field: String?

    @Option(help: ArgumentHelp("The HDF5 dataset that holds the rows.", valueName: "path"))
    public var dataset: String?

    public init() {}

    /// Opens `path` reading the vector from `field`/`dataset`, or `name` when
    /// they are not given (x in data space, z in latent space).
    public func open(_ path: String?, defaultName name: String, droppedFields: [String] = []) throws -> RowInput {
        try RowInput(path: path, field: field ?? name, dataset: dataset ?? name, droppedFields: droppedFields)
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
