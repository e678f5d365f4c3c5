import Foundation

/// Reports training on stderr, one line per epoch, and appends each epoch's
/// metrics to a `--log` file as NDJSON.
public final class TrainingProgress: TrainingObserver {
    private let tool: String
    private let epochs: Int
    private let quiet: Bool
    private let log: ByteWriter?
    private let logDescriptor: Int32

    public init(tool: String, epochs: Int, quiet: Bool, logPath: String?) throws {
        self.tool = tool
        self.epochs = epochs
        self.quiet = quiet
        if let logPath {
            logDescriptor = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard logDescriptor >= 0 else {
                throw AEError("cannot write: \(String(cString: strerror(errno)))", source: logPath)
            }
            log = ByteWriter(fileDescriptor: logDescriptor, name: logPath, capacity: 1 << 12)
        } else {
            logDescriptor = -1
            log = nil
        }
    }

    deinit {
        if logDescriptor >= 0 { close(logDescriptor) }
    }

    public func batchFinished(epoch: Int, batch: Int, batches: Int, rowsSoFar: Int, loss: BatchLoss) {}

    public func epochFinished(_ metrics: EpochMetrics) {
        if !quiet {
            var line = "\(tool): epoch \(metrics.epoch)/\(epochs)  loss \(Self.fixed(metrics.trainLoss))"
            if metrics.trainKL != 0 {
                line += "  (rec \(Self.fixed(metrics.trainReconstruction)), kl \(Self.fixed(metrics.trainKL)))"
            }
            if let validation = metrics.validationLoss { line += "  val \(Self.fixed(validation))" }
            line += "  \(String(format: "%.2f", metrics.seconds)) s"
            Diagnostics.note(line)
        }
        if let log {
            let record: JSONValue = .object([
                ("epoch", .number(Double(metrics.epoch))),
                ("train_loss", .number(metrics.trainLoss)), ("train_rec", .number(metrics.trainReconstruction)),
                ("train_kl", .number(metrics.trainKL)),
                ("val_loss", metrics.validationLoss.map(JSONValue.number) ?? .null),
                ("val_rec", metrics.validationReconstruction.map(JSONValue.number) ?? .null),
                ("val_kl", metrics.validationKL.map(JSONValue.number) ?? .null),
                ("seconds", .number(metrics.seconds)),
            ])
            try? log.write(record.text + "\n")
            try? log.flush()
        }
    }

    private static func fixed(_ value: Double) -> String { String(format: "%.4f", value) }
}
