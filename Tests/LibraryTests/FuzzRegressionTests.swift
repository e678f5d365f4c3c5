import Foundation
@testable import AECLI
@testable import AECore
@_spi(Fuzzing) @testable import AEIO
import XCTest

/// Replays what the fuzz targets (fuzz/) found through the public API: every
/// input in fuzz/regressions/TARGET must end in success or an `AEError`,
/// never a crash, a trap or a hang.
final class FuzzRegressionTests: XCTestCase {
    private static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz")

    /// The files in `directory` under fuzz/; none when it does not exist
    /// (git keeps no empty regressions directory).
    private func files(in directory: String) throws -> [URL] {
        let url = Self.fuzzDirectory.appendingPathComponent(directory)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Through `ModelFile.load`, with its crash guard: a file that crashes
    /// libhdf5 is one of these inputs, and must become an `AEError` too.
    ///
    /// Under ThreadSanitizer (`make test-sanitize`) the inputs named
    /// `wild-free-*` are left out: libhdf5 frees a wild pointer on them, which
    /// the plain allocator answers with a crash (the guard's `AEError`) but
    /// TSan's allocator with a failed internal check that ends the process.
    func testModelRegressionsLoadOrFailWithAnAEError() throws {
        let underThreadSanitizer = dlsym(dlopen(nil, RTLD_NOW), "__tsan_init") != nil
        for file in try files(in: "regressions/model") {
            if underThreadSanitizer && file.lastPathComponent.hasPrefix("wild-free-") { continue }
            do {
                _ = try ModelFile.load(file.path)
            } catch is AEError {
            } catch {
                XCTFail("\(file.lastPathComponent): \(error)")
            }
        }
    }

    /// The seeds are real models from ae-fit, so they must stay loadable.
    func testModelSeedsLoad() throws {
        let seeds = try files(in: "corpus/model")
        XCTAssertFalse(seeds.isEmpty)
        for file in seeds {
            XCTAssertNoThrow(try ModelFile.load(file.path), file.lastPathComponent)
        }
    }

    /// Through one `PNGDecoder`, as the png target decodes them (after its
    /// options byte, with the CRCs as they are): every input decodes to
    /// values in [0, 1] or fails with an `AEError`, and the seeds (every kind
    /// of PNG the reader converts) decode.
    func testPNGRegressionsDecodeOrFailWithAnAEError() throws {
        let decoder = PNGDecoder()
        let seeds = try files(in: "corpus/png")
        XCTAssertGreaterThanOrEqual(seeds.count, 10)
        for file in try files(in: "regressions/png") + seeds {
            do {
                let bytes = Array(try Data(contentsOf: file).dropFirst())
                let shape = try decoder.decode(bytes, source: file.lastPathComponent)
                var values = [Float](repeating: -1, count: shape.valuesPerImage)
                values.withUnsafeMutableBufferPointer { decoder.writeValues(into: $0) }
                XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 <= 1 }, file.lastPathComponent)
            } catch let error as AEError {
                XCTAssertFalse(seeds.contains(file), "\(file.lastPathComponent): \(error)")
            } catch {
                XCTFail("\(file.lastPathComponent): \(error)")
            }
        }
    }

    /// The fuzz targets take the reader's options from an input's first byte
    /// and the stream from the rest; this replays the stream under every
    /// combination of those options, which includes the one it chose.
    private func replay(_ target: String, read: (String, [UInt8], Int) throws -> Void) throws {
        let directory = try makeTemporaryDirectory()
        for file in try files(in: "regressions/\(target)") + files(in: "corpus/\(target)") {
            let stream = Array(try Data(contentsOf: file).dropFirst())
            let path = directory.path("stream")
            try Data(stream).write(to: URL(fileURLWithPath: path))
            for options in 0..<256 {
                do {
                    try read(path, stream, options)
                } catch is AEError {
                } catch {
                    XCTFail("\(file.lastPathComponent), options \(options): \(error)")
                }
            }
        }
    }

    func testNDJSONRegressionsReadOrFailWithAnAEError() throws {
        try replay("ndjson", read: readAll)
    }

    func testCSVRegressionsReadOrFailWithAnAEError() throws {
        XCTAssertFalse(try files(in: "corpus/csv").isEmpty)
        try replay("csv", read: readAllCSV)
    }

    private func readAll(_ path: String, stream: [UInt8], options: Int) throws {
        let descriptor = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        let alreadyRead = options & 32 != 0 ? Array(stream.prefix(3)) : []
        lseek(descriptor, off_t(alreadyRead.count), SEEK_SET)
        let reader = NDJSONRowReader(
            fileDescriptor: descriptor, source: "fuzz.ndjson", field: options & 1 == 0 ? "x" : "ae",
            expected: options & 2 != 0 ? ExpectedFeatures(width: 3, expectedBy: "the model") : nil, selection: FeatureSelection(),
            droppedFields: options & 64 != 0 ? ["id", "x"] : [], alreadyRead: alreadyRead, wholeArray: options & 128 != 0,
            chunkSize: options & 4 != 0 ? 2 : ByteLineReader.defaultChunkSize)
        var batch = RowBatch()
        if options & 16 != 0 { _ = try reader.header }
        while try reader.readBatch(into: &batch, capacity: options & 8 == 0 ? 64 : 1) > 0 {
            for row in 0..<batch.count { _ = batch.passThrough(row: row) }
            batch.removeAll()
        }
    }

    /// The options as fuzz/Sources/fuzz-csv/CSVReaderOptions.swift decodes them.
    private func readAllCSV(_ path: String, stream: [UInt8], options: Int) throws {
        let descriptor = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        let reader = try CSVRowReader(
            fileDescriptor: descriptor, source: "fuzz.csv", delimiter: options & 1 == 0 ? UInt8(ascii: ",") : UInt8(ascii: "\t"),
            selection: FeatureSelection(columns: options & 16 != 0 ? ["b", "a"] : nil, missing: options & 32 != 0 ? .zero : .error),
            droppedFields: options & 64 != 0 ? ["id"] : [], chunkSize: options & 4 != 0 ? 2 : ByteLineReader.defaultChunkSize)
        if options & 2 != 0 {
            try reader.require(ExpectedFeatures(width: 2, names: ["a", "b"], expectedBy: "the model"))
        } else if options & 128 != 0 {
            try reader.require(ExpectedFeatures(width: 2, expectedBy: "the model"))
        }
        var batch = RowBatch()
        while try reader.readBatch(into: &batch, capacity: options & 8 == 0 ? 64 : 1) > 0 {
            for row in 0..<batch.count { _ = batch.passThrough(row: row) }
            batch.removeAll()
        }
    }
}
