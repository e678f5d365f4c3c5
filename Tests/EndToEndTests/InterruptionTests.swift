import Foundation
import XCTest

/// Ctrl-C during ae-fit: the first stops training at the next batch and
/// writes the best model so far, a second quits at once and writes nothing.
/// The fits run long (epochs of one slow batch each, far more epochs than a
/// test waits for); each signal is sent once ae-fit has said what it waits
/// for, never after a set time.
final class InterruptionTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory()
        try SyntheticData.planeObjects(rows: 4000, width: 100)
            .write(to: directory.appendingPathComponent("x.ndjson"), atomically: false, encoding: .utf8)
    }

    private func run(_ command: String) throws -> ToolRunner.Result {
        try ToolRunner.shell(command, in: directory)
    }

    /// Starts the long fit in the background as `$fit`, stderr to err.txt,
    /// and waits for `line` there (or for ae-fit to end).
    private static let startFitAndWaitForFirstEpoch = """
        ae-fit x.ndjson -o m.h5 --hidden 1024,1024 --latent 4 --batch 4000 --epochs 100000 --val 0.1 2> err.txt &
        fit=$!
        wait_for() { until grep -q "$1" err.txt; do kill -0 $fit 2> /dev/null || break; sleep 0.02; done; }
        wait_for "epoch 1/"

        """

    func testCtrlCWritesTheBestModelSoFarAndExits130() throws {
        let result = try run(Self.startFitAndWaitForFirstEpoch + """
            kill -INT $fit
            wait $fit
            echo "status $?"
            """)
        XCTAssertEqual(result.stdoutText, "status 130\n")
        let messages = try String(contentsOf: directory.appendingPathComponent("err.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertTrue(messages.contains(
            "ae-fit: stopping after this batch to write the best model so far; Ctrl-C again quits without writing it"), "\(messages)")
        let last = try XCTUnwrap(messages.last)
        XCTAssertTrue(last.hasPrefix("ae-fit: interrupted after "), last)
        XCTAssertTrue(last.contains(" of 100000 epochs: wrote the best model so far (epoch "), last)
        XCTAssertTrue(last.hasSuffix(", by validation loss) to m.h5"), last)

        let encode = try run("ae-encode m.h5 x.ndjson --no-header")
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertEqual(encode.stdoutLines.count, 4000)
        XCTAssertTrue(encode.stdoutLines[0].hasPrefix("{\"id\":0,\"z\":["), encode.stdoutLines[0])
        XCTAssertEqual(try leftoverFiles(), ["err.txt", "m.h5", "x.ndjson"])
    }

    func testASecondCtrlCQuitsAtOnceAndWritesNothing() throws {
        let result = try run(Self.startFitAndWaitForFirstEpoch + """
            kill -INT $fit
            wait_for "Ctrl-C again"
            kill -INT $fit
            wait $fit
            echo "status $?"
            """)
        XCTAssertEqual(result.stdoutText, "status 130\n")
        let messages = try String(contentsOf: directory.appendingPathComponent("err.txt"), encoding: .utf8)
        XCTAssertFalse(messages.contains("wrote"), messages)
        XCTAssertEqual(try leftoverFiles(), ["err.txt", "x.ndjson"], "no model and no temporary file")
    }

    private func leftoverFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }
}
