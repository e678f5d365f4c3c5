@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest
#if canImport(Glibc)
import Glibc
#endif

extension XCTestCase {
    /// A descriptor reading `bytes` from an unlinked temporary file, closed
    /// when the test ends.
    func descriptor(reading bytes: [UInt8]) -> Int32 {
        var template = Array("\(NSTemporaryDirectory())/ndjson-test-XXXXXX".utf8CString)
        let fileDescriptor = mkstemp(&template)
        precondition(fileDescriptor >= 0, "mkstemp failed")
        unlink(template)
        bytes.withUnsafeBytes { precondition(write(fileDescriptor, $0.baseAddress, $0.count) == $0.count) }
        lseek(fileDescriptor, 0, SEEK_SET)
        addTeardownBlock { close(fileDescriptor) }
        return fileDescriptor
    }

    func descriptor(reading text: String) -> Int32 {
        descriptor(reading: Array(text.utf8))
    }
}

final class NDJSONLineReaderTests: XCTestCase {
    private func lines(
        _ bytes: [UInt8], alreadyRead: [UInt8] = [], chunkSize: Int = ByteLineReader.defaultChunkSize
    ) throws -> [(text: String, number: Int)] {
        let file = FileBytes(descriptor: descriptor(reading: bytes), source: "in", closesDescriptor: false)
        let reader = ByteLineReader(PrefixedBytes(alreadyRead, then: file), chunkSize: chunkSize)
        var result: [(String, Int)] = []
        while let line = try reader.nextLine() {
            XCTAssertEqual(line.bytes[line.count], 0, "line is not NUL-terminated")
            result.append((String(decoding: UnsafeBufferPointer(start: line.bytes, count: line.count), as: UTF8.self), line.number))
        }
        return result
    }

    private func assertLines(_ actual: [(text: String, number: Int)], _ expected: [(String, Int)], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.map(\.text), expected.map(\.0), file: file, line: line)
        XCTAssertEqual(actual.map(\.number), expected.map(\.1), file: file, line: line)
    }

    func testSplitsLinesAndNumbersThem() throws {
        assertLines(try lines(Array("a\nbb\nccc\n".utf8)), [("a", 1), ("bb", 2), ("ccc", 3)])
    }

    func testLastLineWithoutNewline() throws {
        assertLines(try lines(Array("a\nlast".utf8)), [("a", 1), ("last", 2)])
    }

    func testSkipsBlankAndWhitespaceLinesButCountsThem() throws {
        assertLines(try lines(Array("\n  \n\t\r\na\n\n \nb\n\n".utf8)), [("a", 4), ("b", 7)])
    }

    func testStripsCarriageReturns() throws {
        assertLines(try lines(Array("a\r\nb\r\nc\r".utf8)), [("a", 1), ("b", 2), ("c", 3)])
    }

    func testDropsByteOrderMarkOnlyAtTheStart() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let input = bom + Array("a\n".utf8) + bom + Array("b\n".utf8)
        let result = try lines(input)
        XCTAssertEqual(result.count, 2)
        XCTAssertEqual(result[0].text, "a")
        XCTAssertEqual(Array(result[1].text.utf8), bom + Array("b".utf8))
        assertLines(try lines(bom + Array("\nx".utf8)), [("x", 2)])
    }

    func testEmptyInputs() throws {
        XCTAssertTrue(try lines([]).isEmpty)
        XCTAssertTrue(try lines(Array("\n\n  \r\n".utf8)).isEmpty)
        XCTAssertTrue(try lines([0xEF, 0xBB, 0xBF]).isEmpty)
    }

    func testLinesLongerThanTheChunk() throws {
        let long = String(repeating: "0123456789", count: 100)
        let input = "short\n\(long)\nx\n\(long)"
        assertLines(try lines(Array(input.utf8), chunkSize: 16), [("short", 1), (long, 2), ("x", 3), (long, 4)])
        // One byte at a time through the buffer edge, for every chunk size.
        for chunkSize in 2...12 {
            assertLines(try lines(Array("ab\ncde\r\n\nf".utf8), chunkSize: chunkSize), [("ab", 1), ("cde", 2), ("f", 4)])
        }
    }

    func testAMultiMegabyteLineWithTheDefaultChunk() throws {
        let long = String(repeating: "0.25,", count: 600_000)
        let result = try lines(Array("\(long)\nend\n".utf8))
        XCTAssertEqual(result.map(\.text.utf8.count), [long.utf8.count, 3])
    }

    func testBytesTheCallerAlreadyReadComeFirst() throws {
        assertLines(try lines(Array("b\nc\n".utf8), alreadyRead: Array("\u{FEFF}xa\n".utf8)), [("xa", 1), ("b", 2), ("c", 3)])
        assertLines(try lines(Array("rest\n".utf8), alreadyRead: Array("pa".utf8), chunkSize: 2), [("parest", 1)])
    }

    func testReadErrorNamesTheSource() throws {
        let directory = open("/", O_RDONLY)
        defer { close(directory) }
        let reader = ByteLineReader(FileBytes(descriptor: directory, source: "dir.ndjson", closesDescriptor: false))
        XCTAssertThrowsError(try reader.nextLine()) { error in
            XCTAssertEqual((error as? AEError)?.description, "dir.ndjson: cannot read: Is a directory")
        }
    }
}
