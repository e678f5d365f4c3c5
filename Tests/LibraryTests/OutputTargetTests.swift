import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// Where output goes: the format an `-o` name chooses, the names no writer
/// handles, and the files a tool must not write over.
final class OutputTargetTests: XCTestCase {
    func testTheExtensionOfTheLastComponent() {
        let cases: [(String, String?)] = [
            ("scores.CSV", "CSV"), ("a.b/out", nil), ("out", nil), (".hidden", nil), ("-", nil), ("dir/z.tar.gz", "gz"),
            ("trailing.", nil), ("/dev/stdout", nil),
        ]
        for (path, suffix) in cases { XCTAssertEqual(RowFormat.fileExtension(of: path), suffix, path) }
        XCTAssertEqual(RowFormat(fileExtension: "JSONL"), .ndjson)
        XCTAssertEqual(RowFormat(fileExtension: "tsv"), .tsv)
        XCTAssertEqual(RowFormat(fileExtension: "hdf5"), .h5)
        XCTAssertNil(RowFormat(fileExtension: "png"))
    }

    func testAnExtensionNoWriterHandlesIsAUsageError() throws {
        for name in ["grid.jpg", "z.txt", "rows.csv.gz", "scores.png"] {
            XCTAssertThrowsError(try OutputOptions<RowFiles>.parse(["-o", name]), name) { error in
                let message = OutputOptions<RowFiles>.message(for: error)
                XCTAssertTrue(message.hasPrefix("-o \(name): no output format has the extension ."), message)
                XCTAssertTrue(message.contains(".ndjson/.jsonl/.json, .csv, .tsv, .h5/.hdf5, or give --format"), message)
            }
        }
        XCTAssertThrowsError(try OutputOptions<RowFiles>.parse(["-o", "s.png"])) { error in
            XCTAssertTrue(OutputOptions<RowFiles>.message(for: error).contains(".png (only ae-decode draws PNG)"))
        }
        XCTAssertThrowsError(try OutputOptions<RowOrPNGFiles>.parse(["-o", "grid.jpg"])) { error in
            XCTAssertTrue(OutputOptions<RowOrPNGFiles>.message(for: error).contains(".h5/.hdf5, .png (a grid of images), or give"))
        }
        for arguments in [["-o", "grid.png"], ["-o", "z.txt", "--format", "csv"], ["-o", "out"], ["-o", "-"], ["-o", "x.TSV"]] {
            XCTAssertNoThrow(try OutputOptions<RowOrPNGFiles>.parse(arguments), "\(arguments)")
        }
        XCTAssertTrue(try OutputOptions<RowOrPNGFiles>.parse(["-o", "grid.png"]).drawsPNG)
        XCTAssertFalse(try OutputOptions<RowOrPNGFiles>.parse(["-o", "-"]).drawsPNG)
    }

    // MARK: Overwriting

    func testAnOutputIsRefusedWhenItIsAReadFileByAnyName() throws {
        let directory = try makeTemporaryDirectory()
        let model = directory.path("m.h5")
        try Data("model".utf8).write(to: URL(fileURLWithPath: model))
        try FileManager.default.createSymbolicLink(atPath: directory.path("link.h5"), withDestinationPath: model)
        try FileManager.default.linkItem(atPath: model, toPath: directory.path("hard.h5"))
        let reads = [ReadFile.model(model), .input(directory.path("x.ndjson"))]
        assertAEError("-o \(model) is the model file; refusing to write over it") {
            try OverwriteGuard.check(output: model, option: "-o", against: reads)
        }
        for other in ["link.h5", "hard.h5"] {
            assertAEError("-o \(directory.path(other)) is the model file \(model); refusing to write over it") {
                try OverwriteGuard.check(output: directory.path(other), option: "-o", against: reads)
            }
        }
        try Data("rows".utf8).write(to: URL(fileURLWithPath: directory.path("x.ndjson")))
        assertAEError("--log \(directory.path("x.ndjson")) is the input;") {
            try OverwriteGuard.check(output: directory.path("x.ndjson"), option: "--log", against: reads)
        }
        try Data("other".utf8).write(to: URL(fileURLWithPath: directory.path("other.h5")))
        for harmless in [directory.path("other.h5"), directory.path("new.h5"), "/dev/null"] {
            XCTAssertNoThrow(try OverwriteGuard.check(output: harmless, option: "-o", against: reads), harmless)
        }
        XCTAssertNoThrow(try OverwriteGuard.check(output: "/dev/null", option: "-o", against: [.input("/dev/null")]))
        XCTAssertEqual(try String(contentsOfFile: model, encoding: .utf8), "model")
    }
}
