@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class NDJSONRowWriterTests: XCTestCase {
    /// Everything `body` writes through a `ByteWriter` of `capacity` bytes,
    /// flushed at the end.
    private func output(capacity: Int = 1 << 20, _ body: (NDJSONRowWriter) throws -> Void) throws -> String {
        let fileDescriptor = descriptor(reading: [])
        let bytes = ByteWriter(fileDescriptor: fileDescriptor, name: "out.ndjson", capacity: capacity)
        let writer = NDJSONRowWriter(output: bytes)
        var thrown: Error?
        do { try body(writer) } catch { thrown = error }
        try bytes.flush()
        if let thrown { throw thrown }
        return contents(of: fileDescriptor)
    }

    private func contents(of fileDescriptor: Int32) -> String {
        lseek(fileDescriptor, 0, SEEK_SET)
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fileDescriptor, &chunk, chunk.count)
            if count <= 0 { break }
            result += chunk[..<count]
        }
        return String(decoding: result, as: UTF8.self)
    }

    func testArrayRows() throws {
        let text = try output { writer in
            try writer.writeArrayRow([1, 0.5, -2, 1e-5, 0, -0.0, 3.4028235e38][...])
            try writer.writeArrayRow([0.1][...])
        }
        XCTAssertEqual(text, "[1,0.5,-2,1e-05,0,-0,3.4028235e+38]\n[0.1]\n")
    }

    func testObjectRowsWithEveryFieldKind() throws {
        let passThrough = Array(#""id":3,"meta":{"a":[1,2]}"#.utf8)
        let text = try output { writer in
            try writer.writeObjectRow(passThrough: passThrough[...], fields: [
                ("z", .floats([0.25, -1][...])),
                ("score", .float(1.25)),
                ("anomaly", .bool(false)),
                ("flag", .bool(true)),
                ("rank", .int(-42)),
                ("note", .string("q\"b\\s\n\r\t\u{8}\u{C}\u{1} é 😀")),
                ("explain", .rawJSON(#"[{"feature":7}]"#)),
                ("we\"ird", .floats([][...])),
            ])
        }
        XCTAssertEqual(
            text,
            #"{"id":3,"meta":{"a":[1,2]},"z":[0.25,-1],"score":1.25,"anomaly":false,"flag":true,"rank":-42,"#
                + #""note":"q\"b\\s\n\r\t\b\f\u0001 é 😀","explain":[{"feature":7}],"we\"ird":[]}"# + "\n"
        )
    }

    func testObjectRowsWithoutPassThroughOrWithoutFields() throws {
        let text = try output { writer in
            try writer.writeObjectRow(passThrough: [][...], fields: [("x", .floats([1, 2][...]))])
            try writer.writeObjectRow(passThrough: Array(#""id":1"#.utf8)[...], fields: [])
            try writer.writeObjectRow(passThrough: [][...], fields: [])
        }
        XCTAssertEqual(text, "{\"x\":[1,2]}\n{\"id\":1}\n{}\n")
    }

    func testHeader() throws {
        let text = try output { writer in
            try writer.writeHeader(.object([
                ("model", .string("m.h5")), ("space", .string("latent")), ("cols", .number(8)),
                ("scale", .number(0.5)), ("tiny", .number(1e-7)), ("list", .array([.null, .bool(true), .array([])])),
                ("nested", .object([])),
            ]))
        }
        XCTAssertEqual(
            text,
            #"{"ae":{"model":"m.h5","space":"latent","cols":8,"scale":0.5,"tiny":1e-07,"list":[null,true,[]],"nested":{}}}"# + "\n"
        )
    }

    func testNonFiniteValuesAreRefusedBeforeTheRowIsWritten() throws {
        let fileDescriptor = descriptor(reading: [])
        let bytes = ByteWriter(fileDescriptor: fileDescriptor, name: "out.ndjson")
        let writer = NDJSONRowWriter(output: bytes)
        try writer.writeArrayRow([1][...])
        XCTAssertThrowsError(try writer.writeArrayRow([2, .nan][...])) { error in
            XCTAssertEqual((error as? AEError)?.description, "out.ndjson:2: cannot write nan: JSON has no NaN or Infinity")
        }
        XCTAssertThrowsError(try writer.writeObjectRow(passThrough: Array(#""id":1"#.utf8)[...], fields: [
            ("z", .floats([1][...])), ("score", .float(-.infinity)),
        ])) { error in
            XCTAssertEqual((error as? AEError)?.message, "cannot write -inf: JSON has no NaN or Infinity")
        }
        XCTAssertThrowsError(try writer.writeHeader(.object([("a", .array([.number(.infinity)]))])))
        try bytes.flush()
        XCTAssertEqual(contents(of: fileDescriptor), "[1]\n")
    }

    func testRowsLargerThanTheBuffer() throws {
        let values = (0..<1000).map { Float($0) / 3 }
        let longID = "\"id\":\"" + String(repeating: "a", count: 200) + "\""
        let text = try output(capacity: 64) { writer in
            try writer.writeArrayRow(values[...])
            try writer.writeObjectRow(passThrough: Array(longID.utf8)[...], fields: [("x", .floats(values[...]))])
        }
        let array = "[" + values.map { shortestText($0) }.joined(separator: ",") + "]"
        XCTAssertEqual(text, array + "\n{" + longID + ",\"x\":" + array + "}\n")
    }

    private func shortestText(_ value: Float) -> String {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    func testReadWriteRoundTrip() throws {
        let input = #"{"id":0,"label":"seven","x":[0,0.3294118,1,1e-05,-2.5]}"# + "\n" + #"{"id":1,"label":"one","x":[1,0,0,0,0]}"# + "\n"
        let reader = NDJSONRowReader(fileDescriptor: descriptor(reading: input), source: "in", field: "x")
        var batch = RowBatch()
        XCTAssertEqual(try reader.readBatch(into: &batch, capacity: 10), 2)
        let text = try output { writer in
            for row in 0..<batch.count {
                try writer.writeObjectRow(passThrough: batch.passThrough(row: row), fields: [("x", .floats(batch.vectors.row(row)))])
            }
        }
        XCTAssertEqual(text, input)
    }

    // MARK: ByteWriter

    func testFullDiskIsAnErrorNamingTheOutput() throws {
        let full = open("/dev/full", O_WRONLY)
        try XCTSkipIf(full < 0, "no /dev/full")
        defer { close(full) }
        let bytes = ByteWriter(fileDescriptor: full, name: "out.ndjson")
        try bytes.write("[1]\n")
        XCTAssertThrowsError(try bytes.flush()) { error in
            XCTAssertEqual((error as? AEError)?.description, "out.ndjson: cannot write: No space left on device")
        }
    }

    func testClosedReaderIsReportedAsSuch() {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])
        defer { close(ends[1]) }
        // The process would die of SIGPIPE before seeing EPIPE; tools leave it
        // at its default, the test ignores it for a moment.
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let outcome = [UInt8]("[1]\n".utf8).withUnsafeBufferPointer {
            ByteWriter.writeAll($0.baseAddress!, count: $0.count, to: ends[1])
        }
        XCTAssertEqual(outcome, .readerClosed)
    }

    func testWritesLargerThanAPipeHoldsArriveWhole() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let readEnd = ends[0]
        let payload = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let received = ReceivedBytes()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while case let count = read(readEnd, &chunk, chunk.count), count > 0 {
                received.bytes += chunk[..<count]
            }
        }
        let bytes = ByteWriter(fileDescriptor: ends[1], name: "<stdout>", capacity: 1 << 16)
        try payload.withUnsafeBytes { try bytes.write(UnsafeRawBufferPointer(rebasing: $0[..<1000])) }
        try payload.withUnsafeBytes { try bytes.write(UnsafeRawBufferPointer(rebasing: $0[1000...])) }
        try bytes.flush()
        close(ends[1])
        reading.wait()
        close(readEnd)
        XCTAssertEqual(received.bytes, payload)
    }
}

/// What a reader thread collected; the test reads it only after that thread ended.
private final class ReceivedBytes: @unchecked Sendable {
    var bytes: [UInt8] = []
}
