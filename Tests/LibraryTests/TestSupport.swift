import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// A directory under the system's temporary directory for one test.
final class TemporaryDirectory {
    let url: URL

    fileprivate init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ae-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

extension XCTestCase {
    /// A fresh directory, removed when the test ends (XCTest keeps test case
    /// objects alive, so a deinitialiser would not run in time).
    func makeTemporaryDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: directory.url) }
        return directory
    }
}

/// Asserts that `body` throws an `AEError` whose message contains `expected`
/// (and, when given, is located at `source`).
func assertAEError<T>(
    _ expected: String, at source: String? = nil, file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> T
) {
    do {
        _ = try body()
        XCTFail("expected an error containing '\(expected)'", file: file, line: line)
    } catch let error as AEError {
        XCTAssertTrue(error.message.contains(expected), "message '\(error.message)' lacks '\(expected)'", file: file, line: line)
        if let source { XCTAssertEqual(error.location?.source, source, file: file, line: line) }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// start[r, :] + Σ_j x[r, j]·w[j, :] for each row r, summed over the inputs
/// j in increasing order, each step fused and each step rounded twice: what
/// a product kernel that keeps the inputs' order gives on an FMA build and
/// on the baseline build. Zero terms are skipped (adding one changes no sum
/// but the sign of a zero), as the sparse kernel skips them.
func inOrderProducts(x: [Float], rows: Int, inputs: Int, w: [Float], width: Int, start: [Float]) -> (fused: [Float], rounded: [Float]) {
    var fused = start, rounded = start
    for r in 0..<rows {
        for j in 0..<inputs where x[r * inputs + j] != 0 {
            let v = x[r * inputs + j]
            for c in 0..<width {
                fused[r * width + c] = fused[r * width + c].addingProduct(v, w[j * width + c])
                rounded[r * width + c] += v * w[j * width + c]
            }
        }
    }
    return (fused, rounded)
}
