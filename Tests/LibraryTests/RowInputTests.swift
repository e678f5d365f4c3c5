import Foundation
@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

/// What `RowInput` makes of the forms rows come in: several files as one
/// stream, a JSON array of rows, objects with one member per feature, CSV by
/// name or by `--input-format`.
final class RowInputTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    private func file(_ name: String, _ text: String) throws -> String {
        let path = directory.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func input(
        _ paths: [String], format: TextFormat? = nil, selection: FeatureSelection = FeatureSelection(),
        expected: ExpectedFeatures? = nil
    ) throws -> RowInput {
        let input = try RowInput(paths: paths, field: "x", dataset: "x", format: format, selection: selection)
        if let expected { try input.require(width: expected.width, names: expected.names, expectedBy: expected.expectedBy) }
        return input
    }

    /// Every batch, in order.
    private func batches(_ input: RowInput, capacity: Int = 100) throws -> [RowBatch] {
        var all: [RowBatch] = []
        while let batch = try input.readBatchHere(capacity: capacity) { all.append(batch) }
        return all
    }

    private func members(_ batch: RowBatch) -> [String] {
        (0..<batch.count).map { String(decoding: batch.passThrough(row: $0), as: UTF8.self) }
    }

    private func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return (error as? AEError)?.description ?? "\(error)"
        }
    }

    // MARK: Several files

    func testSeveralFilesAreOneStreamInOrderAndBatchesKeepToOneFile() throws {
        let a = try file("a.ndjson", "[1,2]\n[3,4]\n[5,6]\n"), b = try file("b.ndjson", "[7,8]\n")
        let read = try batches(try input([a, b]), capacity: 2)
        XCTAssertEqual(read.map(\.count), [2, 1, 1])
        XCTAssertEqual(read.map(\.source), [a, a, b])
        XCTAssertEqual(read.map(\.lineNumbers), [[1, 2], [3], [1]])
        XCTAssertEqual(read.last?.vectors, Matrix([[7, 8]]))
    }

    func testAnErrorNamesTheFileItComesFrom() throws {
        let a = try file("a.ndjson", "[1,2]\n"), b = try file("b.ndjson", "[7,8]\n[1,2,3]\n")
        let stream = try input([a, b])
        XCTAssertEqual(failure { _ = try batches(stream) }, "\(b):2:1: row has 3 values; the first input (\(a)) expects 2")
        let objects = try file("o.ndjson", #"{"x":[1,2]}"# + "\n")
        XCTAssertEqual(failure { _ = try batches(try input([a, objects])) }, "\(objects): rows are objects, but the rows of \(a) are arrays")
        XCTAssertEqual(failure { _ = try input([a, directory.path("absent.ndjson")]) }, "\(directory.path("absent.ndjson")): cannot open: No such file or directory")
        XCTAssertEqual(failure { _ = try input(["-", "-"]) }, "stdin (-) can be read only once")
    }

    func testLaterFilesFindTheFirstFilesFeaturesByName() throws {
        let a = try file("a.csv", "id,p,q\nr1,1,2\n"), b = try file("b.csv", "q,note,p\n20,x,10\n")
        let read = try batches(try input([a, b]))
        XCTAssertEqual(read.map(\.vectors), [Matrix([[1, 2]]), Matrix([[10, 20]])])
        XCTAssertEqual(read.flatMap(members), [#""id":"r1""#, #""note":"x""#])
        let missing = try file("c.csv", "p,r\n1,2\n")
        XCTAssertEqual(failure { _ = try batches(try input([a, missing])) },
                       "\(missing):1: no column \"q\", a feature of the first input (\(a)) (columns here: p, r)")
    }

    func testEmptyFilesAddNoRows() throws {
        let empty = try file("e.ndjson", ""), a = try file("a.ndjson", "[1]\n")
        XCTAssertEqual(try batches(try input([empty, a, empty])).map(\.count), [1])
    }

    // MARK: Formats by name

    func testCSVIsToldByItsExtensionOrTheInputFormat() throws {
        let csv = try file("x.csv", "a,b\n1,2\n"), tsv = try file("x.tsv", "a\tb\n1\t2\n"), plain = try file("x.txt", "a;b\n")
        XCTAssertEqual(try batches(try input([csv])).first?.vectors, Matrix([[1, 2]]))
        XCTAssertEqual(try batches(try input([tsv])).first?.vectors, Matrix([[1, 2]]))
        let named = try file("rows", "a,b\n3,4\n")
        XCTAssertEqual(try batches(try input([named], format: .csv)).first?.vectors, Matrix([[3, 4]]))
        XCTAssertEqual(failure { _ = try batches(try input([plain])) }, "\(plain):1:1: expected an array or an object")
        XCTAssertEqual(TextFormat(fileExtensionOf: "part-0001.CSV.gz"), .csv)
        XCTAssertEqual(TextFormat(fileExtensionOf: "x.tab"), .tsv)
        XCTAssertNil(TextFormat(fileExtensionOf: "x.ndjson.gz"))
    }

    func testGzippedCSVKeepsItsFormatFromTheNameUnderTheGz() throws {
        let path = directory.path("x.csv.gz")
        try Data(GzipInputTests.gzipped(Array("id,a\nr,1.5\n".utf8))).write(to: URL(fileURLWithPath: path))
        let read = try batches(try input([path]))
        XCTAssertEqual(read.first?.vectors, Matrix([[1.5]]))
        XCTAssertEqual(read.first.map(members), [#""id":"r""#])
    }

    // MARK: A JSON array of rows

    func testAJSONArrayOfRowsReadsLikeNDJSON() throws {
        let arrays = try file("a.json", "[[1,2],[3,4]]")
        XCTAssertEqual(try batches(try input([arrays])).first?.vectors, Matrix([[1, 2], [3, 4]]))
        let records = try file("r.json", #"[{"id":1,"x":[1,2]},{"id":"two","x":[3,4]}]"#)
        let read = try batches(try input([records]))
        XCTAssertEqual(read.first?.vectors, Matrix([[1, 2], [3, 4]]))
        XCTAssertEqual(read.first.map(members), [#""id":1"#, #""id":"two""#])
        let pretty = try file("p.json", "\u{FEFF}[\n  {\n    \"id\": 1,\n    \"x\": [1, 2]\n  },\n  {\"id\": 2, \"x\": [3, 4]}\n]\n")
        let prettyRead = try batches(try input([pretty]))
        XCTAssertEqual(prettyRead.first?.vectors, Matrix([[1, 2], [3, 4]]))
        XCTAssertEqual(prettyRead.first?.lineNumbers, [2, 6])
        XCTAssertEqual(try batches(try input([try file("e.json", " [ ] \n")])).count, 0)
    }

    func testErrorsInAJSONArrayPointIntoTheDocument() throws {
        func error(_ text: String) throws -> String? {
            let path = try file("bad.json", text)
            return failure { _ = try batches(try input([path])) }?.replacingOccurrences(of: directory.path("bad.json"), with: "bad.json")
        }
        XCTAssertEqual(try error("[[1,2],[3,x]]"), "bad.json:1:11: expected a number")
        XCTAssertEqual(try error("[[1,2],\n [3,\n  x]]"), "bad.json:3:3: expected a number")
        XCTAssertEqual(try error("[[1,2],]"), "bad.json:1:8: expected a row after ','")
        XCTAssertEqual(try error("[[1,2] [3,4]]"), "bad.json:1:8: expected ',' or ']' after a row")
        XCTAssertEqual(try error("[[1,2]] [3]"), "bad.json:1:9: unexpected text after the array of rows")
        XCTAssertEqual(try error("[[1,2],[3,4]"), "bad.json:1:13: unterminated array of rows: expected ',' or ']'")
        XCTAssertEqual(try error("[[1,2],\"s\"]"), "bad.json:1:8: expected an array or an object")
    }

    func testAJSONArraySplitAcrossTinyReads() throws {
        let rows = (0..<500).map { "{\"id\":\"r\\\"]\($0)\",\"x\":[\($0),-1]}" }
        let path = try file("t.json", "[" + rows.joined(separator: ",\n") + "]")
        let content = try InputContent.open(path, source: path, format: nil)
        guard case .text(let bytes, _) = content else { return XCTFail("not text") }
        var prefix: [UInt8] = []
        XCTAssertTrue(try JSONArrayElements.startsDocument(&prefix, reading: bytes))
        let reader = NDJSONRowReader(
            PrefixedBytes(prefix, then: bytes), source: path, field: "x", expected: nil, selection: FeatureSelection(),
            droppedFields: [], wholeArray: true, chunkSize: 2)
        var batch = RowBatch()
        while try reader.readBatch(into: &batch, capacity: 7) > 0 {}
        XCTAssertEqual(batch.count, 500)
        XCTAssertEqual(batch.vectors.row(499).first, 499)
        XCTAssertEqual(batch.lineNumbers.last, 500)
        XCTAssertEqual(String(decoding: batch.passThrough(row: 3), as: UTF8.self), #""id":"r\"]3""#)
    }

    // MARK: Objects with one member per feature

    func testObjectsWithOneMemberPerFeatureAreFoundByTheModelsNames() throws {
        let path = try file("w.ndjson", #"{"id":1,"b":2,"a":1.5,"tag":"x"}"# + "\n" + #"{"a":3,"tag":"y","b":4,"id":2}"# + "\n")
        let expected = ExpectedFeatures(width: 2, names: ["a", "b"], expectedBy: "the model")
        let read = try batches(try input([path], expected: expected))
        XCTAssertEqual(read.first?.vectors, Matrix([[1.5, 2], [3, 4]]))
        XCTAssertEqual(read.first.map(members), [#""id":1,"tag":"x""#, #""tag":"y","id":2"#])
    }

    func testMissingNullAndNonNumberFeaturesAreNamed() throws {
        let expected = ExpectedFeatures(width: 2, names: ["a", "b"], expectedBy: "the model")
        func error(_ line: String, missing: MissingValues = .error) throws -> String? {
            let path = try file("w.ndjson", #"{"a":1,"b":2}"# + "\n" + line + "\n")
            return failure { _ = try batches(try input([path], selection: FeatureSelection(missing: missing), expected: expected)) }?
                .replacingOccurrences(of: path, with: "w.ndjson")
        }
        XCTAssertEqual(try error(#"{"a":1,"c":2}"#), #"w.ndjson:2:1: no member "b" in this row"#)
        XCTAssertEqual(try error(#"{"a":1,"b":null}"#), #"w.ndjson:2:12: member "b" is null (a missing value); --missing zero reads it as 0"#)
        XCTAssertNil(try error(#"{"a":1,"b":null}"#, missing: .zero))
        XCTAssertEqual(try error(#"{"a":1,"b":"2"}"#), #"w.ndjson:2:12: member "b" is not a number"#)
        XCTAssertEqual(try error(#"{"a":1,"b":2,"a":3}"#), #"w.ndjson:2:14: duplicate member "a""#)
        let first = try file("v.ndjson", #"{"id":1,"a":1}"# + "\n")
        XCTAssertEqual(failure { _ = try batches(try input([first], expected: expected)) },
                       "\(first):1:1: no member \"b\", a feature of the model (members here: id, a)")
    }

    func testWithoutNamesObjectsNeedTheVectorField() throws {
        let path = try file("w.ndjson", #"{"a":1,"b":2}"# + "\n")
        XCTAssertEqual(failure { _ = try batches(try input([path], expected: ExpectedFeatures(width: 2, expectedBy: "the model"))) },
                       "\(path):1:1: no field \"x\" in this row")
        let columns = FeatureSelection(columns: ["b", "a"])
        XCTAssertEqual(try batches(try input([path], selection: columns)).first?.vectors, Matrix([[2, 1]]))
    }

    func testColumnsAndExcludeNeedRowsThatNameTheirFeatures() throws {
        let arrays = try file("a.ndjson", "[1,2]\n")
        XCTAssertEqual(failure { _ = try batches(try input([arrays], selection: FeatureSelection(exclude: ["a"]))) },
                       "\(arrays): --columns and --exclude choose among CSV columns or the members of objects without the vector field; "
                        + "these rows do not name their features")
        let vectors = try file("x.ndjson", #"{"id":1,"x":[1,2]}"# + "\n")
        XCTAssertNotNil(failure { _ = try batches(try input([vectors], selection: FeatureSelection(columns: ["id"]))) })
    }

    func testFittingTakesTheFirstRowsNumericMembers() throws {
        let path = try file("w.ndjson", #"{"id":"r1","p":1,"q":2.5,"ok":true}"# + "\n" + #"{"q":4,"p":3,"id":"r2","ok":false}"# + "\n")
        let stream = try input([path], selection: FeatureSelection(namesFromObjects: true))
        let read = try batches(stream)
        XCTAssertEqual(stream.featureNames, ["p", "q"])
        XCTAssertEqual(read.first?.vectors, Matrix([[1, 2.5], [3, 4]]))
        let numericId = try file("n.ndjson", #"{"id":7,"p":1,"q":2}"# + "\n")
        let excluded = try input([numericId], selection: FeatureSelection(exclude: ["id"], namesFromObjects: true))
        _ = try batches(excluded)
        XCTAssertEqual(excluded.featureNames, ["p", "q"])
        let vectors = try file("x.ndjson", #"{"id":7,"x":[1,2]}"# + "\n")
        let withField = try input([vectors], selection: FeatureSelection(namesFromObjects: true))
        XCTAssertEqual(try batches(withField).first?.vectors, Matrix([[1, 2]]))
        XCTAssertNil(withField.featureNames, "objects with the vector field name no features")
    }
}
