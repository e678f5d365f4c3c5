@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

/// CSV and TSV rows: RFC 4180 quoting, the choice of feature columns, cells
/// passed through as JSON, errors that name line and column.
final class CSVRowReaderTests: XCTestCase {
    private func reader(
        _ text: String, delimiter: UInt8 = UInt8(ascii: ","), selection: FeatureSelection = FeatureSelection(),
        expected: ExpectedFeatures? = nil, droppedFields: [String] = [], chunkSize: Int = ByteLineReader.defaultChunkSize
    ) throws -> CSVRowReader {
        let bytes = FileBytes(descriptor: descriptor(reading: text), source: "in.csv", closesDescriptor: false)
        let reader = try CSVRowReader(
            bytes, source: "in.csv", delimiter: delimiter, selection: selection, droppedFields: droppedFields, chunkSize: chunkSize)
        if let expected { try reader.require(expected) }
        return reader
    }

    private func readAll(_ reader: CSVRowReader, capacity: Int = 1000) throws -> RowBatch {
        var batch = RowBatch()
        while try reader.readBatch(into: &batch, capacity: capacity) > 0 {}
        return batch
    }

    private func members(_ batch: RowBatch) -> [String] {
        (0..<batch.count).map { String(decoding: batch.passThrough(row: $0), as: UTF8.self) }
    }

    /// The error reading all of `text` ends with, as the CLI prints it.
    private func failure(_ text: String, selection: FeatureSelection = FeatureSelection(), expected: ExpectedFeatures? = nil) -> String? {
        do {
            _ = try readAll(try reader(text, selection: selection, expected: expected))
            return nil
        } catch {
            return (error as? AEError)?.description ?? "\(error)"
        }
    }

    func testNumericColumnsAreTheFeaturesAndTheOthersPassThrough() throws {
        let reader = try reader("id,a,label,b\nr1,1.5,cat,2\nr2,-3,dog,4e-1\n")
        let batch = try readAll(reader)
        XCTAssertEqual(reader.featureNames, ["a", "b"])
        XCTAssertEqual(batch.vectors, Matrix([[1.5, 2], [-3, 0.4]]))
        XCTAssertEqual(members(batch), [#""id":"r1","label":"cat""#, #""id":"r2","label":"dog""#])
        XCTAssertEqual(batch.lineNumbers, [2, 3])
    }

    func testQuotingFollowsRFC4180() throws {
        let text = "name,x,y\r\n\"Smith, J.\",1,2\r\n\"said \"\"hi\"\"\",3,\"4\"\r\n\"two\nlines\",5,6\r\n"
        let batch = try readAll(try reader(text))
        XCTAssertEqual(batch.vectors, Matrix([[1, 2], [3, 4], [5, 6]]))
        XCTAssertEqual(members(batch), [#""name":"Smith, J.""#, #""name":"said \"hi\"""#, #""name":"two\nlines""#])
        XCTAssertEqual(batch.lineNumbers, [2, 3, 4], "a record that spans lines is numbered by its first")
    }

    func testByteOrderMarkBlankLinesAndTheLastLineWithoutANewline() throws {
        let reader = try reader("\u{FEFF}a,b\n\n1,2\n   \n3,4")
        let batch = try readAll(reader)
        XCTAssertEqual(reader.featureNames, ["a", "b"])
        XCTAssertEqual(batch.vectors, Matrix([[1, 2], [3, 4]]))
        XCTAssertEqual(batch.lineNumbers, [3, 5])
    }

    func testPassThroughCellsBecomeJSONNumbersNullsAndEscapedStrings() throws {
        let text = "x,id,code,note\n1,7,007,\"tab\there\"\n2,-1.5e3,,back\\slash\n3,12,x1,\"\u{1}\"\n"
        XCTAssertEqual(members(try readAll(try reader(text, selection: FeatureSelection(columns: ["x"])))), [
            #""id":7,"code":"007","note":"tab\there""#,
            #""id":-1.5e3,"code":null,"note":"back\\slash""#,
            #""id":12,"code":"x1","note":"\u0001""#,
        ])
    }

    func testNumbersInTheFormsCSVWritersUse() throws {
        let batch = try readAll(try reader("a,b,c,d,e\n+1,.5,5.,007, 2.5 \n"))
        XCTAssertEqual(batch.vectors, Matrix([[1, 0.5, 5, 7, 2.5]]))
    }

    func testColumnsPickAndOrderTheFeaturesAndExcludeDropsSome() throws {
        let text = "a,b,c\n1,2,3\n"
        let picked = try reader(text, selection: FeatureSelection(columns: ["c", "a"]))
        XCTAssertEqual(try readAll(picked).vectors, Matrix([[3, 1]]))
        XCTAssertEqual(members(try readAll(try reader(text, selection: FeatureSelection(columns: ["c", "a"])))), [#""b":2"#])
        let excluded = try reader(text, selection: FeatureSelection(exclude: ["b"]))
        XCTAssertEqual(try readAll(excluded).vectors, Matrix([[1, 3]]))
        XCTAssertEqual(excluded.featureNames, ["a", "c"])
    }

    func testTheModelsNamesFindColumnsInAnyOrder() throws {
        let expected = ExpectedFeatures(width: 3, names: ["a", "b", "c"], expectedBy: "the model")
        let batch = try readAll(try reader("c,id,a,b\n3,x,1,2\n30,y,10,20\n", expected: expected))
        XCTAssertEqual(batch.vectors, Matrix([[1, 2, 3], [10, 20, 30]]))
        XCTAssertEqual(failure("c,a\n1,2\n", expected: expected),
                       #"in.csv:1: no column "b", a feature of the model (columns here: c, a)"#)
    }

    func testNumbersDecideFromTheFirstRowsAndEmptyCellsDoNotCount() throws {
        // b is empty in the first row and a number later: a feature.
        let reader = try reader("a,b,c\n1,,x\n2,5,y\n", selection: FeatureSelection(missing: .zero))
        let batch = try readAll(reader)
        XCTAssertEqual(reader.featureNames, ["a", "b"])
        XCTAssertEqual(batch.vectors, Matrix([[1, 0], [2, 5]]))
        // A column with any other text among the first rows passes through.
        let mixed = try self.reader("a,b\n1,2\n3,n/a?\n4,5\n")
        XCTAssertNil(mixed.featureNames, "known once rows are read")
        _ = try readAll(mixed)
        XCTAssertEqual(mixed.featureNames, ["a"])
    }

    func testAnUnnamedColumnIsNeverChosenByNumbers() throws {
        let reader = try reader(",a\n0,1.5\n1,2.5\n")
        let batch = try readAll(reader)
        XCTAssertEqual(reader.featureNames, ["a"])
        XCTAssertEqual(members(batch), [#""":0"#, #""":1"#])
    }

    func testTabSeparated() throws {
        let reader = try reader("id\ta\tb\nr 1\t1\t2\n", delimiter: UInt8(ascii: "\t"))
        let batch = try readAll(reader)
        XCTAssertEqual(batch.vectors, Matrix([[1, 2]]))
        XCTAssertEqual(members(batch), [#""id":"r 1""#])
    }

    func testErrorsNameTheLineAndTheColumn() {
        XCTAssertEqual(failure("a,b\n1,2\n3,x\n", selection: FeatureSelection(columns: ["a", "b"])),
                       #"in.csv:3:2: expected a number in feature column "b", not "x""#)
        XCTAssertEqual(failure("a,b\n1,2\n3,\n"), #"in.csv:3:2: an empty cell in feature column "b"; --missing zero reads it as 0"#)
        XCTAssertEqual(failure("a,b\n1,2\n3,NA\n"), #"in.csv:3:2: a missing value in feature column "b"; --missing zero reads it as 0"#)
        XCTAssertEqual(failure("a,b\n1,2\n3\n"), "in.csv:3:2: row has 1 field; the header has 2")
        XCTAssertEqual(failure("a,b\n1,2,3\n"), "in.csv:2:3: row has more than 2 fields; the header has 2")
        XCTAssertEqual(failure("a,b\n1,\"2\n"), "in.csv:2:2: unterminated quoted field")
        XCTAssertEqual(failure("a,b\n1,\"2\"x\n"), "in.csv:2:2: unexpected text after a quoted field")
        XCTAssertEqual(failure("a,b\n1,1e999\n", selection: FeatureSelection(columns: ["a", "b"])),
                       #"in.csv:2:2: number out of range in feature column "b""#)
        XCTAssertEqual(failure("a,a\n1,2\n"), #"in.csv:1:2: column "a" appears twice (columns 1 and 2)"#)
        XCTAssertEqual(failure("a,b\n1,2\n", selection: FeatureSelection(columns: ["q"])),
                       #"in.csv:1: no column "q" named by --columns (columns here: a, b)"#)
        XCTAssertEqual(failure("a,b\nx,y\n"),
                       "in.csv:1: no numeric columns to use as features (columns here: a, b); name them with --columns")
        XCTAssertEqual(failure("a,b,c\n1,2,3\n", expected: ExpectedFeatures(width: 2, expectedBy: "the model")),
                       "in.csv:1: 3 feature columns (a, b, c); the model expects 2; choose them with --columns or --exclude")
    }

    func testRowsBeforeABadRowAreDelivered() throws {
        let reader = try reader("a\n1\n2\nx\n4\n", selection: FeatureSelection(columns: ["a"]))
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 2)
        XCTAssertThrowsError(try reader.readBatch(into: &batch, capacity: 10))
        XCTAssertEqual(batch.vectors, Matrix([[1], [2]]))
    }

    func testTinyReadsGiveTheSameRows() throws {
        var text = "id,a,b,note\n"
        for row in 0..<300 {
            text += "r\(row),\(row).25,-\(row),\"multi\nline, \"\"\(row)\"\"\"\n"
        }
        let whole = try readAll(try reader(text))
        let tiny = try readAll(try reader(text, chunkSize: 2), capacity: 7)
        XCTAssertEqual(tiny.vectors, whole.vectors)
        XCTAssertEqual(members(tiny), members(whole))
        XCTAssertEqual(tiny.lineNumbers, whole.lineNumbers)
        XCTAssertEqual(whole.count, 300)
        XCTAssertEqual(whole.lineNumbers.last, 2 + 2 * 299)
    }

    func testDroppedColumnsDoNotPassThrough() throws {
        let batch = try readAll(try reader("score,a,id\n9,1,x\n", selection: FeatureSelection(columns: ["a"]), droppedFields: ["score"]))
        XCTAssertEqual(members(batch), [#""id":"x""#])
    }

    func testAFileWithoutAHeaderHasNoRows() throws {
        XCTAssertEqual(try readAll(try reader("")).count, 0)
        XCTAssertEqual(try readAll(try reader("\n\n")).count, 0)
        XCTAssertEqual(try readAll(try reader("a,b\n")).count, 0)
    }
}
