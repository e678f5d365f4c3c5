import Foundation
import XCTest

/// ae-fit's progress as a user sees it: a live bar on a terminal (a
/// pseudo-terminal made by util-linux `script`), epoch lines in a pipe,
/// nothing with --quiet.
final class TerminalProgressTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory(planeRows: 2000)
    }

    /// Runs `command` with stdin, stdout and stderr on a pseudo-terminal;
    /// returns what the terminal received.
    private func onTerminal(_ command: String) throws -> ToolRunner.Result {
        guard try ToolRunner.shell("command -v script", in: directory).status == 0 else {
            throw XCTSkip("util-linux script is not installed; it provides the pseudo-terminal")
        }
        return try ToolRunner.shell("script -qec '\(command)' /dev/null", in: directory, environment: ["COLUMNS": "100"])
    }

    func testOnATerminalABarIsRedrawnInPlaceAndEachEpochLineStays() throws {
        let result = try onTerminal("ae-fit x.ndjson -o m.h5 --hidden 16 --latent 2 --epochs 3 --batch 16")
        XCTAssertEqual(result.status, 0, result.stdoutText)
        // The terminal ends lines with \r\n; bars start with a bare \r.
        let text = result.stdoutText.replacingOccurrences(of: "\r\n", with: "\n")
        let bar = try XCTUnwrap(text.components(separatedBy: "\r").first { $0.hasPrefix("ae-fit: epoch 1/3 [") }, text)
        XCTAssertNotNil(
            bar.range(of: #"^ae-fit: epoch 1/3 \[[#-]{20}\] \d+/125  loss \d+\.\d{4}  \d+ rows/s  ETA \d+:\d\d\e\[K$"#, options: .regularExpression),
            bar)
        let lines = text.components(separatedBy: "\n")
        for (epoch, line) in lines.prefix(3).enumerated() {
            XCTAssertNotNil(
                line.range(of: #"^([^\n]*\r\e\[K)?ae-fit: epoch \#(epoch + 1)/3  loss \d+\.\d{4}  \d+\.\d\d s$"#, options: .regularExpression),
                line)
        }
        // The fit summary follows the epoch lines, plain lines with no bar left in them.
        XCTAssertTrue(lines.count > 4 && lines[3].hasPrefix("ae-fit: rows: 2000 training, 0 validation"), text)
        XCTAssertTrue(lines.dropFirst(3).allSatisfy { !$0.contains("\r") && ($0.isEmpty || $0.hasPrefix("ae-fit: ")) }, text)
        XCTAssertEqual(lines.last, "")
    }

    func testInAPipeOneLinePerEpochAndWithQuietNothing() throws {
        let piped = try ToolRunner.shell("ae-fit x.ndjson -o m.h5 --hidden 16 --latent 2 --epochs 3 --batch 16", in: directory)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertFalse(piped.stderr.contains("\r"))
        let pipedLines = piped.stderr.split(separator: "\n")
        XCTAssertEqual(pipedLines.prefix(3).map { $0.prefix(19) }, ["ae-fit: epoch 1/3  ", "ae-fit: epoch 2/3  ", "ae-fit: epoch 3/3  "])
        XCTAssertEqual(pipedLines.dropFirst(3).first, "ae-fit: rows: 2000 training, 0 validation; 8 features")

        let quiet = try onTerminal("ae-fit x.ndjson -o m.h5 --hidden 16 --latent 2 --epochs 3 --batch 16 --quiet")
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.stdoutText, "")
    }
}
