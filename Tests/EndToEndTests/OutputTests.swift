import Foundation
import XCTest

/// Where the tools write: `-` for stdout everywhere, and refused `-o` names.
final class OutputTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory(planeRows: 40)
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --latent 2 --epochs 2 --quiet && ae-encode m.h5 x.ndjson -o z.ndjson")
    }

    private func run(_ command: String) throws -> ToolRunner.Result {
        try ToolRunner.shell(command, in: directory)
    }

    @discardableResult
    private func succeed(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> ToolRunner.Result {
        let result = try run(command)
        XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)", file: file, line: line)
        return result
    }

    private func bytes(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    private func files() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
    }

    func testDashIsStdoutForEveryTool() throws {
        for (command, expected) in [
            ("ae-encode m.h5 x.ndjson -o -", "ae-encode m.h5 x.ndjson"),
            ("ae-score m.h5 x.ndjson -o - --format csv", "ae-score m.h5 x.ndjson --format csv"),
            ("ae-decode z.ndjson -o -", "ae-decode z.ndjson"),
            ("ae-interp z.ndjson -o -", "ae-interp z.ndjson"),
        ] {
            let result = try succeed(command)
            XCTAssertFalse(result.stdout.isEmpty, command)
            XCTAssertEqual(result.stdout, try succeed(expected).stdout, command)
        }
        let before = try files()
        let fit = try succeed("ae-fit x.ndjson -o m2.h5 --epochs 3 --quiet --log -")
        XCTAssertEqual(fit.stdoutLines.count, 3)
        XCTAssertTrue(fit.stdoutLines.allSatisfy { $0.hasPrefix("{\"epoch\":") }, fit.stdoutText)
        XCTAssertEqual(try files().subtracting(before), ["m2.h5"])
    }

    func testAnOutputNameNoWriterHandlesIsAUsageErrorThatWritesNothing() throws {
        let before = try files()
        for command in ["ae-encode m.h5 x.ndjson -o z.txt", "ae-decode z.ndjson -o grid.jpg", "ae-score m.h5 x.ndjson -o s.png",
                        "ae-interp z.ndjson -o paths.xml"] {
            let result = try run(command)
            XCTAssertEqual(result.status, 2, command)
            XCTAssertTrue(result.stderr.hasPrefix("Error: -o "), result.stderr)
            XCTAssertTrue(result.stderr.contains("no output format has the extension"), result.stderr)
            XCTAssertTrue(result.stdout.isEmpty, command)
        }
        XCTAssertEqual(try files(), before)
    }
}
