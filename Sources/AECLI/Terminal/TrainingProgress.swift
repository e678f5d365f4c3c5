import AECore
import AEIO
import Dispatch
import Glibc

/// Reports training on stderr, and writes each epoch's metrics to a `--log`
/// file (`-`: stdout) as NDJSON.
///
/// On a terminal a live `ProgressBar` is redrawn in place, at most ten times
/// a second so that drawing costs nothing next to training, and each
/// finished epoch replaces it with a line that stays; elsewhere (a file, a
/// pipe, a CI log) only those epoch lines are written.
public final class TrainingProgress: TrainingObserver {
    public enum Display: Equatable, Sendable {
        case liveBar
        case epochLines
        case nothing

        /// The live bar when stderr is a terminal, epoch lines otherwise,
        /// nothing when quiet.
        public static func forStandardError(quiet: Bool) -> Display {
            if quiet { return .nothing }
            return isatty(STDERR_FILENO) != 0 ? .liveBar : .epochLines
        }
    }

    /// The shortest time between two drawings of the bar.
    static let redrawInterval: UInt64 = 100_000_000

    private let tool: String
    private let epochs: Int
    private let display: Display
    private let log: ByteWriter?
    /// The log file's descriptor, which this closes; -1 for none or stdout.
    private let logDescriptor: Int32
    private let clock: () -> UInt64
    private let write: (String) -> Void
    private let columns: () -> Int

    private let started: UInt64
    /// When this epoch's first batch began: the end of the previous epoch.
    private var epochStarted: UInt64
    /// The summed loss of this epoch's batches so far.
    private var epochLoss = 0.0
    private var nextDrawing: UInt64 = 0
    private var barShown = false

    /// `clock` gives nanoseconds, `write` takes text for stderr and
    /// `columns` the terminal's width; tests replace them.
    public init(
        tool: String, epochs: Int, display: Display, logPath: String?,
        clock: @escaping () -> UInt64 = { DispatchTime.now().uptimeNanoseconds },
        write: @escaping (String) -> Void = Diagnostics.writeToStandardError,
        columns: @escaping () -> Int = TerminalWidth.ofStandardError
    ) throws {
        self.tool = tool
        self.epochs = epochs
        self.display = display
        self.clock = clock
        self.write = write
        self.columns = columns
        started = clock()
        epochStarted = started
        if logPath == "-" {
            logDescriptor = -1
            log = ByteWriter(fileDescriptor: STDOUT_FILENO, name: "<stdout>", capacity: 1 << 12)
        } else if let logPath {
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

    public func batchFinished(epoch: Int, batch: Int, batches: Int, rowsSoFar: Int, loss: BatchLoss) {
        let now = clock()
        epochLoss += loss.total
        guard display == .liveBar, now >= nextDrawing else { return }
        nextDrawing = now + Self.redrawInterval
        let epochSeconds = Double(now - epochStarted) / 1e9
        let batchesDone = (epoch - 1) * batches + batch
        let secondsPerBatch = Double(now - started) / 1e9 / Double(batchesDone)
        let bar = ProgressBar(
            epoch: epoch, epochs: epochs, batch: batch, batches: batches,
            loss: epochLoss / Double(max(rowsSoFar, 1)),
            rowsPerSecond: epochSeconds > 0 ? Double(rowsSoFar) / epochSeconds : 0,
            secondsLeft: secondsPerBatch * Double(epochs * batches - batchesDone))
        write("\r" + bar.line(tool: tool, columns: columns()) + Self.clearToEndOfLine)
        barShown = true
    }

    /// Throws when the `--log` record cannot be written: the log is an
    /// output like the model, and a run that cannot write it fails.
    public func epochFinished(_ metrics: EpochMetrics) throws {
        epochStarted = clock()
        epochLoss = 0
        if display != .nothing {
            eraseBar()
            write(epochLine(metrics) + "\n")
        }
        if let log {
            let record: JSONValue = .object(
                [("epoch", .number(Double(metrics.epoch)))]
                    + EpochMetric.allCases.map { ($0.name, metrics[$0].map(JSONValue.number) ?? .null) })
            try log.write(record.text + "\n")
            try log.flush()
        }
    }

    public func latentCandidateStarted(latent: Int, candidate: Int, of candidates: Int) {
        guard display != .nothing else { return }
        eraseBar()
        write("\(tool): latent size \(latent) (\(candidate) of \(candidates) tried)\n")
    }

    public func refitStarted(keptRows: Int, droppedRows: Int, share: Double) {
        guard display != .nothing else { return }
        eraseBar()
        write("\(tool): fitting again on \(keptRows) rows, without the \(droppedRows) (--trim \(String(printf: "%g", share))) that the first fit found most outlying\n")
    }

    /// Prints the fit summary, then its warnings.
    public func report(_ summary: FitSummary, featureNames: [String]?) {
        guard display != .nothing else { return }
        eraseBar()
        for line in summary.lines(featureName: { featureNames?[$0] ?? String($0) }) { write("\(tool): \(line)\n") }
        for warning in summary.warnings { write("\(tool): warning: \(warning)\n") }
    }

    /// Erases a bar an unfinished epoch left, so that an error message
    /// after it starts a line of its own.
    public func finish() {
        eraseBar()
    }

    private func eraseBar() {
        guard barShown else { return }
        write("\r" + Self.clearToEndOfLine)
        barShown = false
    }

    private func epochLine(_ metrics: EpochMetrics) -> String {
        func figure(_ metric: EpochMetric) -> String { "\(metric.label!) \(Self.fixed(metrics[metric]!))" }
        var line = "\(tool): epoch \(metrics.epoch)/\(epochs)  \(figure(.trainLoss))"
        if metrics.trainKL != 0 { line += "  (\(figure(.trainReconstruction)), \(figure(.trainKL)))" }
        if metrics.validationLoss != nil { line += "  \(figure(.validationLoss))" }
        return line + "  \(String(printf: "%.2f", metrics.seconds)) s"
    }

    /// ANSI "erase in line": clears what a longer, earlier line left.
    private static let clearToEndOfLine = "\u{1B}[K"

    private static func fixed(_ value: Double) -> String { String(printf: "%.4f", value) }
}
