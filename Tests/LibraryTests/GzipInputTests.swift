import Foundation
@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

/// gzip-compressed input, told apart by its magic bytes: it reads like the
/// plain stream, whatever is inside.
final class GzipInputTests: XCTestCase {
    /// `bytes` compressed by gzip(1), the compressor users have.
    static func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ae-gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("data")
        try Data(bytes).write(to: plain)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-n", plain.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return Array(try Data(contentsOf: directory.appendingPathComponent("data.gz")))
    }

    private func rows(_ path: String) throws -> RowBatch {
        var batch = RowBatch()
        let input = try RowInput(paths: [path], field: "x", dataset: "x")
        while try input.readBatch(into: &batch, capacity: 7) > 0 {}
        return batch
    }

    private static let text = (0..<100).map { "{\"id\":\($0),\"x\":[\($0).5,-1,\($0 % 3)]}" }.joined(separator: "\n") + "\n"

    func testGzippedNDJSONReadsLikeThePlainFile() throws {
        let directory = try makeTemporaryDirectory()
        try Data(Self.text.utf8).write(to: URL(fileURLWithPath: directory.path("x.ndjson")))
        try Data(Self.gzipped(Array(Self.text.utf8))).write(to: URL(fileURLWithPath: directory.path("x.gz")))
        let plain = try rows(directory.path("x.ndjson")), compressed = try rows(directory.path("x.gz"))
        XCTAssertEqual(compressed.count, 100)
        XCTAssertEqual(compressed.vectors, plain.vectors)
        XCTAssertEqual(compressed.lineNumbers, plain.lineNumbers)
        XCTAssertEqual(String(decoding: compressed.passThrough(row: 42), as: UTF8.self), "\"id\":42")
    }

    func testMembersOneAfterAnotherReadAsOneStream() throws {
        let directory = try makeTemporaryDirectory()
        let half = Self.text.split(separator: "\n").count / 2
        let lines = Self.text.split(separator: "\n")
        let first = lines[..<half].joined(separator: "\n") + "\n", second = lines[half...].joined(separator: "\n") + "\n"
        let joined = try Self.gzipped(Array(first.utf8)) + Self.gzipped(Array(second.utf8))
        try Data(joined).write(to: URL(fileURLWithPath: directory.path("x.gz")))
        XCTAssertEqual(try rows(directory.path("x.gz")).count, 100)
    }

    func testTruncatedDataDeliversTheRowsBeforeTheCutThenFails() throws {
        let directory = try makeTemporaryDirectory()
        let long = (0..<20_000).map { "[\($0),1,2]" }.joined(separator: "\n") + "\n"
        let compressed = try Self.gzipped(Array(long.utf8))
        let path = directory.path("cut.gz")
        try Data(compressed.prefix(compressed.count / 2)).write(to: URL(fileURLWithPath: path))
        let input = try RowInput(paths: [path], field: "x", dataset: "x")
        var batch = RowBatch()
        var delivered = 0
        XCTAssertThrowsError(try { while try input.readBatch(into: &batch, capacity: 100) > 0 { delivered = batch.count } }()) { error in
            XCTAssertEqual((error as? AEError)?.description, "\(path): truncated gzip data")
        }
        XCTAssertGreaterThan(delivered, 1000)
        XCTAssertEqual(batch.vectors.row(delivered - 1).first, Float(delivered - 1), "rows arrive whole and in order")
    }

    func testDamagedDataIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        var compressed = try Self.gzipped(Array(Self.text.utf8))
        compressed[compressed.count - 6] ^= 0xFF
        let path = directory.path("bad.gz")
        try Data(compressed).write(to: URL(fileURLWithPath: path))
        assertAEError("damaged gzip data: incorrect data check", at: path) { try rows(path) }
    }

    func testGzippedHDF5IsReadThroughMemory() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.path("x.h5")
        let file = try HDF5File.create(path)
        try file.write(Matrix([[1, 2], [3, 4], [5, 6]]), to: "x")
        try file.close()
        let compressed = try Self.gzipped(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        try Data(compressed).write(to: URL(fileURLWithPath: directory.path("x.h5.gz")))
        XCTAssertEqual(try rows(directory.path("x.h5.gz")).vectors, Matrix([[1, 2], [3, 4], [5, 6]]))
    }
}
