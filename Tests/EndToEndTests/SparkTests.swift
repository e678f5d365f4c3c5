import Foundation
import XCTest

/// The README's Spark recipes, run by Spark in local mode: the filters
/// through `rdd.pipe` over four partitions, and over a DataFrame, give what
/// one process gives; a failing tool fails the job; `scripts/spark_ae.py`
/// under `spark-submit` finds the model shipped with `--files`.
///
/// Needs pyspark and Java. The Python comes from `$AE_SPARK_PYTHON` (`make
/// test` sets it to the virtual environment that `make spark-deps` makes),
/// and must then work; without it, from a `python3` on PATH that has
/// pyspark, else the tests skip.
final class SparkTests: XCTestCase {
    private static let rows = 400
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    private var directory: URL!
    private var spark: (python: String, home: String)!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory()
        spark = try Self.findSpark(in: directory)
        let rows = SyntheticData.planeObjects(rows: Self.rows).split(separator: "\n").enumerated().map { index, line in
            // Object rows with a label beside the id, which every route must keep.
            line.replacingOccurrences(of: "{\"id\":\(index),", with: "{\"id\":\(index),\"label\":\(index % 10 == 0 ? 1 : 0),")
        }
        try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("x.ndjson"), atomically: false, encoding: .utf8)
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --hidden 16 --latent 3 --epochs 2 --quiet")
    }

    /// The Python with pyspark and where pyspark is (its `bin/spark-submit`).
    private static func findSpark(in directory: URL) throws -> (python: String, home: String) {
        let configured = ProcessInfo.processInfo.environment["AE_SPARK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        let python = configured ?? "python3"
        let probe = try ToolRunner.shell(
            """
            '\(python)' -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' || exit
            [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] || command -v java > /dev/null || { echo 'no java: neither $JAVA_HOME/bin/java nor java on PATH' >&2; exit 1; }
            """, in: directory)
        guard probe.status == 0 else {
            let reason = probe.stderr.split(separator: "\n").last ?? ""
            if let configured { throw SparkSetupError(description: "AE_SPARK_PYTHON=\(configured) cannot run Spark: \(reason)") }
            throw XCTSkip("the Spark tests need pyspark and Java (`make spark-deps` installs both, and `make test` then uses them): \(reason)")
        }
        return (python, probe.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @discardableResult
    private func succeed(_ command: String, environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> ToolRunner.Result {
        try ToolRunner.succeed(command, in: directory, environment: environment, file: file, line: line)
    }

    func testRDDPipeAndDataFramesGiveWhatOneProcessGivesAndAFailingToolFailsTheJob() throws {
        let driver = Self.repository.appendingPathComponent("Tests/Spark/spark_pipe.py").path
        let recipe = Self.repository.appendingPathComponent("scripts/spark_ae.py").path
        let run = try succeed("'\(spark.python)' '\(driver)' '\(ToolRunner.directory.path)' \"$PWD/m.h5\" '\(recipe)'")
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("report.json"))) as? [String: Any])
        func lines(_ key: String) throws -> [String] { try XCTUnwrap(report[key] as? [String], key) }
        func outcome(_ key: String) throws -> [String: Any] { try XCTUnwrap(report[key] as? [String: Any], key) }
        func failure(_ key: String) throws -> String {
            let outcome = try outcome(key)
            if outcome["lines"] != nil { XCTFail("\(key): the job succeeded, and should have failed") }
            return try XCTUnwrap(outcome["message"] as? String, "\(key): \(outcome)")
        }

        let partitions = try XCTUnwrap(report["partitions"] as? [Int])
        XCTAssertEqual(partitions.count, 4, "partitions: \(partitions)")
        XCTAssertEqual(partitions.reduce(0, +), Self.rows)
        XCTAssertFalse(partitions.contains(0), "partitions: \(partitions)")

        let scored = try succeed("ae-score m.h5 --threads 1 x.ndjson").stdoutLines
        XCTAssertEqual(scored.count, Self.rows)
        try assertSameRows(try lines("score"), scored, "rdd.pipe ae-score")
        try assertSameRows(try lines("encode"), try succeed("ae-encode m.h5 --no-header --threads 1 x.ndjson").stdoutLines, "rdd.pipe ae-encode")
        try assertSameRows(
            try lines("decode"), try succeed("ae-encode m.h5 --no-header x.ndjson | ae-decode m.h5 --no-header --threads 1").stdoutLines,
            "rdd.pipe ae-encode, then ae-decode")

        // The DataFrame route: spark.read.json's rows, with its own types.
        let frame = try outcome("frame")
        XCTAssertEqual(frame["schema"] as? String, "struct<anomaly:boolean,id:bigint,label:bigint,score:double>")
        try assertSameRows(try XCTUnwrap(frame["rows"] as? [Any]), scored, "DataFrame")

        XCTAssertEqual(try lines("environment"), [], "rdd.pipe's commands run without an environment, as the README says")

        // A malformed row (row 250, the 51st of the third partition, rows
        // 200..299) fails the job under checkCode=True, with ae-score's
        // message on the executor's stderr; without checkCode, its partition
        // is silently cut short at that row.
        let malformed = try failure("malformed")
        XCTAssertTrue(malformed.contains("[PIPE_FUNCTION_EXITED]") && malformed.contains("exited with error code 1"), malformed)
        XCTAssertTrue(run.stderr.contains("ae-score: <stdin>:51:22: expected a number\n"), String(run.stderr.suffix(3000)))
        let unchecked = try XCTUnwrap(try outcome("malformed unchecked")["lines"] as? [String])
        XCTAssertEqual(try unchecked.map(Self.id), Array(0..<250) + Array(300..<Self.rows))

        XCTAssertTrue(try failure("missing model").contains("[PIPE_FUNCTION_EXITED]"))
        XCTAssertTrue(run.stderr.contains("ae-score: missing.h5: cannot open"), String(run.stderr.suffix(3000)))

        // scripts/spark_ae.py's helper: empty partitions start no tool, and
        // a failing tool fails the job.
        let sparse = try outcome("recipe sparse")
        try assertSameRows(try XCTUnwrap(sparse["lines"] as? [String], "\(sparse)"), Array(scored.prefix(50)), "spark_ae.ae over empty partitions")
        let recipeMalformed = try failure("recipe malformed")
        XCTAssertTrue(recipeMalformed.contains("ae-score") && recipeMalformed.contains("exited with status 1"), recipeMalformed)
    }

    func testSparkSubmitRecipeScoresWithTheModelShippedAsAFile() throws {
        // The job runs in a directory without m.h5: the tool can only get
        // the copy that --files shipped.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("job"), withIntermediateDirectories: false)
        let recipe = Self.repository.appendingPathComponent("scripts/spark_ae.py").path
        try succeed(
            """
            cd job && '\(spark.home)/bin/spark-submit' --master 'local[2]' --conf spark.ui.enabled=false \\
                --conf spark.local.dir="$PWD/spark-local" --files ../m.h5 \\
                '\(recipe)' ../x.ndjson scores ae-score m.h5 --threads 1
            """, environment: ["PYSPARK_PYTHON": spark.python])
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("job/m.h5").path))
        let parts = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("job/scores").path)
            .filter { $0.hasPrefix("part-") }.sorted()
        XCTAssertGreaterThan(parts.count, 1, "one part file a partition: \(parts)")
        let joined = try parts.map { try String(contentsOf: directory.appendingPathComponent("job/scores/\($0)"), encoding: .utf8) }.joined()
        try assertSameRows(
            joined.split(separator: "\n").map(String.init), try succeed("ae-score m.h5 --threads 1 x.ndjson").stdoutLines, "spark-submit")
    }

    private static func id(_ line: String) throws -> Int {
        try XCTUnwrap((JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? Int, line)
    }
}

/// AE_SPARK_PYTHON names a Python that cannot run Spark: a failure, not a
/// skip, so that CI cannot pass without running these tests.
private struct SparkSetupError: Error, CustomStringConvertible {
    var description: String
}
