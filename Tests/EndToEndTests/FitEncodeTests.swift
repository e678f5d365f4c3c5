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

    /// The numbers of a bare JSON array of numbers, such as `[0.5,-1]`, each
    /// read straight to the nearest Float (as ae writes them: the shortest
    /// text that reads back to the same Float).
    private func floats(_ array: Substring) -> [Float] {
        array.dropFirst().dropLast().split(separator: ",").map { Float(String($0))! }
    }

    /// One ae-encode run per route, the same codes from each: objects in
    /// and out, arrays in and out, HDF5 out, and HDF5 in (a file holding
    /// x.ndjson's vectors), bit for bit.
    func testArraysInArraysOutAndHDF5RoundTrip() throws {
        XCTAssertEqual(try run("ae-fit x.ndjson -o m.h5 --latent 3 --epochs 2 --quiet").status, 0)
        let objectLines = try String(contentsOf: directory.appendingPathComponent("x.ndjson"), encoding: .utf8)
            .split(separator: "\n")
        let vectors = objectLines.map { line in floats(line[line.range(of: "\"x\":")!.upperBound...].dropLast()) }
        let file = try HDF5File.create(directory.appendingPathComponent("x.h5").path)
        try file.write(Matrix(vectors), to: "x")
        try file.close()

        let encode = try run("""
            ae-encode m.h5 x.ndjson --no-header > z.ndjson && ae-encode m.h5 x.ndjson -o z.h5 && \
            sed 's/.*"x":\\(.*\\)}/\\1/' x.ndjson > arrays.ndjson && \
            ae-encode m.h5 arrays.ndjson --no-header > z-arrays.ndjson && ae-encode m.h5 --no-header < arrays.ndjson -o z2.h5 && \
            ae-encode m.h5 x.h5 --no-header
            """)
        XCTAssertEqual(encode.status, 0, encode.stderr)
        func lines(_ name: String) throws -> [Substring] {
            try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
        }

        // Objects in, objects out: the ids pass through, the codes are `z`.
        let objects = try lines("z.ndjson")
        XCTAssertEqual(objects.count, 300)
        for (index, line) in objects.enumerated() {
            XCTAssertTrue(line.hasPrefix("{\"id\":\(index),\"z\":["), String(line))
        }
        let codes = objects.map { line in floats(line[line.range(of: "\"z\":")!.upperBound...].dropLast()) }
        XCTAssertTrue(codes.allSatisfy { $0.count == 3 })
        XCTAssertGreaterThan(Set(codes.joined()).count, 300, "the codes differ from row to row")

        // Arrays in, arrays out, the same codes to the bit (and the same text).
        let arrays = try lines("z-arrays.ndjson")
        XCTAssertEqual(arrays.map(floats).map { $0.map(\.bitPattern) }, codes.map { $0.map(\.bitPattern) })
        XCTAssertEqual(arrays, objects.map { $0[$0.range(of: "\"z\":")!.upperBound...].dropLast() })

        // HDF5 out from objects (ids beside the codes) and from arrays.
        let expected = codes.joined().map(\.bitPattern)
        for name in ["z.h5", "z2.h5"] {
            let written = try HDF5File.open(directory.appendingPathComponent(name).path)
            XCTAssertEqual(try written.shape(of: "z"), [300, 3], name)
            XCTAssertEqual(try written.readMatrix("z", maxCount: 900).storage.map(\.bitPattern), expected, name)
            if name == "z.h5" { XCTAssertEqual(try written.read("id", as: Int64.self, maxCount: 300), (0..<300).map(Int64.init)) }
            try written.close()
        }

        // HDF5 in: arrays out, the same codes.
        XCTAssertEqual(encode.stdoutLines, arrays.map(String.init))
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
