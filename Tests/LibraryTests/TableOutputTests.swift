import CHDF5
@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

/// Rows written as tables: CSV and TSV with a header line, and HDF5 with the
/// pass-through members of object rows as datasets beside the tool's own.
final class TableOutputTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    /// The rows of NDJSON `text` (vector in `x`), in batches of `batchSize`.
    private func batches(_ text: String, batchSize: Int = 1000) throws -> [RowBatch] {
        let reader = NDJSONRowReader(
            fileDescriptor: descriptor(reading: text), source: "in.ndjson", field: "x", droppedFields: [], alreadyRead: [])
        var batches: [RowBatch] = []
        while true {
            var batch = RowBatch()
            guard try reader.readBatch(into: &batch, capacity: batchSize) > 0 else { return batches }
            batches.append(batch)
        }
    }

    /// Writes `text`'s rows to `name` with a column `z` holding each vector
    /// and `columns` beside it, and returns the path.
    @discardableResult
    private func write(
        _ text: String, to name: String, batchSize: Int = 1000, names: [String]? = nil,
        columns: (RowBatch) -> [(name: String, values: OutputColumns.Values)] = { _ in [] }
    ) throws -> String {
        let path = directory.path(name)
        let output = try RowOutput(path: path, format: nil)
        if let names { output.nameEntries(of: "z", names) }
        for batch in try batches(text, batchSize: batchSize) {
            try output.write(
                OutputColumns(rows: batch.count, columns: [("z", .vectors(batch.vectors))] + columns(batch)),
                passThrough: batch, asArrays: false)
        }
        try output.finish()
        return path
    }

    private func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    // MARK: CSV and TSV

    func testCSVHasAHeaderLineAndQuotesWhatRFC4180Requires() throws {
        let rows = #"""
            {"id":1,"note":"a,b","x":[0.5,-2]}
            {"id":2,"note":"say \"hi\"\nthere","x":[1e-05,3]}
            {"id":3,"note":"plain","x":[0.1,0]}
            """#
        let path = try write(rows, to: "out.csv") { batch in
            [("score", .floats(batch.vectors.storage.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))),
             ("anomaly", .flags((0..<batch.count).map { $0 == 1 }))]
        }
        XCTAssertEqual(try contents(path), """
            id,note,z0,z1,score,anomaly
            1,"a,b",0.5,-2,0.5,false
            2,"say ""hi""
            there",1e-05,3,1e-05,true
            3,plain,0.1,0,0.1,false

            """)
    }

    func testTSVQuotesTabsAndLeavesCommasAlone() throws {
        let path = try write(#"{"note":"a,b\tc","x":[1,2]}"#, to: "out.tsv", names: ["first", "second"])
        XCTAssertEqual(try contents(path), "note\tfirst\tsecond\n\"a,b\tc\"\t1\t2\n")
    }

    func testCSVCellsForEveryKindOfMember() throws {
        let rows = #"{"n":12.50,"b":true,"nothing":null,"nested":{"k":[1,"v"]},"s":"é","x":[1]}"#
        XCTAssertEqual(try contents(try write(rows, to: "out.csv")), """
            n,b,nothing,nested,s,z0
            12.50,true,,"{""k"":[1,""v""]}",é,1

            """)
    }

    func testTheFirstRowFixesTheCSVColumns() throws {
        let path = try write(#"{"id":1,"label":"a","x":[1]}"# + "\n" + #"{"x":[2],"id":2}"#, to: "out.csv")
        XCTAssertEqual(try contents(path), "id,label,z0\n1,a,1\n2,,2\n")
        assertAEError(#"input line 2 has a member "extra" that the first row lacks"#, at: directory.path("bad.csv")) {
            try write(#"{"id":1,"x":[1]}"# + "\n" + #"{"id":2,"extra":0,"x":[2]}"#, to: "bad.csv")
        }
        assertAEError(#"two columns would be named "z0""#) { try write(#"{"z0":1,"x":[1]}"#, to: "clash.csv") }
        assertAEError(#"input line 2 holds member "id" twice"#) {
            try write(#"{"id":1,"x":[1]}"# + "\n" + #"{"id":2,"id":3,"x":[2]}"#, to: "twice.csv")
        }
    }

    func testCSVRefusesNonFiniteValues() throws {
        assertAEError("cannot write nan in column score") {
            try write(#"{"x":[1]}"#, to: "nan.csv") { _ in [("score", .floats([.nan]))] }
        }
    }

    func testCSVOfArrayRowsHasOnlyTheToolsColumns() throws {
        XCTAssertEqual(try contents(try write("[1,2]\n[3,4]\n", to: "out.csv")), "z0,z1\n1,2\n3,4\n")
    }

    // MARK: HDF5

    func testHDF5PassThroughMembersBecomeTypedDatasets() throws {
        let rows = #"""
            {"id":1,"t":3,"ok":true,"x":[1,2]}
            {"id":9007199254740993,"t":3.5,"ok":false,"x":[3,4]}
            {"id":-4,"t":-7,"ok":true,"x":[5,6]}
            """#
        for batchSize in [1, 2, 3] {
            let file = try HDF5File.open(try write(rows, to: "out\(batchSize).h5", batchSize: batchSize))
            XCTAssertEqual(try file.read("id", as: Int64.self, maxCount: 10), [1, 9_007_199_254_740_993, -4])
            XCTAssertThrowsError(try file.read("t", as: Int64.self, maxCount: 10), "batch \(batchSize): t holds floats")
            XCTAssertEqual(try file.read("t", as: Double.self, maxCount: 10), [3, 3.5, -7], "batch \(batchSize)")
            XCTAssertEqual(try file.read("ok", as: UInt8.self, maxCount: 10), [1, 0, 1])
            XCTAssertEqual(try file.readMatrix("z", maxCount: 10).storage, [1, 2, 3, 4, 5, 6])
            XCTAssertEqual(try file.memberNames(), ["id", "ok", "t", "z"])
        }
    }

    func testHDF5RefusesMembersThatChangeTypeOrGoMissing() throws {
        let cases = [
            (#"{"id":1,"x":[1]}"# + "\n" + #"{"id":"b","x":[1]}"#,
             #"input line 2: member "id" holds "b", where the first row holds numbers"#),
            (#"{"ok":true,"x":[1]}"# + "\n" + #"{"ok":1,"x":[1]}"#, #"member "ok" holds 1, where the first row holds true/false"#),
            (#"{"id":1,"x":[1]}"# + "\n" + #"{"x":[1]}"#, #"input line 2 lacks member "id", which the first row has"#),
            (#"{"x":[1]}"# + "\n" + #"{"id":1,"x":[1]}"#, #"input line 2 has a member "id" that the first row lacks"#),
            (#"{"id":1e999,"x":[1]}"#, #"member "id" holds a number beyond float64"#),
            (#"{"a/b":1,"x":[1]}"#, #"member name "a/b" cannot name an HDF5 dataset"#),
            (#"{"z":1,"x":[1]}"#, #"member "z" would take the name of another dataset"#),
        ]
        for (rows, message) in cases {
            for batchSize in [1, 1000] {
                assertAEError(message, at: directory.path("bad.h5")) { try write(rows, to: "bad.h5", batchSize: batchSize) }
            }
        }
    }

    func testHDF5StringsAndJSONText() throws {
        let rows = #"""
            {"name":"a,\"b\"","meta":{"a":[1,2]},"x":[1]}
            {"name":"é\u00e9","meta":5,"x":[2]}
            {"name":"","meta":null,"x":[3]}
            """#
        for batchSize in [1, 1000] {
            let path = try write(rows, to: "strings.h5", batchSize: batchSize)
            XCTAssertEqual(strings(path, "name"), [#"a,"b""#, "éé", ""])
            XCTAssertEqual(strings(path, "meta"), [#"{"a":[1,2]}"#, "5", "null"])
        }
    }

    /// The variable-length strings of the 1-D dataset `name`, read with the C API.
    private func strings(_ path: String, _ name: String) -> [String] {
        let file = H5Fopen(path, 0, 0)
        defer { H5Fclose(file) }
        let dataset = H5Dopen2(file, name, 0)
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let type = H5Tcopy(H5T_C_S1_g)
        defer { H5Tclose(type) }
        H5Tset_size(type, ae_h5t_variable())
        H5Tset_cset(type, H5T_CSET_UTF8)
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: Int(H5Sget_simple_extent_npoints(space)))
        XCTAssertGreaterThanOrEqual(H5Dread(dataset, type, 0, 0, 0, &pointers), 0)
        defer { pointers.forEach { H5free_memory($0) } }
        return pointers.map { $0.map { String(cString: $0) } ?? "<null>" }
    }
}
