import AECLI
import AECore
import AEIO
import XCTest

/// ae-fit's progress display, on a clock the test moves.
final class TrainingProgressTests: XCTestCase {
    /// What the display wrote, and a clock in nanoseconds.
    private final class Terminal {
        var text = ""
        var now: UInt64 = 0
    }

    private func progress(_ display: TrainingProgress.Display, on terminal: Terminal, columns: Int = 100) throws -> TrainingProgress {
        try TrainingProgress(
            tool: "ae-fit", epochs: 2, display: display, logPath: nil,
            clock: { terminal.now }, write: { terminal.text += $0 }, columns: { columns })
    }

    /// Two epochs of `batches` batches of 10 rows, each batch taking `milliseconds`.
    private func train(_ progress: TrainingProgress, on terminal: Terminal, batches: Int, milliseconds: UInt64) throws {
        for epoch in 1...2 {
            for batch in 1...batches {
                terminal.now += milliseconds * 1_000_000
                progress.batchFinished(
                    epoch: epoch, batch: batch, batches: batches, rowsSoFar: batch * 10,
                    loss: BatchLoss(reconstruction: 20, kl: 0, rows: 10))
            }
            try progress.epochFinished(EpochMetrics(epoch: epoch, trainLoss: 2, trainReconstruction: 2, trainKL: 0, seconds: 1))
        }
    }

    func testTheBarIsRedrawnAtMostTenTimesASecondAndGivesWayToEachEpochLine() throws {
        let terminal = Terminal()
        let display = try progress(.liveBar, on: terminal)
        try train(display, on: terminal, batches: 1000, milliseconds: 1)
        let drawings = terminal.text.components(separatedBy: "\r").filter { $0.hasPrefix("ae-fit: epoch") && $0.contains("[") }
        // 2 s of batches: a drawing on the first batch, then one each 100 ms.
        XCTAssertEqual(drawings.count, 20)
        XCTAssertTrue(drawings[0].hasPrefix("ae-fit: epoch 1/2 [--------------------] 1/1000  loss 2.0000  10000 rows/s  ETA 0:02"), drawings[0])
        XCTAssertTrue(drawings[15].hasPrefix("ae-fit: epoch 2/2 [##########----------] 501/1000  loss 2.0000  10000 rows/s  ETA 0:01"), drawings[15])
        let lines = terminal.text.components(separatedBy: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasSuffix("\r\u{1B}[Kae-fit: epoch 1/2  loss 2.0000  1.00 s"), lines[0])
        XCTAssertTrue(lines[1].hasSuffix("\r\u{1B}[Kae-fit: epoch 2/2  loss 2.0000  1.00 s"), lines[1])
        XCTAssertEqual(lines[2], "")
    }

    func testWithoutATerminalOnlyEpochLinesAndWhenQuietNothing() throws {
        let terminal = Terminal()
        try train(progress(.epochLines, on: terminal), on: terminal, batches: 100, milliseconds: 50)
        XCTAssertEqual(terminal.text, "ae-fit: epoch 1/2  loss 2.0000  1.00 s\nae-fit: epoch 2/2  loss 2.0000  1.00 s\n")

        let quiet = Terminal()
        try train(progress(.nothing, on: quiet), on: quiet, batches: 100, milliseconds: 50)
        XCTAssertEqual(quiet.text, "")
    }

    func testFinishingErasesABarLeftByAnUnfinishedEpoch() throws {
        let terminal = Terminal()
        let display = try progress(.liveBar, on: terminal)
        display.finish()
        XCTAssertEqual(terminal.text, "")
        display.batchFinished(epoch: 1, batch: 1, batches: 5, rowsSoFar: 10, loss: BatchLoss(reconstruction: 1, rows: 10))
        display.finish()
        XCTAssertTrue(terminal.text.hasSuffix("\u{1B}[K\r\u{1B}[K"), terminal.text)
    }

    func testTheLineFitsTheTerminalAndItsBarDoesNotMoveWithTheFigures() {
        func line(loss: Double, rowsPerSecond: Double, columns: Int) -> String {
            ProgressBar(epoch: 3, epochs: 20, batch: 45, batches: 94, loss: loss, rowsPerSecond: rowsPerSecond, secondsLeft: 42)
                .line(tool: "ae-fit", columns: columns)
        }
        XCTAssertEqual(
            line(loss: 12.34564, rowsPerSecond: 81234.4, columns: 120),
            "ae-fit: epoch 3/20 [#########-----------] 45/94  loss 12.3456  81234 rows/s  ETA 0:42")
        let narrow = line(loss: 12.34564, rowsPerSecond: 81234.4, columns: 80)
        XCTAssertEqual(narrow, "ae-fit: epoch 3/20 [####------] 45/94  loss 12.3456  81234 rows/s  ETA 0:42")
        XCTAssertEqual(line(loss: 1.5, rowsPerSecond: 7, columns: 80), "ae-fit: epoch 3/20 [####------] 45/94  loss 1.5000  7 rows/s  ETA 0:42")
        XCTAssertEqual(line(loss: 12.3, rowsPerSecond: 800, columns: 40), "ae-fit: epoch 3/20 batch 45/94  loss 12")
        XCTAssertTrue(line(loss: 1, rowsPerSecond: .infinity, columns: 200).contains(" 0 rows/s"))
    }

    func testTimeLeftReadsAsMinutesAndSeconds() {
        func eta(_ seconds: Double) -> String {
            let line = ProgressBar(epoch: 1, epochs: 1, batch: 1, batches: 1, loss: 0, rowsPerSecond: 0, secondsLeft: seconds)
                .line(tool: "t", columns: 200)
            return String(line.split(separator: " ").last!)
        }
        XCTAssertEqual(eta(0), "0:00")
        XCTAssertEqual(eta(41.2), "0:42")
        XCTAssertEqual(eta(3725), "1:02:05")
        XCTAssertEqual(eta(.nan), "0:00")
    }
}
