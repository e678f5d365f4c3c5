import Foundation
import XCTest

/// The README's "Named features": a model trained on a CSV with an id and a
/// quoted text column scores, with the same scores and explanations that
/// name columns, a copy with its columns reordered, the rows as pandas
/// records (one line each, or one JSON array), a gzipped copy, and the CSV
/// cut into two files. The rows come from the demo's own generators
/// (demo/sensors.awk, demo/sensors-named.awk).
final class NamedFeaturesTests: XCTestCase {
    private var directory: URL!
    private static let demo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("demo")

    override func setUpWithError() throws {
        directory = try makeScratchDirectory()
        let named = Self.demo.appendingPathComponent("sensors-named.awk").path
        try succeed(
            """
            awk -v rows=600 -v faults=6 -f \(Self.demo.appendingPathComponent("sensors.awk").path) > sensors.ndjson
            awk -v form=csv -f \(named) sensors.ndjson > sensors.csv
            awk -v form=reordered -f \(named) sensors.ndjson > reordered.csv
            awk -v form=records -f \(named) sensors.ndjson > records.ndjson
            { printf '['; paste -sd, records.ndjson; printf ']'; } > records.json
            gzip -k sensors.csv
            head -301 sensors.csv > first.csv
            { head -1 sensors.csv; tail -n +302 sensors.csv; } > second.csv
            ae-fit sensors.csv -o m.h5 --latent 3 --epochs 20 --quiet
            """)
    }

    @discardableResult
    private func succeed(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> ToolRunner.Result {
        let result = try ToolRunner.shell(command, in: directory)
        XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)", file: file, line: line)
        return result
    }

    private func scored(_ inputs: String) throws -> [[String: Any]] {
        try succeed("ae-score m.h5 \(inputs) --explain 2").stdoutLines.map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        }
    }

    func testTheModelKeepsTheNumericColumnsNames() throws {
        let names = try succeed("ae-fit sensors.csv -o again.h5 --latent 3 --epochs 1 2>&1 | head -1")
        XCTAssertEqual(names.stdoutText, "ae-fit: 12 features named by sensors.csv: s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11, s12\n")
    }

    func testEveryFormOfTheRowsScoresAlikeAndExplainsByName() throws {
        let reference = try scored("sensors.csv")
        XCTAssertEqual(reference.count, 600)
        let columns = Set((1...12).map { String(format: "s%02d", $0) })
        for row in reference {
            XCTAssertNotNil(row["id"] as? String)
            XCTAssertNotNil(row["site"] as? String, "the quoted text column passes through")
            let explained = try XCTUnwrap(row["explain"] as? [[String: Any]])
            XCTAssertEqual(explained.count, 2)
            for entry in explained { XCTAssertTrue(columns.contains(entry["feature"] as? String ?? ""), "\(entry)") }
        }
        XCTAssertEqual(reference[0]["site"] as? String, #"Annex "B""#)
        XCTAssertEqual(reference[2]["site"] as? String, "Hall 3, east")
        func summary(_ rows: [[String: Any]]) -> [String] {
            rows.map { row in
                let explained = (row["explain"] as? [[String: Any]] ?? []).map { "\($0["feature"]!)" }
                return "\(row["id"]!) \(row["site"]!) \(row["score"]!) \(row["anomaly"]!) \(explained)"
            }
        }
        for inputs in ["reordered.csv", "records.ndjson", "records.json", "sensors.csv.gz", "first.csv second.csv", "< sensors.csv.gz --input-format csv"] {
            XCTAssertEqual(summary(try scored(inputs)), summary(reference), inputs)
        }
    }

    func testAMissingColumnIsNamed() throws {
        let result = try ToolRunner.shell("sed '1s/,s05,/,s5,/' sensors.csv | ae-score m.h5 --input-format csv", in: directory)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.stderr,
            "ae-score: <stdin>:1: no column \"s05\", a feature of the model (columns here: id, site, s01, s02, s03, s04, s5, s06, s07, s08, s09, s10, s11, s12)\n")
    }
}
