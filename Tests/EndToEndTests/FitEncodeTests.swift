import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// ae-fit and ae-encode as users run them: built binaries, real pipes.
final class FitEncodeTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory(planeRows: 300)
    }

    private func run(_ command: String, environment: [String: String] = [:]) throws -> ToolRunner.Result {
        try ToolRunner.shell(command, in: directory, environment: environment)
    }

    func testFitThenEncodeThroughAPipeKeepsIdsAndWritesTheHeader() throws {
        let fit = try run("ae-fit x.ndjson -o m.h5 --kind vae --hidden 16 --latent 2 --epochs 5 --quiet --log log.ndjson")
        XCTAssertEqual(fit.status, 0, fit.stderr)
        XCTAssertEqual(fit.stderr, "")
        let log = try String(contentsOf: directory.appendingPathComponent("log.ndjson"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 5)
        XCTAssertTrue(log.hasPrefix("{\"epoch\":1,\"train_loss\":"), log)

        let encode = try run("cat x.ndjson | ae-encode m.h5")
        XCTAssertEqual(encode.status, 0, encode.stderr)
        let lines = encode.stdoutLines
        XCTAssertEqual(lines.count, 301)
        let header = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: [String: Any]]
        XCTAssertEqual(header["ae"]?["space"] as? String, "latent")
        XCTAssertEqual(header["ae"]?["model"] as? String, directory.appendingPathComponent("m.h5").path)
        let row = try JSONSerialization.jsonObject(with: Data(lines[8].utf8)) as! [String: Any]
        XCTAssertEqual(row["id"] as? Int, 7)
        XCTAssertEqual((row["z"] as? [Double])?.count, 2)
        XCTAssertNil(row["x"])
    }

    func testSameSeedAndThreadsGiveABitIdenticalModel() throws {
        for name in ["a", "b"] {
            let fit = try run("ae-fit x.ndjson -o \(name).h5 --kind vae --hidden 16 --latent 2 --epochs 3 --seed 9 --threads 2 --quiet --val 0.2 --noise 0.1")
            XCTAssertEqual(fit.status, 0, fit.stderr)
        }
        let encodeA = try run("ae-encode a.h5 x.ndjson --no-header")
        let encodeB = try run("ae-encode b.h5 x.ndjson --no-header")
        XCTAssertEqual(encodeA.stdout, encodeB.stdout)
        let other = try run("ae-fit x.ndjson -o c.h5 --kind vae --hidden 16 --latent 2 --epochs 3 --seed 10 --threads 2 --quiet --val 0.2 --noise 0.1 && ae-encode c.h5 x.ndjson --no-header")
        XCTAssertNotEqual(other.stdout, encodeA.stdout)
    }

    func testArraysInArraysOutAndHDF5RoundTrip() throws {
        XCTAssertEqual(try run("ae-fit x.ndjson -o m.h5 --latent 3 --epochs 2 --quiet").status, 0)
        let arrays = try run("ae-encode m.h5 x.ndjson --no-header -o z.h5 && ae-encode m.h5 x.ndjson --no-header | head -2")
        XCTAssertEqual(arrays.status, 0, arrays.stderr)
        XCTAssertTrue(arrays.stdoutLines[0].hasPrefix("{\"id\":0,\"z\":["), arrays.stdoutText)
        let fromHDF5 = try run("ae-encode m.h5 z.h5 --dataset z 2>&1; sed 's/.*\"x\":\\(.*\\)}/\\1/' x.ndjson > arrays.ndjson; ae-encode m.h5 arrays.ndjson --no-header -o z2.h5 && ae-encode m.h5 --no-header < arrays.ndjson | head -1")
        XCTAssertTrue(fromHDF5.stdoutLines.last!.hasPrefix("["), fromHDF5.stdoutText)
    }

    func testHeadClosingThePipeEndsQuietly() throws {
        XCTAssertEqual(try run("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 1 --quiet").status, 0)
        let big = (0..<60).map { _ in try! String(contentsOf: directory.appendingPathComponent("x.ndjson"), encoding: .utf8) }.joined()
        try big.write(to: directory.appendingPathComponent("big.ndjson"), atomically: false, encoding: .utf8)
        let result = try run("ae-encode m.h5 < big.ndjson | head -1; echo \"status ${PIPESTATUS[0]}\"")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdoutLines.count, 2)
        XCTAssertTrue(["status 0", "status 141"].contains(result.stdoutLines[1]), result.stdoutText)
    }

    func testBadRowsNameLineAndColumnAfterWritingEarlierRows() throws {
        XCTAssertEqual(try run("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 1 --quiet").status, 0)
        let input = "[1,2,3,4,5,6,7,8]\n[1,2,3,4,5,6,7,8]\n[1,2,x,4,5,6,7,8]\n[1,2,3,4,5,6,7,8]\n"
        try input.write(to: directory.appendingPathComponent("bad.ndjson"), atomically: false, encoding: .utf8)
        let result = try run("ae-encode m.h5 bad.ndjson --no-header --batch 1")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "ae-encode: bad.ndjson:3:6: expected a number\n")
        XCTAssertEqual(result.stdoutLines.count, 2)

        let short = try run("echo '[1,2,3]' | ae-encode m.h5")
        XCTAssertEqual(short.status, 1)
        XCTAssertEqual(short.stderr, "ae-encode: <stdin>:1:1: row has 3 values; the model expects 8\n")
    }

    func testMissingModelAndUsageErrorsHaveTheirExitCodes() throws {
        let none = try run("ae-encode < x.ndjson")
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stderr, "ae-encode: no model: name one as the first argument, in the stream's header record, or in $AE_MODEL\n")
        XCTAssertEqual(try run("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 1 --quiet").status, 0)
        let fromEnvironment = try run("ae-encode x.ndjson --no-header | head -1", environment: ["AE_MODEL": "m.h5"])
        XCTAssertTrue(fromEnvironment.stdoutText.hasPrefix("{\"id\":0,\"z\":["), fromEnvironment.stderr)
        let usage = try run("ae-fit x.ndjson --epochs 0 -o m.h5")
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("--epochs must be at least 1"), usage.stderr)
        let empty = try run("ae-fit /dev/null -o e.h5")
        XCTAssertEqual(empty.status, 1)
        XCTAssertEqual(empty.stderr, "ae-fit: /dev/null: empty input: no rows\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("e.h5").path))
    }

    /// A pipe or device named with -o is written in place, never replaced by
    /// a renamed file (which would turn /dev/null into a regular file).
    func testPipesAndDevicesNamedWithOutputAreWrittenInPlace() throws {
        XCTAssertEqual(try run("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 1 --quiet").status, 0)
        for format in ["ndjson", "h5"] {
            let result = try run("""
                rm -f fifo && mkfifo fifo && (cat fifo > received &) && \
                ae-encode m.h5 x.ndjson --format \(format) -o fifo && sleep 0.2 && \
                test -p fifo && wc -c < received && ae-encode m.h5 x.ndjson --format \(format) -o /dev/stdout | wc -c
                """)
            XCTAssertEqual(result.status, 0, result.stderr)
            let sizes = result.stdoutLines.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            XCTAssertEqual(sizes.count, 2, result.stdoutText)
            XCTAssertGreaterThan(sizes.first ?? 0, 1000, format)
            XCTAssertEqual(sizes.first, sizes.last, format)
        }
        let model = try run("ae-fit x.ndjson -o fifo --latent 2 --epochs 1 --quiet & sleep 0.1; cat fifo | head -c 8 | od -c | head -1; wait; test -p fifo && echo still-a-fifo")
        XCTAssertTrue(model.stdoutText.contains("H   D   F"), model.stdoutText)
        XCTAssertTrue(model.stdoutText.contains("still-a-fifo"), model.stdoutText + model.stderr)
    }

    /// An HDF5 file streamed in blocks trains a model as good as one read
    /// whole (here, forced with a small shuffle buffer).
    func testStreamingFromHDF5TrainsLikeReadingWhole() throws {
        var generator = SeededGenerator(seed: 12)
        var values: [Float] = []
        for i in 0..<4800 {
            let side: Double = i / 8 % 2 == 0 ? 1 : -1
            values.append(Float(sin(Double(i % 8) * 0.9) + generator.gaussian() * 0.1 + side))
        }
        let rows = Matrix(rows: 600, cols: 8, storage: values)
        let file = try HDF5File.create(directory.appendingPathComponent("x.h5").path)
        try file.write(rows, to: "x")
        try file.close()
        let whole = try run("ae-fit x.h5 -o whole.h5 --kind vae --latent 2 --epochs 20 --quiet --log whole.log")
        let streamed = try run("ae-fit x.h5 -o streamed.h5 --kind vae --latent 2 --epochs 20 --buffer-rows 64 --quiet --log streamed.log")
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertEqual(streamed.status, 0, streamed.stderr)
        func finalLoss(_ name: String) throws -> Double {
            let lines = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
            let record = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
            return record["train_loss"] as! Double
        }
        let (a, b) = (try finalLoss("whole.log"), try finalLoss("streamed.log"))
        XCTAssertEqual(b, a, accuracy: 0.25 * a, "streamed \(b) vs whole \(a)")
    }
}
