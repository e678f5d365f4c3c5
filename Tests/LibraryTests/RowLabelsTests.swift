import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// `--label`: per-row labels from object members or an HDF5 dataset.
final class RowLabelsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory().url
    }

    private func labels(of text: String, name: String = "label") throws -> [Bool] {
        let path = directory.appendingPathComponent("rows.ndjson").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let input = try RowInput(paths: [path], field: "x", dataset: "x")
        let labels = try RowLabels(name: name, input: input)
        var batch = RowBatch()
        var all: [Bool] = []
        while try input.readBatch(into: &batch, capacity: 2) > 0 {
            let read = labels.labels(of: batch)
            all += read.labels
            if let error = read.error { throw error }
            batch.removeAll()
        }
        return all
    }

    func testMembersOfAnyOrderAndNesting() throws {
        let text = """
            {"label":1,"x":[1]}
            {"x":[2],"meta":{"label":1,"tags":["a","b"]},"label":0}
            {"id":"a\\"b","label":true,"x":[3]}
            {"lab\\u0065l":false,"x":[4]}
            {"label":-2.5e0,"x":[5]}

            """
        XCTAssertEqual(try labels(of: text), [true, false, true, false, true])
    }

    func testRowsInFrontOfABadLabelKeepTheirs() throws {
        let path = directory.appendingPathComponent("rows.ndjson").path
        try Data("{\"label\":1,\"x\":[1]}\n{\"x\":[2]}\n{\"label\":0,\"x\":[3]}\n".utf8).write(to: URL(fileURLWithPath: path))
        let input = try RowInput(paths: [path], field: "x", dataset: "x")
        var batch = RowBatch()
        _ = try input.readBatch(into: &batch, capacity: 3)
        let read = try RowLabels(name: "label", input: input).labels(of: batch)
        XCTAssertEqual(read.labels, [true])
        XCTAssertEqual(read.error?.location?.line, 2)
        batch.keepFirst(read.labels.count)
        XCTAssertEqual(batch.count, 1)
        XCTAssertEqual(batch.vectors, Matrix([[1]]))
        XCTAssertEqual(String(decoding: batch.passThrough(row: 0), as: UTF8.self), "\"label\":1")
    }

    func testMissingOrNonNumericLabelsNameTheLine() throws {
        XCTAssertThrowsError(try labels(of: "{\"label\":0,\"x\":[1]}\n{\"x\":[2]}\n")) { error in
            XCTAssertEqual("\(error)", "\(directory.path)/rows.ndjson:2: row has no label member \"label\"")
        }
        XCTAssertThrowsError(try labels(of: "{\"label\":\"yes\",\"x\":[1]}\n")) { error in
            XCTAssertEqual("\(error)", "\(directory.path)/rows.ndjson:1: label \"label\" is \"yes\"; expected a number or true/false")
        }
    }

    func testDatasetBesideHDF5Rows() throws {
        let path = directory.appendingPathComponent("rows.h5").path
        let file = try HDF5File.create(path)
        try file.write(Matrix([[1], [2], [3]]), to: "x")
        try file.write([0, 1, 0] as [Int64], to: "y")
        try file.write([0, 1] as [Int64], to: "short")
        try file.close()
        let input = try RowInput(paths: [path], field: "x", dataset: "x")
        let labels = try RowLabels(name: "y", input: input)
        var batch = RowBatch()
        var all: [Bool] = []
        while try input.readBatch(into: &batch, capacity: 2) > 0 {
            let read = labels.labels(of: batch)
            XCTAssertNil(read.error)
            all += read.labels
            batch.removeAll()
        }
        XCTAssertEqual(all, [false, true, false])
        XCTAssertThrowsError(try RowLabels(name: "short", input: input)) { error in
            XCTAssertTrue("\(error)".contains("dataset 'short' has shape [2]; expected one value per row"), "\(error)")
        }
    }
}
