import Foundation
import XCTest

/// Where the tools write: `-` for stdout everywhere, refused `-o` names, and
/// never over the model or an input, whatever name or link leads there.
final class OutputTests: ScratchDirectoryTestCase {
    override class var planeRows: Int { 40 }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --latent 2 --epochs 2 --quiet && ae-encode m.h5 x.ndjson -o z.ndjson")
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
            XCTAssertTrue(result.stderr.hasPrefix("\(command.prefix { $0 != " " }): -o "), result.stderr)
            XCTAssertTrue(result.stderr.contains("no output format has the extension"), result.stderr)
            XCTAssertTrue(result.stdout.isEmpty, command)
        }
        XCTAssertEqual(try files(), before)
    }

    func testNoToolWritesOverItsModelOrItsInput() throws {
        try succeed("ln -s m.h5 link.h5 && ln m.h5 hard.h5 && ln -s x.ndjson x-link.ndjson")
        let model = try bytes("m.h5"), rows = try bytes("x.ndjson"), codes = try bytes("z.ndjson")
        let before = try files()
        let cases = [
            ("ae-encode m.h5 x.ndjson -o m.h5", "ae-encode: -o m.h5 is the model file; refusing to write over it"),
            ("ae-encode m.h5 x.ndjson -o link.h5", "ae-encode: -o link.h5 is the model file m.h5; refusing to write over it"),
            ("ae-encode m.h5 x.ndjson -o hard.h5 --format h5", "ae-encode: -o hard.h5 is the model file m.h5; refusing to write over it"),
            ("ae-encode m.h5 x.ndjson >> m.h5", "ae-encode: stdout is the model file m.h5; refusing to write over it"),
            ("ae-encode m.h5 x.ndjson -o x-link.ndjson", "ae-encode: -o x-link.ndjson is the input x.ndjson; refusing to write over it"),
            ("ae-score m.h5 -o x.ndjson < x.ndjson", "ae-score: -o x.ndjson is the input (stdin); refusing to write over it"),
            ("ae-score m.h5 x.ndjson -o hard.h5", "ae-score: -o hard.h5 is the model file m.h5; refusing to write over it"),
            ("ae-decode z.ndjson -o z.ndjson", "ae-decode: -o z.ndjson is the input; refusing to write over it"),
            ("ae-decode m.h5 z.ndjson -o link.h5", "ae-decode: -o link.h5 is the model file m.h5; refusing to write over it"),
            ("ae-decode m.h5 z.ndjson -o m.png --shape 2x4 && ln -f m.h5 m.png; ae-decode m.h5 z.ndjson -o m.png --shape 2x4",
             "ae-decode: -o m.png is the model file m.h5; refusing to write over it"),
            ("ae-interp z.ndjson --steps 3 -o z.ndjson", "ae-interp: -o z.ndjson is the input; refusing to write over it"),
            ("ae-interp m.h5 --sample 4 -o link.h5", "ae-interp: -o link.h5 is the model file m.h5; refusing to write over it"),
            ("ae-fit x.ndjson -o x-link.ndjson --epochs 1 --quiet", "ae-fit: -o x-link.ndjson is the input x.ndjson; refusing to write over it"),
            ("ae-fit x.ndjson -o new.h5 --log x.ndjson --epochs 1 --quiet", "ae-fit: --log x.ndjson is the input; refusing to write over it"),
            ("ae-fit x.ndjson -o m.h5 --log hard.h5 --epochs 1 --quiet", "ae-fit: --log hard.h5 is the model file m.h5; refusing to write over it"),
        ]
        for (command, message) in cases {
            let result = try run(command)
            XCTAssertEqual(result.status, 1, command)
            XCTAssertEqual(result.stderr, message + "\n", command)
            XCTAssertEqual(try bytes("m.h5"), model, command)
            XCTAssertEqual(try bytes("x.ndjson"), rows, command)
            XCTAssertEqual(try bytes("z.ndjson"), codes, command)
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("m.png"))
            XCTAssertEqual(try files(), before, command)
        }
    }
}
