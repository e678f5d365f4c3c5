import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// ae-decode and ae-interp run as built, through real pipes, on tiny models
/// trained here on made-up 4x4 images (a second of training in all).
final class GenerationTests: XCTestCase {
    /// Models shared by the tests, trained once: `vae.h5` (bce, 4x4 grey,
    /// latent 3), `rgb.h5` (bce, 2x2x3), `plain.h5` (an mse autoencoder
    /// without a shape), with their data `grey.ndjson`.
    nonisolated(unsafe) private static var models: URL?

    private var directory: URL!

    override class func setUp() {
        super.setUp()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ae-e2e-models-\(UUID().uuidString)")
        let grey = (0..<64).map { i in
            let x = (0..<16).map { j in (j + i) % 5 == 0 ? "0.9" : "0.1" }.joined(separator: ",")
            return "{\"id\":\(i),\"label\":\(i % 3),\"x\":[\(x)]}\n"
        }.joined()
        let colour = (0..<64).map { i in "[" + (0..<12).map { j in "\(Double((i * 7 + j * 3) % 10) / 10)" }.joined(separator: ",") + "]\n" }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try grey.write(to: directory.appendingPathComponent("grey.ndjson"), atomically: false, encoding: .utf8)
            try colour.joined().write(to: directory.appendingPathComponent("rgb.ndjson"), atomically: false, encoding: .utf8)
            let fit = try ToolRunner.shell("""
                ae-fit grey.ndjson -o vae.h5 --kind vae --hidden 12 --latent 3 --loss bce --epochs 3 --image 4x4 --quiet &&
                ae-fit rgb.ndjson -o rgb.h5 --kind vae --hidden 8 --latent 2 --loss bce --epochs 2 --image 2x2x3 --quiet &&
                ae-fit grey.ndjson -o plain.h5 --kind ae --hidden 8 --latent 2 --epochs 2 --quiet
                """, in: directory)
            if fit.status == 0 { models = directory }
        } catch {
            models = nil
        }
    }

    override class func tearDown() {
        if let models { try? FileManager.default.removeItem(at: models) }
        super.tearDown()
    }

    override func setUpWithError() throws {
        guard let models = Self.models else { throw XCTSkip("ae-fit could not train the test models") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ae-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["vae.h5", "rgb.h5", "plain.h5", "grey.ndjson"] {
            try FileManager.default.copyItem(at: models.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let grey = try String(contentsOf: models.appendingPathComponent("grey.ndjson"), encoding: .utf8)
        try write("pair.ndjson", grey.split(separator: "\n").prefix(4).map { $0 + "\n" }.joined())
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }

    private func png(_ name: String) throws -> PixelImage { try PixelImage(pngFile: path(name)) }

    /// Runs `command` and fails the test unless it succeeds quietly.
    @discardableResult
    private func succeed(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> ToolRunner.Result {
        let result = try ToolRunner.shell(command, in: directory)
        XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stderr, "", command, file: file, line: line)
        return result
    }

    /// Runs `command` and checks that it fails with status 1 and one line on
    /// stderr, `message`.
    private func fail(_ command: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try ToolRunner.shell(command, in: directory)
        XCTAssertEqual(result.status, 1, command, file: file, line: line)
        XCTAssertEqual(result.stderr, message + "\n", command, file: file, line: line)
    }

    private func run(_ command: String) throws -> ToolRunner.Result {
        try ToolRunner.shell(command, in: directory)
    }

    /// The rows of NDJSON output after its header record, parsed.
    private func rows(_ result: ToolRunner.Result) throws -> [Any] {
        try result.stdoutLines.dropFirst().map { try JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) }
    }

    private func vectors(_ result: ToolRunner.Result, field: String = "x") throws -> [[Double]] {
        try rows(result).map { row in
            (row as? [Double]) ?? ((row as? [String: Any])?[field] as? [Double]) ?? []
        }
    }

    // MARK: The design card's pipeline

    func testTheCardsPipelineExactlyAsWritten() throws {
        try succeed("ae-encode vae.h5 < pair.ndjson | ae-interp | ae-decode -o grid.png")
        let image = try png("grid.png")
        // 4 rows make 2 paths of 10 steps; one path per grid row from the header's hint:
        // width = 10 * 4 + 11 * 2, height = 2 * 4 + 3 * 2.
        XCTAssertEqual([image.width, image.height, image.channels], [62, 14, 1])
        // Each cell holds the decoded row, mapped from the sigmoid's [0, 1].
        let decoded = try vectors(succeed("ae-encode vae.h5 < pair.ndjson | ae-interp | ae-decode"))
        XCTAssertEqual(decoded.count, 20)
        for (index, row) in decoded.enumerated() {
            let (x0, y0) = (2 + index % 10 * 6, 2 + index / 10 * 6)
            for pixel in 0..<16 {
                XCTAssertEqual(image[x0 + pixel % 4, y0 + pixel / 4], IntensityRange.unit.byte(Float(row[pixel])), "image \(index)")
            }
        }
    }

    func testPathEndpointsDecodeExactlyLikeTheCodesThemselves() throws {
        try succeed("ae-encode vae.h5 < grey.ndjson > z.ndjson")
        let direct = try vectors(succeed("ae-decode < z.ndjson"))
        XCTAssertEqual(direct.count, 64)
        for (options, steps, joined) in [("", 10, stride(from: 0, to: 64, by: 2).map { ($0, $0 + 1) }),
                                         ("--method slerp --steps 7", 7, stride(from: 0, to: 64, by: 2).map { ($0, $0 + 1) }),
                                         ("--chain --steps 3", 3, (0..<63).map { ($0, $0 + 1) })] {
            let decoded = try vectors(succeed("ae-interp \(options) < z.ndjson | ae-decode"))
            XCTAssertEqual(decoded.count, joined.count * steps, options)
            for (path, (from, to)) in joined.enumerated() {
                XCTAssertEqual(decoded[path * steps], direct[from], "\(options): path \(path) start")
                XCTAssertEqual(decoded[path * steps + steps - 1], direct[to], "\(options): path \(path) end")
            }
        }
    }

    // MARK: ae-interp's rows

    func testPathRowsSayWhereTheyAreAndKeepTheEndpointMembers() throws {
        let result = try succeed("ae-encode vae.h5 < pair.ndjson | ae-interp --steps 3")
        let header = try JSONValue.parse(result.stdoutLines[0])["ae"]
        XCTAssertEqual(header?["cols"], .number(3))
        XCTAssertEqual(header?["space"], .string("latent"))
        XCTAssertEqual(header?["model"], .string(path("vae.h5")))
        let first = try rows(result)[4] as? [String: Any]
        XCTAssertEqual(first?["path"] as? Int, 1)
        XCTAssertEqual(first?["step"] as? Int, 1)
        XCTAssertEqual(first?["t"] as? Double, 0.5)
        XCTAssertEqual(first?["from"] as? [String: Int], ["id": 2, "label": 2])
        XCTAssertEqual(first?["to"] as? [String: Int], ["id": 3, "label": 0])
        XCTAssertEqual((first?["z"] as? [Double])?.count, 3)
        try write("codes.ndjson", "[0.1,0.2,0.3]\n[-1,0,1]\n")
        let arrays = try succeed("ae-interp --steps 3 --no-header < codes.ndjson")
        XCTAssertEqual(arrays.stdoutLines.count, 3)
        XCTAssertTrue(arrays.stdoutLines.allSatisfy { $0.hasPrefix("[") })
    }

    func testTraversalAndGridRowsComeInTheDocumentedNumberAndOrder() throws {
        let traversal = try succeed("ae-encode vae.h5 < pair.ndjson | head -3 | ae-interp --traverse --steps 4 --range=-1:2")
        let rows = try rows(traversal).map { $0 as! [String: Any] }
        XCTAssertEqual(rows.count, 2 * 3 * 4)
        for (index, row) in rows.enumerated() {
            XCTAssertEqual(row["id"] as? Int, index / 12)
            XCTAssertEqual(row["dim"] as? Int, index / 4 % 3)
            XCTAssertEqual(row["value"] as? Double, [-1, 0, 1, 2][index % 4])
            XCTAssertEqual((row["z"] as? [Double])?[index / 4 % 3], [-1, 0, 1, 2][index % 4])
        }
        let grid = try succeed("ae-interp vae.h5 --grid --steps 3 --dims 2,0")
        let q = 0.96742157  // Φ⁻¹(5/6)
        let expected: [[Double]] = (0..<9).map { k in
            [[q, 0, -q][k / 3], 0, [-q, 0, q][k % 3]]
        }
        XCTAssertEqual(try vectors(grid).count, 9)
        for (row, want) in zip(try vectors(grid), expected) {
            for (value, wanted) in zip(row, want) { XCTAssertEqual(value, wanted, accuracy: 1e-6) }
        }
        XCTAssertEqual(try JSONValue.parse(grid.stdoutLines[0])["ae"]?["cols"], .number(3))
    }

    func testGridAndTraversalDrawOneSweepPerGridRow() throws {
        try succeed("ae-interp vae.h5 --grid --steps 5 | ae-decode -o grid.png")
        XCTAssertEqual([try png("grid.png").width, try png("grid.png").height], [5 * 4 + 6 * 2, 5 * 4 + 6 * 2])
        try succeed("ae-encode vae.h5 < pair.ndjson | head -3 | ae-interp --traverse --steps 6 | ae-decode -o sweep.png")
        // Two codes x three dimensions = six sweeps of six images.
        XCTAssertEqual([try png("sweep.png").width, try png("sweep.png").height], [6 * 4 + 7 * 2, 6 * 4 + 7 * 2])
    }

    // MARK: Prior samples

    func testBothToolsDrawTheSamePriorSamples() throws {
        let decoded = try succeed("ae-decode vae.h5 --sample 5 --seed 3 --temperature 0.8")
        let viaInterp = try succeed("ae-interp vae.h5 --sample 5 --seed 3 --temperature 0.8 | ae-decode")
        XCTAssertEqual(decoded.stdoutText, viaInterp.stdoutText)
        XCTAssertEqual(decoded.stdoutLines.count, 6)
        XCTAssertNotEqual(decoded.stdoutText, try succeed("ae-decode vae.h5 --sample 5 --seed 4").stdoutText)
        XCTAssertEqual(try succeed("AE_MODEL=vae.h5 ae-decode --sample 5 --seed 3 --temperature 0.8").stdoutText, decoded.stdoutText)
    }

    func testSixtyFourSamplesMakeAnEightByEightGrid() throws {
        try succeed("ae-decode vae.h5 --sample 64 -o samples.png")
        let image = try png("samples.png")
        XCTAssertEqual([image.width, image.height, image.channels], [8 * 4 + 9 * 2, 8 * 4 + 9 * 2, 1])
    }

    func testSamplingAPlainAutoencoderWarns() throws {
        let result = try run("ae-decode plain.h5 --sample 2 --no-header")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutLines.count, 2)
        XCTAssertEqual(result.stderr, "ae-decode: warning: plain.h5 is a plain autoencoder, whose codes follow no N(0, I) prior\n")
    }

    // MARK: ae-decode's outputs

    func testRGBGridWithColumnsPaddingAndScale() throws {
        try succeed("ae-decode rgb.h5 --sample 5 -o c.png --cols 3 --pad 1 --scale 2")
        let image = try png("c.png")
        XCTAssertEqual([image.width, image.height, image.channels], [3 * 2 * 2 + 4 * 1, 2 * 2 * 2 + 3 * 1, 3])
    }

    func testSquareGuessAndShapeForAModelWithoutOne() throws {
        try succeed("ae-encode plain.h5 < pair.ndjson | ae-decode -o square.png")
        XCTAssertEqual([try png("square.png").width, try png("square.png").height], [2 * 4 + 3 * 2, 2 * 4 + 3 * 2])
        try succeed("ae-encode plain.h5 < pair.ndjson | ae-decode -o wide.png --shape 2x8 --cols 4 --pad 0")
        XCTAssertEqual([try png("wide.png").width, try png("wide.png").height], [32, 2])
    }

    func testNoDecodeDrawsDataRowsBesideTheirReconstructions() throws {
        try succeed("ae-encode vae.h5 < pair.ndjson | ae-decode --no-header > again.ndjson")
        try succeed("cat pair.ndjson again.ndjson | ae-decode vae.h5 --no-decode --cols 4 -o both.png")
        let image = try png("both.png")
        XCTAssertEqual([image.width, image.height], [4 * 4 + 5 * 2, 2 * 4 + 3 * 2])
        // The first input's pixels, drawn from the model's [0, 1] range.
        XCTAssertEqual((0..<4).map { image[2 + $0, 2] }, [229, 26, 26, 26])
        // Without a model the rows' own span maps to black and white, the shape a square guess.
        try succeed("ae-decode --no-decode -o raw.png < pair.ndjson")
        let raw = try png("raw.png")
        XCTAssertEqual((0..<4).map { raw[2 + $0, 2] }, [255, 0, 0, 0])
        let usage = try run("ae-decode vae.h5 --no-decode < pair.ndjson")
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.hasPrefix("ae-decode: --no-decode draws input rows: it needs -o FILE.png and no --sample\n"))
    }

    func testObjectsKeepTheirMembersArraysStayArrays() throws {
        let objects = try succeed("ae-encode vae.h5 < pair.ndjson | ae-decode")
        XCTAssertEqual(try JSONValue.parse(objects.stdoutLines[0]),
                       .object([("ae", .object([("model", .string(path("vae.h5"))), ("space", .string("data")), ("width", .number(16))]))]))
        let first = try rows(objects)[0] as? [String: Any]
        XCTAssertEqual(Set(first?.keys.map { $0 } ?? []), ["id", "label", "x"])
        XCTAssertEqual((first?["x"] as? [Double])?.count, 16)
        try write("codes.ndjson", "[0.1,0.2,0.3]\n[-1,0,1]\n")
        let arrays = try succeed("ae-decode vae.h5 --no-header < codes.ndjson")
        XCTAssertEqual(arrays.stdoutLines.count, 2)
        XCTAssertTrue(arrays.stdoutLines.allSatisfy { $0.hasPrefix("[") })
    }

    func testHDF5CarriesTheHeaderThroughThePipeline() throws {
        try succeed("ae-encode vae.h5 < pair.ndjson | ae-interp -o z.h5 && ae-decode z.h5 -o grid.png")
        XCTAssertEqual([try png("grid.png").width, try png("grid.png").height], [62, 14])
        try succeed("ae-decode z.h5 -o x.h5")
        let decoded = try HDF5Dataset("x", in: HDF5File.open(path("x.h5")))
        XCTAssertEqual([decoded.rows, decoded.cols], [20, 16])
    }

    // MARK: Errors: one line each, non-zero status

    func testALatentRowOfTheWrongLength() throws {
        try fail("echo '[0.5, 1]' | ae-decode vae.h5", "ae-decode: <stdin>:1:1: row has 2 values; the model expects 3")
        try write("z.ndjson", "[1,2,3]\n[1,2,3,4]\n")
        try fail("ae-decode vae.h5 z.ndjson -o g.png", "ae-decode: z.ndjson:2:1: row has 4 values; the model expects 3")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("g.png")))
        try fail("echo '[1, 2]' | ae-interp vae.h5", "ae-interp: <stdin>:1:1: row has 2 values; the model expects 3")
    }

    func testAHeaderNamingAMissingModel() throws {
        try write("z.ndjson", "{\"ae\":{\"model\":\"/nonexistent/m.h5\",\"space\":\"latent\"}}\n[1,2,3]\n")
        let result = try run("ae-decode < z.ndjson")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("ae-decode: /nonexistent/m.h5: "), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix(" (model named by the stream's header record)\n"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1)
        XCTAssertEqual(result.stdout.count, 0)
    }

    func testNoModelAnywhere() throws {
        try fail("echo '[1, 2, 3]' | ae-decode",
                       "ae-decode: no model: name one as the first argument, in the stream's header record, or in $AE_MODEL")
        try fail("ae-decode --sample 3",
                       "ae-decode: no model: name one as the first argument, in the stream's header record, or in $AE_MODEL")
        try fail("ae-interp --sample 3",
                       "ae-interp: no latent size: give --dim D, a model as the first argument, an input whose header record names one, or $AE_MODEL")
    }

    func testAnUnwritableOutput() throws {
        try fail("ae-decode vae.h5 --sample 4 -o /nonexistent/grid.png",
                       "ae-decode: cannot write /nonexistent/grid.png: No such file or directory")
        try fail("ae-decode vae.h5 --sample 4 -o /nonexistent/x.ndjson",
                       "ae-decode: cannot write /nonexistent/x.ndjson: No such file or directory")
        try fail("ae-interp vae.h5 --sample 4 -o /nonexistent/z.ndjson",
                       "ae-interp: cannot write /nonexistent/z.ndjson: No such file or directory")
    }

    func testOtherBadInputs() throws {
        try fail("ae-encode vae.h5 < grey.ndjson | head -4 | ae-interp",
                       "ae-interp: <stdin>: paths join rows in pairs (the first to the second, the third to the fourth, ...), but the input has 3 rows; "
                           + "the last one (line 4) has no partner (use --chain for a path through all rows)")
        try fail("ae-decode vae.h5 --sample 2 | ae-interp",
                       "ae-interp: <stdin>: the stream's header record says its rows are in \"data\" space; this tool reads latent rows")
        try fail("ae-interp vae.h5 --grid --dims 0,3", "ae-interp: latent dimension 3 does not exist: codes have 3, numbered 0 to 2")
        try fail("ae-decode vae.h5 --sample 70000 -o big.png",
                       "ae-decode: too many rows for a PNG grid, which holds at most 65536 images and 268435456 values (1 GiB); "
                           + "take fewer rows (e.g. with head) or write NDJSON or HDF5")
        try fail("ae-decode vae.h5 -o empty.png < /dev/null", "ae-decode: <stdin>: empty input: no rows to draw")
        let usage = try run("ae-decode vae.h5 --sample 2 --cols 3")
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.hasPrefix("ae-decode: --cols applies only to PNG output (-o FILE.png)\n"), usage.stderr)
    }
}
