import Foundation
import XCTest

/// The README's scaling out: the filters run on shards of the input in
/// parallel processes (under xargs -P or GNU parallel here, Spark in
/// SparkTests) give, in shard order, what one process gives.
final class ShardingTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory(planeRows: 1000)
    }

    @discardableResult
    private func succeed(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> ToolRunner.Result {
        try ToolRunner.succeed(command, in: directory, file: file, line: line)
    }

    /// Shards cut at multiples of the batch size give each batch the rows
    /// it has in one process, so the outputs are the same bytes whatever
    /// the BLAS kernel.
    func testEncodingShardsCutAtBatchBoundariesInTwoProcessesGivesTheSingleProcessBytes() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --hidden 16 --latent 3 --epochs 2 --quiet")
        try succeed("ae-encode m.h5 --no-header --batch 256 x.ndjson > single.ndjson")
        try succeed(
            """
            split -d -l 256 x.ndjson shard.
            printf '%s\\n' shard.* | xargs -P 2 -I{} sh -c 'ae-encode m.h5 --no-header --batch 256 --threads 1 {} > {}.z'
            cat shard.*.z > sharded.ndjson
            """)
        let shards = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".z") }
        XCTAssertEqual(shards.sorted(), ["shard.00.z", "shard.01.z", "shard.02.z", "shard.03.z"])
        let single = try Data(contentsOf: directory.appendingPathComponent("single.ndjson"))
        XCTAssertEqual(single.filter { $0 == UInt8(ascii: "\n") }.count, 1000)
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("sharded.ndjson")), single)
    }

    func testGNUParallelOverShardFilesAndOverCutStreamGivesTheSingleProcessBytes() throws {
        guard try ToolRunner.shell("command -v parallel", in: directory).status == 0 else {
            throw XCTSkip("GNU parallel is not installed (Debian: apt install parallel)")
        }
        try succeed("ae-fit x.ndjson -o m.h5 --latent 3 --epochs 2 --quiet")
        let single = try succeed("ae-encode m.h5 --no-header --batch 256 x.ndjson").stdout
        let files = try succeed("split -d -l 256 x.ndjson shard. && parallel -k ae-encode m.h5 --no-header --batch 256 --threads 1 ::: shard.*")
        XCTAssertEqual(files.stdout, single)
        let stream = try succeed("parallel --pipe -k -N 256 ae-encode m.h5 --no-header --batch 256 --threads 1 < x.ndjson")
        XCTAssertEqual(stream.stdout, single)
    }

    /// Shards cut anywhere (here into four of 250 rows) give the same rows
    /// with numbers equal up to their last bits.
    func testScoringShardsGivesTheSingleProcessRowsWithScoresEqualUpToRounding() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --hidden 16 --latent 3 --epochs 2 --quiet")
        let single = try succeed("ae-score m.h5 --threads 1 x.ndjson")
        let sharded = try succeed(
            """
            split -d -n l/4 x.ndjson shard.
            printf '%s\\n' shard.* | xargs -P 2 -I{} sh -c 'ae-score m.h5 --threads 1 {} > {}.s'
            cat shard.*.s
            """)
        XCTAssertEqual(single.stdoutLines.count, 1000)
        try assertSameRows(sharded.stdoutLines, single.stdoutLines, "4 shards")
    }

    func testDecodingReadsMapOnlyHadoopOutputWhoseLinesEndInATab() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --latent 3 --epochs 2 --quiet")
        let plain = try succeed("ae-encode m.h5 --no-header x.ndjson | ae-decode m.h5 --no-header")
        let tabbed = try succeed("ae-encode m.h5 --no-header x.ndjson | sed 's/$/\\t/' | ae-decode m.h5 --no-header")
        XCTAssertEqual(tabbed.stdout, plain.stdout)
    }
}
