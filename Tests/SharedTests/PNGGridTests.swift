import Foundation
import Shared
import XCTest

final class PNGGridTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("PNGGridTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func assertError(_ expression: @autoclosure () throws -> some Any, _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertEqual((error as? AEError)?.description, message, file: file, line: line)
        }
    }

    // MARK: ImageShape

    func testShapeParsesGreyAndRGB() throws {
        let grey = try ImageShape(parsing: "28x28")
        XCTAssertEqual([grey.height, grey.width, grey.channels, grey.valuesPerImage], [28, 28, 1, 784])
        let rgb = try ImageShape(parsing: "32x16x3")
        XCTAssertEqual([rgb.height, rgb.width, rgb.channels, rgb.valuesPerImage], [32, 16, 3, 1536])
        XCTAssertEqual(try ImageShape(parsing: "5x7x1"), try ImageShape(height: 5, width: 7))
        XCTAssertEqual(rgb.description, "32x16x3")
        XCTAssertEqual(try ImageShape(parsing: "5x7x1").description, "5x7")
    }

    func testShapeParseErrorsSayWhatIsExpected() {
        for text in ["", "28", "28x", "x28", "28x28x3x1", "28 x 28", "+28x28", "28x-1", "axb", "28,28"] {
            assertError(try ImageShape(parsing: text),
                        "image shape '\(text)' is not HxW or HxWxC (e.g. 28x28 or 32x32x3)")
        }
        assertError(try ImageShape(parsing: "0x28"), "image shape 0x28: height and width must be positive")
        assertError(try ImageShape(parsing: "28x28x2"),
                    "image shape 28x28x2: channels must be 1 (grey) or 3 (RGB), got 2")
        assertError(try ImageShape(parsing: "28x28x4"),
                    "image shape 28x28x4: channels must be 1 (grey) or 3 (RGB), got 4")
        assertError(try ImageShape(parsing: "9999999999x9999999999x3"), "image shape 9999999999x9999999999x3 is too large")
    }

    func testSquareGuessOnlyForPerfectSquares() throws {
        XCTAssertEqual(ImageShape.square(rowLength: 784), try ImageShape(height: 28, width: 28))
        XCTAssertEqual(ImageShape.square(rowLength: 1), try ImageShape(height: 1, width: 1))
        XCTAssertNil(ImageShape.square(rowLength: 785))
        XCTAssertNil(ImageShape.square(rowLength: 783))
        XCTAssertNil(ImageShape.square(rowLength: 3072))
        XCTAssertNil(ImageShape.square(rowLength: 0))
        XCTAssertNil(ImageShape.square(rowLength: Int.max))
    }

    func testRowLengthCheckNamesBothSizes() throws {
        let shape = try ImageShape(parsing: "28x28")
        XCTAssertNoThrow(try shape.checkRowLength(784))
        assertError(try shape.checkRowLength(700), "rows have 700 values; shape 28x28 needs 784")
        assertError(try ImageShape(parsing: "4x4x3").checkRowLength(16), "rows have 16 values; shape 4x4x3 needs 48")
    }
}
