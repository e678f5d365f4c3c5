import AECore
import AEIO

/// The line ae-fit redraws in place on a terminal while it trains, the bar
/// showing the epoch's batches:
///
///     ae-fit: epoch 3/20 [#########-----------] 45/94  loss 12.3456  81234 rows/s  ETA 0:42
///
/// It never reaches the terminal's last column, since a line that wraps can
/// no longer be redrawn with a carriage return. The bar's width depends only
/// on the terminal's, so it does not jump about as the figures change; on a
/// terminal too narrow for it the line reads `... epoch 3/20 batch 45/94 ...`
/// and is cut at the edge.
public struct ProgressBar {
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batches: Int
    /// Mean loss per row over the epoch so far.
    public var loss: Double
    public var rowsPerSecond: Double
    /// Estimated time to the end of the last epoch.
    public var secondsLeft: Double

    public init(
        epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, rowsPerSecond: Double, secondsLeft: Double
    ) {
        self.epoch = epoch
        self.epochs = epochs
        self.batch = batch
        self.batches = batches
        self.loss = loss
        self.rowsPerSecond = rowsPerSecond
        self.secondsLeft = secondsLeft
    }

    /// The widest bar drawn, in characters between the brackets.
    static let widestBar = 20
    /// The narrowest bar still worth drawing.
    static let narrowestBar = 5

    /// The line for a terminal `columns` wide, prefixed by `tool: `.
    public func line(tool: String, columns: Int) -> String {
        let head = "\(tool): epoch \(epoch)/\(epochs)"
        let lossLabel = EpochMetric.trainLoss.label!
        let figures = "\(lossLabel) \(String(printf: "%.4f", loss))  \(Self.whole(rowsPerSecond)) rows/s"
            + "  ETA \(Self.duration(secondsLeft))"
        let room = columns - 1
        // The room the text beside the bar takes with figures of usual widths.
        let usualText = head.count + "[] \(batches)/\(batches)  \(lossLabel) 0000.0000  000000 rows/s  ETA 00:00".count + 1
        let bar = min(Self.widestBar, room - usualText)
        let line: String
        if bar >= Self.narrowestBar {
            let done = batches > 0 ? bar * batch / batches : 0
            let drawn = String(repeating: "#", count: done) + String(repeating: "-", count: bar - done)
            line = "\(head) [\(drawn)] \(batch)/\(batches)  \(figures)"
        } else {
            line = "\(head) batch \(batch)/\(batches)  \(figures)"
        }
        return String(line.prefix(max(room, 0)))
    }

    /// `m:ss`, or `h:mm:ss` from an hour on.
    static func duration(_ seconds: Double) -> String {
        let total = whole(seconds.rounded(.up))
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        if hours > 0 { return String(printf: "%ld:%02ld:%02ld", hours, minutes, rest) }
        return String(printf: "%ld:%02ld", minutes, rest)
    }

    /// A measured figure as a whole number for display: a figure taken over
    /// no time at all (infinite or NaN) must not stop the training.
    private static func whole(_ value: Double) -> Int {
        value.isFinite ? Int(min(max(value, 0), 1e15).rounded()) : 0
    }
}
