import Foundation
import XCTest

/// The README's scaling out: the filters run on shards of the input in
/// parallel processes (as under xargs -P, GNU parallel, Spark's RDD.pipe or
/// Hadoop Streaming) give, in shard order, what one process gives.
final class ShardingTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory(planeRows: 1000)
    }

    @discardableResult
    private func succeed(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> ToolRunner.Result {
        let result = try ToolRunner.shell(command, in: directory)
        XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)", file: file, line: line)
        return result
    }

    func testEncodingFourShardsInTwoProcessesGivesTheSingleProcessBytes() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --hidden 16 --latent 3 --epochs 2 --quiet")
        try succeed("ae-encode m.h5 --no-header x.ndjson > single.ndjson")
        try succeed(
            """
            split -d -n l/4 x.ndjson shard.
            printf '%s\\n' shard.* | xargs -P 2 -I{} sh -c 'ae-encode m.h5 --no-header {} > {}.z'
            cat shard.*.z > sharded.ndjson
            """)
        let shards = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".z") }
        XCTAssertEqual(shards.sorted(), ["shard.00.z", "shard.01.z", "shard.02.z", "shard.03.z"])
        let single = try Data(contentsOf: directory.appendingPathComponent("single.ndjson"))
        XCTAssertEqual(single.filter { $0 == UInt8(ascii: "\n") }.count, 1000)
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("sharded.ndjson")), single)
    }

    func testScoringShardsGivesTheSingleProcessRowsWithScoresEqualUpToRounding() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --hidden 16 --latent 3 --epochs 2 --quiet")
        let single = try succeed("ae-score m.h5 --threads 1 x.ndjson")
        let sharded = try succeed(
            """
            split -d -n l/4 x.ndjson shard.
            printf '%s\\n' shard.* | xargs -P 2 -I{} sh -c 'ae-score m.h5 --threads 1 {} > {}.s'
            cat shard.*.s
            """)
        // ae-score promises a row's score up to its last bits, which the
        // batch a row arrives in may change.
        let expected = try single.stdoutLines.map(Self.scoreRow), got = try sharded.stdoutLines.map(Self.scoreRow)
        XCTAssertEqual(got.count, 1000)
        XCTAssertEqual(got.map(\.id), expected.map(\.id))
        XCTAssertEqual(got.map(\.anomaly), expected.map(\.anomaly))
        for (row, reference) in zip(got, expected) {
            XCTAssertEqual(row.score, reference.score, accuracy: 1e-5 * max(1, abs(reference.score)), "row \(row.id)")
        }
    }

    private static func scoreRow(_ line: String) throws -> (id: Int, score: Double, anomaly: Bool) {
        let row = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        return (try XCTUnwrap(row["id"] as? Int), try XCTUnwrap(row["score"] as? Double), try XCTUnwrap(row["anomaly"] as? Bool))
    }

    func testDecodingReadsMapOnlyHadoopOutputWhoseLinesEndInATab() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --latent 3 --epochs 2 --quiet")
        let plain = try succeed("ae-encode m.h5 --no-header x.ndjson | ae-decode m.h5 --no-header")
        let tabbed = try succeed("ae-encode m.h5 --no-header x.ndjson | sed 's/$/\\t/' | ae-decode m.h5 --no-header")
        XCTAssertEqual(tabbed.stdout, plain.stdout)
    }
}
