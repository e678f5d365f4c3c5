import Foundation
import AECore
import AEIO
import XCTest

/// Failures that used to pass silently: each is now reported on one line
/// with exit status 1, or ends the tool quietly with 141 where a reader
/// went away.
final class UnsilencedFailureTests: ScratchDirectoryTestCase {
    func testALogThatCannotBeWrittenFailsTheFitAndKeepsNoModel() throws {
        let result = try run("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 2 --quiet --log /dev/full")
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.stderr, "ae-fit: /dev/full: cannot write: No space left on device\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("m.h5").path))
    }

    func testALogOnStdoutWhoseReaderWentAwayEndsTheFitQuietly() throws {
        let result = try run("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 200 --quiet --log - | head -1; echo \"status ${PIPESTATUS[0]}\"")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdoutLines.count, 2, result.stdoutText)
        XCTAssertTrue(result.stdoutLines[0].hasPrefix("{\"epoch\":1,"), result.stdoutText)
        XCTAssertEqual(result.stdoutLines[1], "status 141")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("m.h5").path))
    }

    func testAnHDF5StreamHeaderThatIsNotJSONIsReportedWithTheFileName() throws {
        let file = try HDF5File.create(directory.appendingPathComponent("z.h5").path)
        try file.write(Matrix(rows: 2, cols: 2, storage: [0, 1, 2, 3]), to: "z")
        try file.setAttribute("ae", to: "{\"space\": \"latent\"")
        try file.close()
        let result = try run("ae-interp z.h5")
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(
            result.stderr.hasPrefix("ae-interp: z.h5: the stream header (root attribute \"ae\") is not JSON: "), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertEqual(result.stdout, Data())
    }
}
