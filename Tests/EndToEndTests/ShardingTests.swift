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

    /// Shards cut anywhere (here into four of 250 rows, against batches of
    /// 1,024 in one process) give the same bytes: a row's code does not
    /// depend on the batch it arrives in, by a single bit.
    func testEncodingFourShardsInTwoProcessesGivesTheSingleProcessBytes() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --hidden 16 --latent 3 --epochs 2 --quiet")
        try succeed("ae-encode m.h5 --no-header x.ndjson > single.ndjson")
        try succeed(
            """
            split -d -n l/4 x.ndjson shard.
            printf '%s\\n' shard.* | xargs -P 2 -I{} sh -c 'ae-encode m.h5 --no-header --threads 1 {} > {}.z'
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
        let single = try succeed("ae-encode m.h5 --no-header x.ndjson").stdout
        let files = try succeed("split -d -n l/4 x.ndjson shard. && parallel -k ae-encode m.h5 --no-header --threads 1 ::: shard.*")
        XCTAssertEqual(files.stdout, single)
        let stream = try succeed("parallel --pipe -k -N 300 ae-encode m.h5 --no-header --threads 1 < x.ndjson")
        XCTAssertEqual(stream.stdout, single)
    }

    /// A row's score, like its code, does not depend on the batch it arrives
    /// in, by a single bit: a VAE's default score (16 latent draws) included.
    func testScoringShardsGivesTheSingleProcessBytes() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --hidden 16 --latent 3 --epochs 2 --quiet")
        let single = try succeed("ae-score m.h5 --threads 1 x.ndjson")
        let sharded = try succeed(
            """
            split -d -n l/4 x.ndjson shard.
            printf '%s\\n' shard.* | xargs -P 2 -I{} sh -c 'ae-score m.h5 --threads 1 {} > {}.s'
            cat shard.*.s
            """)
        XCTAssertEqual(single.stdoutLines.count, 1000)
        XCTAssertEqual(sharded.stdoutText, single.stdoutText)
    }

    func testDecodingReadsMapOnlyHadoopOutputWhoseLinesEndInATab() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --latent 3 --epochs 2 --quiet")
        let plain = try succeed("ae-encode m.h5 --no-header x.ndjson | ae-decode m.h5 --no-header")
        let tabbed = try succeed("ae-encode m.h5 --no-header x.ndjson | sed 's/$/\\t/' | ae-decode m.h5 --no-header")
        XCTAssertEqual(tabbed.stdout, plain.stdout)
    }
}
