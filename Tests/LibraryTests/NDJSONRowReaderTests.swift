@testable import AECLI
@testable import AECore
@_spi(Fuzzing) @testable import AEIO
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class NDJSONRowReaderTests: XCTestCase {
    private func reader(
        _ text: String,
        field: String = "x",
        expected: ExpectedFeatures? = nil,
        droppedFields: [String] = [],
        chunkSize: Int = ByteLineReader.defaultChunkSize
    ) -> NDJSONRowReader {
        NDJSONRowReader(
            fileDescriptor: descriptor(reading: text), source: "in.ndjson", field: field, expected: expected,
            selection: FeatureSelection(), droppedFields: droppedFields, alreadyRead: [], wholeArray: false, chunkSize: chunkSize
        )
    }

    /// All rows of `text` in one batch.
    private func readAll(_ text: String, field: String = "x", droppedFields: [String] = []) throws -> RowBatch {
        let reader = reader(text, field: field, droppedFields: droppedFields)
        var batch = RowBatch()
        while try reader.readBatch(into: &batch, capacity: 1000) > 0 {}
        return batch
    }

    private func passThroughTexts(_ batch: RowBatch) -> [String] {
        (0..<batch.count).map { String(decoding: batch.passThrough(row: $0), as: UTF8.self) }
    }

    /// The error that reading all of `text` ends with, as the CLI prints it.
    private func failure(
        _ text: String, field: String = "x", expected: ExpectedFeatures? = nil
    ) -> String? {
        let reader = reader(text, field: field, expected: expected)
        var batch = RowBatch()
        do {
            while try reader.readBatch(into: &batch, capacity: 1000) > 0 {}
            return nil
        } catch {
            return (error as? AEError)?.description ?? "not an AEError: \(error)"
        }
    }

    // MARK: Rows

    func testArrayRows() throws {
        let reader = reader("[0.1, 2, -3e-2]\n[0,0,1]\n")
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 2)
        XCTAssertEqual(batch.vectors, Matrix([[0.1, 2, -0.03], [0, 0, 1]]))
        XCTAssertEqual(batch.lineNumbers, [1, 2])
        XCTAssertEqual(passThroughTexts(batch), ["", ""])
        XCTAssertEqual(reader.shape, .array)
        XCTAssertNil(try reader.header)
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 0)
    }

    /// Runs of zeros take a fast path four at a time; every run length, with
    /// or without spaces and values around it, reads as the general path does.
    func testRunsOfZerosOfEveryLengthReadExactly() throws {
        for length in 0...13 {
            for tail in ["", ",0.5", ", 7", ",0.0", ",-0", ",0e1"] {
                let zeros = Array(repeating: "0", count: length)
                let values = zeros + (tail.isEmpty ? [] : [String(tail.dropFirst()).trimmingCharacters(in: .whitespaces)])
                guard !values.isEmpty else { continue }
                let compact = "[" + values.joined(separator: ",") + "]"
                let spaced = "[ " + values.joined(separator: " , ") + " ]"
                let expected = values.map { Float($0)! }
                for text in [compact, spaced, "{\"x\":\(compact),\"id\":1}"] {
                    let batch = try readAll(text + "\n")
                    XCTAssertEqual(batch.vectors, Matrix([expected]), text)
                }
            }
        }
        XCTAssertEqual(failure("[0,0,0,0,0,0,0,0,]\n"), "in.ndjson:1:18: expected a number")
        XCTAssertEqual(failure("[0,0,0,0,0,0,0,0\n"), "in.ndjson:1:17: expected ',' or ']'")
        XCTAssertEqual(failure("[0,0,0,0,00]\n"), "in.ndjson:1:11: expected ',' or ']'")
    }

    func testObjectRowsPassOtherMembersThroughUntouched() throws {
        let text = #"""
        {"id":3,"label":"seven","meta":{"a":[1,2],"s":"q\"uo\\te \u00e9 ü"},"x":[1,2],"after":[true,false,null]}
        { "id" : 4 , "x" : [ 3 , 4 ] , "big" : 1e999, "deep": [[[{"k": {}}]], []] }
        {"x":[5,6]}
        """#
        let batch = try readAll(text)
        XCTAssertEqual(batch.vectors, Matrix([[1, 2], [3, 4], [5, 6]]))
        XCTAssertEqual(passThroughTexts(batch), [
            #""id":3,"label":"seven","meta":{"a":[1,2],"s":"q\"uo\\te \u00e9 ü"},"after":[true,false,null]"#,
            #""id" : 4,"big" : 1e999,"deep": [[[{"k": {}}]], []]"#,
            "",
        ])
    }

    func testFieldNameChoosesTheVectorAndMayBeEscaped() throws {
        let batch = try readAll(#"{"x":[9],"z":[1,2]}"# + "\n" + #"{"\u007a":[3,4],"x":"kept"}"#, field: "z")
        XCTAssertEqual(batch.vectors, Matrix([[1, 2], [3, 4]]))
        XCTAssertEqual(passThroughTexts(batch), [#""x":[9]"#, #""x":"kept""#])
    }

    func testDroppedFieldsLeaveThePassThrough() throws {
        let batch = try readAll(#"{"score":0.5,"id":1,"x":[1],"anomaly":true}"#, droppedFields: ["score", "anomaly"])
        XCTAssertEqual(passThroughTexts(batch), [#""id":1"#])
    }

    func testToleratesBOMCRLFBlankLinesAndAMissingFinalNewline() throws {
        let text = "\u{FEFF}[1,2]\r\n\r\n   \n\t[3,4]  \r\n\n[5,6]"
        let batch = try readAll(text)
        XCTAssertEqual(batch.vectors, Matrix([[1, 2], [3, 4], [5, 6]]))
        XCTAssertEqual(batch.lineNumbers, [1, 4, 6])
    }

    func testEmptyInputHasNoRowsAndNoHeader() throws {
        for text in ["", "\n\n", "  \r\n", "\u{FEFF}"] {
            let reader = reader(text)
            var batch = RowBatch()
            XCTAssertNil(try reader.header)
            XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 4), 0)
            XCTAssertNil(reader.shape)
        }
    }

    func testRowsLongerThanTheReadChunk() throws {
        let values = (0..<500).map { Float($0) / 8 }
        let row = "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
        let reader = reader("\(row)\n{\"x\":1}\n\(row)", chunkSize: 64)
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 1)
        XCTAssertEqual(Array(batch.vectors.row(0)), values)
        XCTAssertThrowsError(try reader.readBatch(into: &batch, capacity: 10))
    }

    func testRowsWiderThanTheInitialScratchBuffer() throws {
        let values = (0..<5000).map { Float($0) }
        let batch = try readAll("[" + values.map { "\(Int($0))" }.joined(separator: ",") + "]")
        XCTAssertEqual(batch.vectors.storage, values)
    }

    // MARK: Batches

    func testBatchBoundaries() throws {
        let text = (1...5).map { #"{"id":\#($0),"x":[\#($0),\#(-$0)]}"# }.joined(separator: "\n")
        for capacity in [1, 2, 3, 5, 100] {
            let reader = reader(text)
            var counts: [Int] = []
            var ids: [String] = []
            var firsts: [Float] = []
            var lines: [Int] = []
            var batch = RowBatch()
            while true {
                batch.removeAll()
                let count = try reader.readBatch(into: &batch, capacity: capacity)
                XCTAssertEqual(count, batch.count)
                if count == 0 { break }
                counts.append(count)
                ids += passThroughTexts(batch)
                firsts += (0..<count).map { batch.vectors[$0, 0] }
                lines += batch.lineNumbers
            }
            XCTAssertEqual(counts.reduce(0, +), 5)
            XCTAssertEqual(counts.dropLast().allSatisfy { $0 == capacity }, true, "capacity \(capacity): \(counts)")
            XCTAssertEqual(ids, (1...5).map { #""id":\#($0)"# })
            XCTAssertEqual(firsts, [1, 2, 3, 4, 5])
            XCTAssertEqual(lines, [1, 2, 3, 4, 5])
        }
    }

    func testReadBatchAppendsToWhatTheBatchHolds() throws {
        let reader = reader(#"{"a":1,"x":[1]}"# + "\n" + #"{"b":2,"x":[2]}"#)
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 1), 1)
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 1), 1)
        XCTAssertEqual(batch.vectors, Matrix([[1], [2]]))
        XCTAssertEqual(passThroughTexts(batch), [#""a":1"#, #""b":2"#])
    }

    func testRowsBeforeABadRowAreDeliveredThenTheErrorRepeats() throws {
        let reader = reader("[1]\n{\"id\":7}\n[2]\n[x]\n[3]")
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 1)
        XCTAssertEqual(batch.vectors, Matrix([[1]]))
        for _ in 0..<2 {
            XCTAssertThrowsError(try reader.readBatch(into: &batch, capacity: 10)) { error in
                XCTAssertEqual((error as? AEError)?.description, "in.ndjson:2:1: row is an object, but earlier rows are arrays")
            }
        }
        XCTAssertEqual(batch.count, 1)
    }

    func testABadObjectRowLeavesNoPassThroughBehind() throws {
        let reader = reader(#"{"id":1,"x":[1]}"# + "\n" + #"{"id":2,"x":[1,2]}"#)
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 1)
        XCTAssertEqual(batch.passThroughBytes, Array(#""id":1"#.utf8))
    }

    // MARK: Header

    func testHeaderFirst() throws {
        let reader = reader("\n" + #"{"ae": {"model": "m.h5", "space": "latent", "grid": [1, 2.5, true, null], "x": {}}}"# + "\n[1,2]\n")
        let expected: JSONValue = .object([
            ("model", .string("m.h5")), ("space", .string("latent")),
            ("grid", .array([.number(1), .number(2.5), .bool(true), .null])), ("x", .object([])),
        ])
        XCTAssertEqual(try reader.header, expected)
        XCTAssertEqual(try reader.header?["model"], .string("m.h5"))
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 1)
        XCTAssertEqual(batch.lineNumbers, [3])
    }

    func testHeaderIsFoundWithoutAskingForIt() throws {
        let batch = try readAll("\u{FEFF}{\"ae\":{}}\r\n[1]")
        XCTAssertEqual(batch.vectors, Matrix([[1]]))
    }

    func testHeaderOnly() throws {
        let reader = reader(#"{"ae":{"space":"data"}}"#)
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 0)
        XCTAssertEqual(try reader.header, .object([("space", .string("data"))]))
    }

    func testExpectedWidthSetAfterReadingTheHeader() throws {
        let reader = reader(#"{"ae":{"model":"m.h5"}}"# + "\n[1,2,3]")
        XCTAssertNotNil(try reader.header)
        reader.expected = ExpectedFeatures(width: 784, expectedBy: "the model")
        var batch = RowBatch()
        XCTAssertThrowsError(try reader.readBatch(into: &batch, capacity: 10)) { error in
            XCTAssertEqual((error as? AEError)?.description, "in.ndjson:2:1: row has 3 values; the model expects 784")
        }
    }

    func testObjectsThatOnlyResembleAHeaderAreRows() throws {
        let batch = try readAll(#"{"ae":{"a":1},"x":[1,2]}"# + "\n" + #"{"ae":[5],"x":[3,4]}"#)
        XCTAssertEqual(batch.vectors, Matrix([[1, 2], [3, 4]]))
        XCTAssertEqual(passThroughTexts(batch), [#""ae":{"a":1}"#, #""ae":[5]"#])
        let vectorNamedAE = try readAll(#"{"ae":[1,2]}"#, field: "ae")
        XCTAssertEqual(vectorNamedAE.vectors, Matrix([[1, 2]]))
    }

    func testABrokenHeaderFailsEveryLaterCall() {
        let reader = reader(#"{"ae": {"model": }}"# + "\n[1]")
        var batch = RowBatch()
        for _ in 0..<2 {
            XCTAssertThrowsError(try reader.header) { error in
                XCTAssertEqual((error as? AEError)?.description, "in.ndjson:1:18: expected a value")
            }
            XCTAssertThrowsError(try reader.readBatch(into: &batch, capacity: 4))
        }
    }

    func testReadErrorsAreAEErrors() {
        let directory = open("/", O_RDONLY)
        defer { close(directory) }
        let reader = NDJSONRowReader(fileDescriptor: directory, source: "dir", field: "x")
        var batch = RowBatch()
        XCTAssertThrowsError(try reader.readBatch(into: &batch, capacity: 4)) { error in
            XCTAssertEqual((error as? AEError)?.description, "dir: cannot read: Is a directory")
        }
        XCTAssertThrowsError(try reader.header)
    }

    func testHeaderUnicodeAndEscapes() throws {
        let reader = reader(#"{"ae":{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00\ud800 ü"}}"#)
        XCTAssertEqual(try reader.header, .object([("s", .string("a\"b\\c/d\u{8}\u{C}\n\r\té😀\u{FFFD} ü"))]))
    }

    // MARK: Errors

    func testSyntaxErrorsPointAtTheOffendingByte() {
        let cases: [(String, String)] = [
            ("[1,2,x]", "1:6: expected a number"),
            ("[1,2 3]", "1:6: expected ',' or ']'"),
            ("[1,2", "1:5: expected ',' or ']'"),
            ("[1,]", "1:4: expected a number"),
            ("[NaN]", "1:2: expected a number"),
            ("[1, Infinity]", "1:5: expected a number"),
            ("[-Infinity]", "1:2: expected a number"),
            ("[1.]", "1:4: expected a digit after '.'"),
            ("[1e+]", "1:5: expected a digit in the exponent"),
            ("[01]", "1:3: expected ',' or ']'"),
            ("[[1]]", "1:2: expected a number"),
            ("[1e999]", "1:2: number out of range"),
            ("[0, -3.5e38]", "1:5: number out of range"),
            (#""hello""#, "1:1: expected an array or an object"),
            ("   42", "1:4: expected an array or an object"),
            ("[1,2] x", "1:7: unexpected text after the row"),
            (#"{"x":[1]}}"#, "1:10: unexpected text after the row"),
            (#"{"id":1, x:[1]}"#, "1:10: expected '\"' to start a member name"),
            (#"{"id":1,}"#, "1:9: expected '\"' to start a member name"),
            (#"{"id" 1}"#, "1:7: expected ':' after the member name"),
            (#"{"id":1 "x":[1]}"#, "1:9: expected ',' or '}'"),
            (#"{"id":"abc"#, "1:7: unterminated string"),
            (#"{"id":"abc\"#, "1:11: unterminated string"),
            (#"{"abc"#, "1:2: unterminated string"),
            (#"{"a":"\q","x":[1]}"#, "1:7: invalid escape in string"),
            (#"{"a":"\u12G4","x":[1]}"#, #"1:11: expected four hex digits after '\u'"#),
            ("{\"a\":\"x\ty\",\"x\":[1]}", "1:8: control character in string"),
            (#"{"a":tru,"x":[1]}"#, "1:6: expected a value"),
            (#"{"a":{"b":[1,2},"x":[1]}"#, "1:15: expected ',' or ']'"),
            (#"{"a":{"b" 1},"x":[1]}"#, "1:11: expected ':' after the member name"),
            (#"{"a":[1 2],"x":[1]}"#, "1:9: expected ',' or ']'"),
            (#"{"a":{"b":1 "c":2},"x":[1]}"#, "1:13: expected ',' or '}'"),
            (#"{"a":1.5e,"x":[1]}"#, "1:10: expected a digit in the exponent"),
            (#"{"a":NaN,"x":[1]}"#, "1:6: expected a value"),
            (#"{"id":1}"#, #"1:1: no field "x" in this row"#),
            ("{}", #"1:1: no field "x" in this row"#),
            (#"{"x":"abc"}"#, #"1:6: field "x" is not an array of numbers"#),
            (#"{"x": 5}"#, #"1:7: field "x" is not an array of numbers"#),
            (#"{"x":[1],"x":[2]}"#, #"1:10: duplicate field "x""#),
            ("[]", "1:1: row has no values"),
            ("[1]\n{\"x\":[1]}", "2:1: row is an object, but earlier rows are arrays"),
            ("{\"x\":[1]}\n  [1]", "2:3: row is an array, but earlier rows are objects"),
            ("[1]\n\n" + #"{"ae":{}}"#, "3:1: header record in the middle of the stream"),
            (#"{"ae":{}}"# + "\n" + #"{"ae":{"b":2}}"#, "2:1: header record in the middle of the stream"),
            (#"{"ae": {"model": }}"#, "1:18: expected a value"),
            (#"{"ae": {"a": 1e999}}"#, "1:14: number out of range"),
            (#"{"ae": {}} x"#, "1:12: unexpected text after the header record"),
            ("[1,2]\n[1,2,3]", "2:1: row has 3 values; the first row has 2"),
            ("[1,2]\n[1]", "2:1: row has 1 value; the first row has 2"),
            ("{\"x\":[1,2]}\n{\"id\":1, \"x\": [1]}", "2:15: row has 1 value; the first row has 2"),
            ("\u{FEFF}[1,x]", "1:4: expected a number"),
            ("[1]\r\n[2]\r\n[a]\r\n", "3:2: expected a number"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(failure(text), "in.ndjson:" + expected, text)
        }
    }

    func testWidthMismatchWithAnExpectedWidth() {
        let width = ExpectedFeatures(width: 784, expectedBy: "the model")
        XCTAssertEqual(failure("  [1,2,3]", expected: width), "in.ndjson:1:3: row has 3 values; the model expects 784")
        XCTAssertEqual(failure("[]", expected: width), "in.ndjson:1:1: row has 0 values; the model expects 784")
        XCTAssertNil(failure("[" + Array(repeating: "0", count: 784).joined(separator: ",") + "]", expected: width))
    }

    func testNamesTheFieldInMessages() {
        XCTAssertEqual(failure(#"{"x":[1]}"#, field: "z"), #"in.ndjson:1:1: no field "z" in this row"#)
    }
}
