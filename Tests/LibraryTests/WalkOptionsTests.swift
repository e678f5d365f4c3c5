import AECLI
import AECore
import AEIO
import XCTest

/// ae-interp's options and the header it passes on.
final class WalkOptionsTests: XCTestCase {
    private func walk(_ arguments: [String]) throws -> LatentWalk {
        try WalkOptions.parse(arguments).walk
    }

    private func assertUsageError(_ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try WalkOptions.parse(arguments), file: file, line: line) { error in
            XCTAssertEqual(WalkOptions.message(for: error), message, file: file, line: line)
        }
    }

    func testDefaultIsLerpPathsBetweenPairsInTenSteps() throws {
        guard case .paths(.pairs, .lerp, steps: 10) = try walk([]) else { return XCTFail("\(try walk([]))") }
        XCTAssertEqual(try walk([]).gridColumns, 10)
        XCTAssertTrue(try walk([]).readsInput)
    }

    func testEachModeAndItsSettings() throws {
        guard case .paths(.chain, .slerp, steps: 4) = try walk(["--chain", "--method", "slerp", "--steps", "4"]) else {
            return XCTFail("chain")
        }
        guard case .traversal(dimensions: [3, 1], low: -2, high: 2.5, steps: 6) = try walk(
            ["--traverse", "--range", "-2:2.5", "--dims", "3,1", "--steps", "6"]) else { return XCTFail("traversal") }
        guard case .traversal(dimensions: nil, low: -3, high: 3, steps: 10) = try walk(["--traverse"]) else {
            return XCTFail("traversal defaults")
        }
        guard case .grid(horizontal: 2, vertical: 5, steps: 20) = try walk(["--grid", "--dims", "2,5", "--steps", "20"]) else {
            return XCTFail("grid")
        }
        guard case .prior(count: 64, temperature: 0.5, seed: 7) = try walk(["--sample", "64", "--seed", "7", "--temperature", "0.5"]) else {
            return XCTFail("prior")
        }
        XCTAssertNil(try walk(["--sample", "3"]).gridColumns)
        XCTAssertFalse(try walk(["--grid"]).readsInput)
        XCTAssertEqual(try walk(["--traverse"]).writtenMembers, ["dim", "value"])
        XCTAssertEqual(try walk([]).writtenMembers, [])
    }

    func testConflictingAndMisplacedOptionsAreUsageErrors() {
        assertUsageError(["--chain", "--grid"], "--chain and --grid exclude each other")
        assertUsageError(["--traverse", "--sample", "3"], "--traverse and --sample exclude each other")
        assertUsageError(["--steps", "1"], "--steps must be between 2 and 100000")
        assertUsageError(["--grid", "--dims", "1"], "--grid needs two dimensions in --dims, e.g. --dims 0,1")
        assertUsageError(["--range", "-1:1"], "--range does not apply to paths between pairs")
        assertUsageError(["--grid", "--method", "slerp"], "--method does not apply to --grid")
        assertUsageError(["--chain", "--dim", "3"], "--dim does not apply to --chain")
        assertUsageError(["--seed", "3"], "--seed applies only to --sample")
        assertUsageError(["--sample", "0"], "--sample must be at least 1")
        assertUsageError(["--sample", "2", "--temperature=-1"], "--temperature must be finite and not negative")
        XCTAssertThrowsError(try WalkOptions.parse(["--dims", "0,-1", "--traverse"]))
        XCTAssertThrowsError(try WalkOptions.parse(["--traverse", "--range", "3"]))
    }

    // MARK: Header

    func testHeaderPassesOnTheInputsMembersWithTheGridHint() {
        let input: JSONValue = .object([
            ("model", .string("/m.h5")), ("space", .string("latent")), ("width", .number(8)), ("cols", .number(3)),
            ("note", .string("kept")),
        ])
        XCTAssertEqual(
            StreamHeader.passingOn(input, modelPath: nil, width: 8, gridColumns: 10),
            .object([("model", .string("/m.h5")), ("space", .string("latent")), ("width", .number(8)), ("cols", .number(10)),
                     ("note", .string("kept"))]))
        XCTAssertEqual(
            StreamHeader.passingOn(input, modelPath: "/other.h5", width: 8, gridColumns: nil),
            .object([("model", .string("/other.h5")), ("space", .string("latent")), ("width", .number(8)), ("note", .string("kept"))]))
        XCTAssertEqual(
            StreamHeader.passingOn(nil, modelPath: nil, width: nil, gridColumns: 4),
            .object([("space", .string("latent")), ("cols", .number(4))]))
    }

    func testHeaderHintsAreReadOnlyWhenTheyAreCounts() {
        for (value, expected): (JSONValue, Int?) in [(.number(7), 7), (.number(0), nil), (.number(2.5), nil), (.string("7"), nil), (.number(1e300), nil)] {
            let header: JSONValue = .object([("cols", value), ("width", value)])
            XCTAssertEqual(StreamHeader.gridColumns(in: header), expected, "\(value)")
            XCTAssertEqual(StreamHeader.width(in: header), expected, "\(value)")
        }
        XCTAssertNil(StreamHeader.gridColumns(in: nil))
    }

    func testARowSpaceOtherThanTheToolsIsAnError() {
        let data: JSONValue = .object([("space", .string("data"))])
        XCTAssertThrowsError(try StreamHeader.require(.latent, in: data, source: "x.ndjson")) {
            XCTAssertEqual(($0 as? AEError)?.description,
                           "x.ndjson: the stream's header record says its rows are in \"data\" space; this tool reads latent rows")
        }
        XCTAssertNoThrow(try StreamHeader.require(.latent, in: .object([("space", .string("latent"))]), source: "z"))
        XCTAssertNoThrow(try StreamHeader.require(.latent, in: .object([]), source: "z"))
        XCTAssertNoThrow(try StreamHeader.require(.latent, in: nil, source: "z"))
    }
}
