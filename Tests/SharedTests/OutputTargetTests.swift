import Foundation
import Shared
import XCTest

/// Where output goes: the format an `-o` name chooses, and the names no
/// writer handles.
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
}
