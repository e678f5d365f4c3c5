import Foundation
import XCTest

/// Where the tools write: `-o` names that no writer handles are refused.
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
