import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// ae-fit and ae-score as built, run through real pipes on generated data:
/// models fitted to rows near a line in 4-D score those rows and a few
/// planted rows off the line (within the features' training ranges).
final class ScoreToolTests: XCTestCase {
    static let normalRows = 400
    static let plantedRows = 8
    nonisolated(unsafe) static var directory: URL!

    override class func setUp() {
        super.setUp()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ae-score-e2e-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 9)
        var objects = "", arrays = ""
        let line = [1, -2, 0.5, 3.0], across = [2, 1, 0, 0.0]
        for id in 0..<(normalRows + plantedRows) {
            let planted = id >= normalRows
            let t = generator.gaussian() * (planted ? 0.5 : 1)
            let offset = planted ? (id % 2 == 0 ? 1.5 : -1.5) : 0
            let values = (0..<4).map { j in Float(t * line[j] + offset * across[j] + generator.gaussian() * 0.05) }
            let vector = "[" + values.map { "\($0)" }.joined(separator: ",") + "]"
            objects += "{\"id\":\(id),\"label\":\(planted ? 1 : 0),\"x\":\(vector)}\n"
            if !planted { arrays += vector + "\n" }
        }
        try! Data(objects.utf8).write(to: directory.appendingPathComponent("rows.ndjson"))
        try! Data(arrays.utf8).write(to: directory.appendingPathComponent("arrays.ndjson"))
        try! Data("north\neast\nsouth\nwest\n".utf8).write(to: directory.appendingPathComponent("names.txt"))
        for kind in ["ae", "vae"] {
            let fit = shell("ae-fit arrays.ndjson -o \(kind).h5 --kind \(kind) --epochs 60 --batch 32 --lr 3e-3 --quiet")
            precondition(fit.status == 0, "ae-fit failed: \(fit.stderr)")
        }
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    /// Runs `command` with bash in the test directory, the tools first on PATH.
    @discardableResult
    static func shell(_ command: String, environment: [String: String] = [:]) -> (status: Int32, stdout: String, stderr: String) {
        let result = try! ToolRunner.shell(command, in: directory, environment: environment)
        return (result.status, result.stdoutText, result.stderr)
    }

    private func shell(_ command: String, environment: [String: String] = [:]) -> (status: Int32, stdout: String, stderr: String) {
        Self.shell(command, environment: environment)
    }

    private func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
    }

    func testObjectRowsKeepTheirMembersAndGainScoreAndAnomaly() throws {
        let result = shell("cat rows.ndjson | ae-score ae.h5")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let rows = try objects(result.stdout)
        XCTAssertEqual(rows.count, Self.normalRows + Self.plantedRows)
        XCTAssertEqual(Set(rows[0].keys), ["id", "label", "score", "anomaly"])
        XCTAssertEqual(rows.map { $0["id"] as? Int }, Array(0..<rows.count))
        let flagged = rows.filter { $0["anomaly"] as? Bool == true }.compactMap { $0["id"] as? Int }
        XCTAssertTrue(Set(Self.normalRows..<rows.count).isSubset(of: Set(flagged)), "planted rows flagged: \(flagged)")
        XCTAssertLessThanOrEqual(flagged.count, Self.plantedRows + Self.normalRows / 20, "few normal rows flagged")
    }

    func testArrayRowsBecomeNumberedObjectsAndKeepRestoresTheVector() throws {
        let rows = try objects(shell("ae-score ae.h5 arrays.ndjson --threshold 0").stdout)
        XCTAssertEqual(Set(rows[0].keys), ["row", "score", "anomaly"])
        XCTAssertEqual(rows.map { $0["row"] as? Int }, Array(0..<rows.count))
        XCTAssertTrue(rows.allSatisfy { $0["anomaly"] as? Bool == true }, "every score is above 0")

        let kept = shell("ae-score ae.h5 rows.ndjson --keep | head -2").stdout.split(separator: "\n")
        XCTAssertTrue(kept[0].hasPrefix("{\"ae\":{\"model\":"), String(kept[0]))
        let first = try objects(String(kept[1]))[0]
        XCTAssertEqual(Set(first.keys), ["id", "label", "x", "score", "anomaly"])
        XCTAssertEqual((first["x"] as? [Double])?.count, 4)
    }

    func testLabelReportsExactMetricsOnStderr() {
        let result = shell("ae-score vae.h5 rows.ndjson --label label > /dev/null")
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.hasPrefix("ae-score: 408 rows, "), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("labels: 8 anomalies, ROC-AUC 1.0000, average precision 1.0000\n"), result.stderr)
    }

    func testEveryVAEMethodWithExplanationsByName() throws {
        for method in ["reconstruction", "elbo", "iwae"] {
            let samples = method == "reconstruction" ? "" : "--samples 4"
            let result = shell("ae-score vae.h5 rows.ndjson --method \(method) \(samples) --explain 2 --names names.txt --label label")
            XCTAssertTrue(result.stderr.contains("ROC-AUC 1.0000"), "\(method): \(result.stderr)")
            let row = try objects(result.stdout)[Self.normalRows]
            let explanation = try XCTUnwrap(row["explain"] as? [[String: Any]])
            XCTAssertEqual(explanation.count, 2)
            XCTAssertTrue(["north", "east", "south", "west"].contains(explanation[0]["feature"] as? String ?? ""))
            let shares = explanation.compactMap { $0["share"] as? Double }
            XCTAssertTrue(shares[0] >= shares[1] && shares[0] + shares[1] <= 1.0001, "\(shares)")
        }
    }

    func testHDF5OutputHoldsOneDatasetPerColumn() throws {
        XCTAssertEqual(shell("ae-score ae.h5 rows.ndjson --explain 3 -o scores.h5").status, 0)
        let file = try HDF5File.open(Self.directory.appendingPathComponent("scores.h5").path)
        let rows = Self.normalRows + Self.plantedRows
        XCTAssertEqual(try file.shape(of: "score"), [rows])
        XCTAssertEqual(try file.shape(of: "anomaly"), [rows])
        XCTAssertEqual(try file.shape(of: "explain_feature"), [rows, 3])
        XCTAssertEqual(try file.shape(of: "explain_share"), [rows, 3])
        let flags = try file.read("anomaly", as: UInt8.self, maxCount: rows)
        XCTAssertEqual(Array(flags[Self.normalRows...]), Array(repeating: 1, count: Self.plantedRows))
        let ndjson = try objects(shell("ae-score ae.h5 rows.ndjson").stdout).compactMap { $0["score"] as? Double }
        let scores = try file.read("score", as: Float.self, maxCount: rows)
        XCTAssertEqual(scores, ndjson.map { Float($0) })
        XCTAssertEqual(try file.read("id", as: Int64.self, maxCount: rows), (0..<Int64(rows)).map { $0 })
        XCTAssertEqual(try file.read("label", as: Int64.self, maxCount: rows).filter { $0 == 1 }.count, Self.plantedRows)
        XCTAssertEqual(try file.stringAttribute("method"), "density")
        XCTAssertEqual(try file.stringAttribute("threshold_rule"), "quantile")
        XCTAssertEqual(try file.doubleAttribute("quantile"), 0.99)
        let threshold = try XCTUnwrap(try file.doubleAttribute("threshold"))
        XCTAssertEqual(flags, scores.map { Double($0) > threshold ? 1 : 0 })
    }

    func testModelFromTheEnvironmentOrTheStreamHeader() {
        let direct = shell("ae-score ae.h5 rows.ndjson").stdout
        XCTAssertEqual(shell("ae-score rows.ndjson", environment: ["AE_MODEL": "ae.h5"]).stdout, direct)
        let header = "{\"ae\":{\"model\":\"\(Self.directory.appendingPathComponent("ae.h5").path)\",\"space\":\"data\"}}"
        XCTAssertEqual(shell("(echo '\(header)'; cat rows.ndjson) | ae-score").stdout, direct)
    }

    func testFitWithoutEpochsCalibratesOnHeldOutRows() throws {
        XCTAssertEqual(shell("ae-fit arrays.ndjson -o auto.h5 --kind vae --quiet").status, 0)
        let model = try ModelFile.load(Self.directory.appendingPathComponent("auto.h5").path)
        // The second fit of the trim validates on the kept held-out rows;
        // the thresholds come from all 40.
        let trim = try XCTUnwrap(model.training?.trim)
        XCTAssertEqual(model.training!.validationRows + trim.validationRows, 40)
        XCTAssertGreaterThan(trim.validationRows, 0)
        XCTAssertEqual(model.calibration?.distributions[.elbo]?.validation?.rows, 40)
        XCTAssertEqual(model.calibration?.distributions[.iwae]?.training.rows, 360)
    }

    func testErrorsAreOneLineWithTheRightStatus() {
        let wrongMethod = shell("ae-score ae.h5 rows.ndjson --method elbo")
        XCTAssertEqual(wrongMethod.status, 1)
        XCTAssertEqual(wrongMethod.stderr, "ae-score: --method elbo needs a VAE; ae.h5 is an autoencoder\n")
        let twoThresholds = shell("ae-score ae.h5 rows.ndjson --quantile 0.9 --threshold 3")
        XCTAssertEqual(twoThresholds.status, 2)
        XCTAssertTrue(twoThresholds.stderr.contains("give at most one of --quantile, --contamination and --threshold"))
        let narrow = shell("echo '[1,2,3]' | ae-score ae.h5")
        XCTAssertEqual(narrow.status, 1)
        XCTAssertEqual(narrow.stderr.split(separator: "\n").count, 1, narrow.stderr)
        XCTAssertTrue(narrow.stderr.contains("the model expects 4"), narrow.stderr)
        let noLabel = shell("ae-score ae.h5 arrays.ndjson --label label")
        XCTAssertEqual(noLabel.status, 1)
        XCTAssertEqual(noLabel.stderr, "ae-score: arrays.ndjson:1: row has no label member \"label\"\n")
    }

    func testRowsInFrontOfABadRowAreDelivered() throws {
        let badVector = shell("(head -3 rows.ndjson; echo '{\"id\":3,\"x\":[1,2,\"a\",4]}'; head -2 rows.ndjson) | ae-score ae.h5")
        XCTAssertEqual(badVector.status, 1)
        XCTAssertEqual(badVector.stderr, "ae-score: <stdin>:4:18: expected a number\n")
        XCTAssertEqual(try objects(badVector.stdout).map { $0["id"] as? Int }, [0, 1, 2])

        let noLabel = shell("(head -3 rows.ndjson; echo '{\"id\":3,\"x\":[1,2,3,4]}'; head -2 rows.ndjson) | ae-score ae.h5 --label label")
        XCTAssertEqual(noLabel.status, 1)
        XCTAssertEqual(noLabel.stderr, "ae-score: <stdin>:4: row has no label member \"label\"\n")
        XCTAssertEqual(try objects(noLabel.stdout).map { $0["id"] as? Int }, [0, 1, 2])

        let toFile = shell("(head -3 rows.ndjson; echo '[1]') | ae-score ae.h5 -o partial.ndjson")
        XCTAssertEqual(toFile.status, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.directory.appendingPathComponent("partial.ndjson").path))
    }

    func testClosedStdoutEndsQuietly() {
        let result = shell(
            "set -o pipefail; for i in 1 2 3 4 5 6 7 8; do cat rows.ndjson; done | ae-score ae.h5 | head -1 > /dev/null; echo ${PIPESTATUS[1]}")
        XCTAssertTrue(["0\n", "141\n"].contains(result.stdout), "status \(result.stdout)")
        XCTAssertEqual(result.stderr, "")
    }
}
