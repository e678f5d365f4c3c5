import Foundation
import AECLI
import AECore
import AEIO
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

    // MARK: ImageGrid layout

    func testGridSizeFollowsTheDocumentedFormula() throws {
        let digit = try ImageShape(parsing: "28x28")
        let tall = try ImageShape(parsing: "5x7")  // height 5, width 7: catches swapped axes
        let cases: [(n: Int, shape: ImageShape, cols: Int?, pad: Int, scale: Int, grid: [Int], size: [Int])] = [
            (1, digit, nil, 2, 1, [1, 1], [32, 32]),
            (10, digit, nil, 2, 1, [4, 3], [4 * 28 + 5 * 2, 3 * 28 + 4 * 2]),
            (16, digit, nil, 2, 1, [4, 4], [122, 122]),
            (17, digit, nil, 2, 1, [5, 4], [5 * 28 + 6 * 2, 4 * 28 + 5 * 2]),
            (10, digit, 3, 2, 1, [3, 4], [3 * 28 + 4 * 2, 4 * 28 + 5 * 2]),
            (3, digit, 10, 2, 1, [3, 1], [3 * 28 + 4 * 2, 28 + 2 * 2]),
            (4, tall, nil, 0, 3, [2, 2], [2 * 21, 2 * 15]),
            (5, tall, 2, 1, 2, [2, 3], [2 * 14 + 3, 3 * 10 + 4]),
            (7, tall, 1, 4, 1, [1, 7], [7 + 8, 7 * 5 + 8 * 4]),
        ]
        for c in cases {
            let grid = try ImageGrid(imageCount: c.n, shape: c.shape, columns: c.cols, padding: c.pad, scale: c.scale)
            XCTAssertEqual([grid.columns, grid.rows], c.grid, "n=\(c.n) cols=\(String(describing: c.cols))")
            XCTAssertEqual([grid.width, grid.height], c.size, "n=\(c.n) pad=\(c.pad) scale=\(c.scale)")
        }
    }

    func testDefaultsArePadTwoScaleOneBlackBackground() throws {
        let grid = try ImageGrid(imageCount: 4, shape: try ImageShape(parsing: "28x28"))
        XCTAssertEqual(grid.padding, 2)
        XCTAssertEqual(grid.scale, 1)
        XCTAssertEqual(grid.background, 0)
    }

    func testCellsArePlacedRowMajor() throws {
        let grid = try ImageGrid(imageCount: 5, shape: try ImageShape(parsing: "5x7"), columns: 2, padding: 1, scale: 2)
        XCTAssertTrue(grid.cellOrigin(0) == (1, 1))
        XCTAssertTrue(grid.cellOrigin(1) == (1 + 14 + 1, 1))
        XCTAssertTrue(grid.cellOrigin(3) == (16, 1 + 10 + 1))
        XCTAssertTrue(grid.cellOrigin(4) == (1, 1 + 2 * 11))
    }

    func testGridRejectsBadSettings() throws {
        let shape = try ImageShape(parsing: "28x28")
        assertError(try ImageGrid(imageCount: 0, shape: shape), "no images to draw")
        assertError(try ImageGrid(imageCount: 4, shape: shape, columns: 0), "grid columns must be at least 1, got 0")
        assertError(try ImageGrid(imageCount: 4, shape: shape, padding: -1), "grid padding must be 0 or more, got -1")
        assertError(try ImageGrid(imageCount: 4, shape: shape, scale: 0), "grid scale must be at least 1, got 0")
        assertError(try ImageGrid(imageCount: 4, shape: shape, scale: 20_000),
                    "a grid of 4 images of 28x28 at scale 20000 would be 1120006x1120006 pixels; "
                        + "a PNG grid may be at most 1000000 pixels a side and 4 GiB")
        assertError(try ImageGrid(imageCount: 4, shape: try ImageShape(parsing: "1000x1000x3"), scale: 400),
                    "a grid of 4 images of 1000x1000x3 at scale 400 would be 800006x800006 pixels; "
                        + "a PNG grid may be at most 1000000 pixels a side and 4 GiB")
        assertError(try ImageGrid(imageCount: 4, shape: shape, scale: Int.max / 2),
                    "a grid of 4 images of 28x28 at scale \(Int.max / 2) would be too large to count; "
                        + "a PNG grid may be at most 1000000 pixels a side and 4 GiB")
    }

    // MARK: Values to bytes

    func testIntensityMapsLinearlyClampsAndRounds() {
        let unit = IntensityRange.unit
        XCTAssertEqual([-1, 0, 0.2, 0.5, 1, 2].map(unit.byte), [0, 0, 51, 128, 255, 255])
        XCTAssertEqual((0...255).map { unit.byte(Float($0) / 255) }, (0...255).map { UInt8($0) })
        XCTAssertEqual([Float.nan, -.infinity, .infinity].map(unit.byte), [0, 0, 255])
        let signed = IntensityRange(low: -1, high: 1)
        XCTAssertEqual([-3, -1, 0, 1, 3].map(signed.byte), [0, 0, 128, 255, 255])
        let huge = IntensityRange(low: -.greatestFiniteMagnitude, high: .greatestFiniteMagnitude)
        XCTAssertEqual([-Float.greatestFiniteMagnitude, 0, .greatestFiniteMagnitude].map(huge.byte), [0, 128, 255])
    }

    func testEmptyRangeIsAStepSoConstantImagesAreBlack() {
        let constant = IntensityRange(low: 3, high: 3)
        XCTAssertEqual([2, 3, 4].map(constant.byte), [0, 0, 255])
    }

    func testSpanningUsesFiniteExtremesOfTheData() {
        XCTAssertEqual(IntensityRange.spanning([3, .nan, -2, .infinity, 7]), IntensityRange(low: -2, high: 7))
        XCTAssertEqual(IntensityRange.spanning([Float]()), .unit)
        XCTAssertEqual(IntensityRange.spanning([Float.nan]), .unit)
    }

    // MARK: Rendering

    func testRenderPlacesValuesAndPaintsPaddingWithBackground() throws {
        let shape = try ImageShape(parsing: "2x2")
        let grid = try ImageGrid(imageCount: 3, shape: shape, columns: 2, padding: 1, background: 7)
        let images = Matrix([[-1, 2, 0.5, 0.2], [.nan, 1, 0, Float(100) / 255], [1, 1, 1, 1]])
        let picture = try grid.render(images, range: .unit)
        XCTAssertEqual([picture.width, picture.height, picture.channels], [7, 7, 1])
        let b: UInt8 = 7
        XCTAssertEqual(picture.bytes, [
            b, b, b, b, b, b, b,
            b, 0, 255, b, 0, 255, b,
            b, 128, 51, b, 0, 100, b,
            b, b, b, b, b, b, b,
            b, 255, 255, b, b, b, b,
            b, 255, 255, b, b, b, b,
            b, b, b, b, b, b, b,
        ])
    }

    func testScaleRepeatsEachPixelAsABlock() throws {
        let shape = try ImageShape(parsing: "2x3")
        let grid = try ImageGrid(imageCount: 1, shape: shape, padding: 0, scale: 3)
        let values: [Float] = [0, 0.2, 0.4, 0.6, 0.8, 1]
        let picture = try grid.render(Matrix([values]), range: .unit)
        XCTAssertEqual([picture.width, picture.height], [9, 6])
        for y in 0..<6 {
            for x in 0..<9 {
                XCTAssertEqual(picture[x, y], IntensityRange.unit.byte(values[(y / 3) * 3 + x / 3]), "at \(x),\(y)")
            }
        }
    }

    func testRGBRowsAreReadInHWCOrder() throws {
        let shape = try ImageShape(parsing: "1x2x3")
        let grid = try ImageGrid(imageCount: 1, shape: shape, padding: 1, scale: 2, background: 9)
        let picture = try grid.render(Matrix([[1, 0, 0, 0, 0.5, 1]]), range: .unit)
        XCTAssertEqual([picture.width, picture.height, picture.channels], [6, 4, 3])
        for y in 1...2 {
            for x in 1...2 { XCTAssertEqual((0..<3).map { picture[x, y, $0] }, [255, 0, 0]) }
            for x in 3...4 { XCTAssertEqual((0..<3).map { picture[x, y, $0] }, [0, 128, 255]) }
        }
        XCTAssertEqual((0..<3).map { picture[0, 0, $0] }, [9, 9, 9])
        XCTAssertEqual((0..<3).map { picture[5, 3, $0] }, [9, 9, 9])
    }

    func testRenderRejectsRowsThatDoNotFitTheShape() throws {
        let grid = try ImageGrid(imageCount: 1, shape: try ImageShape(parsing: "28x28"))
        assertError(try grid.render(Matrix(rows: 1, cols: 700), range: .unit),
                    "rows have 700 values; shape 28x28 needs 784")
    }

    // MARK: PNG files

    func testGreyGridRoundTripsThroughLibpng() throws {
        let shape = try ImageShape(parsing: "8x8")
        let images = Matrix((0..<5).map { i in (0..<64).map { Float(($0 + 11 * i) % 64) / 63 } })
        let picture = try ImageGrid(imageCount: 5, shape: shape, scale: 2, background: 40).render(images, range: .unit)
        try picture.writePNG(to: path("grey.png"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path("grey.png")))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(try PixelImage(pngFile: path("grey.png")), picture)
    }

    func testRGBGridRoundTripsThroughLibpng() throws {
        let shape = try ImageShape(parsing: "4x6x3")
        let images = Matrix((0..<3).map { i in (0..<72).map { Float(($0 * 7 + i) % 72) / 71 * 3 - 1 } })
        let picture = try ImageGrid(imageCount: 3, shape: shape, columns: 2)
            .render(images, range: .spanning(images.storage))
        try picture.writePNG(to: path("rgb.png"))
        let back = try PixelImage(pngFile: path("rgb.png"))
        XCTAssertEqual([back.width, back.height, back.channels], [2 * 6 + 6, 2 * 4 + 6, 3])
        XCTAssertEqual(back, picture)
    }

    func testLargeIncompressibleImageStillEncodes() throws {
        var generator = SystemRandomNumberGenerator()
        let noise = PixelImage(width: 300, height: 200, channels: 3,
                               bytes: (0..<180_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try noise.writePNG(to: path("noise.png"))
        XCTAssertEqual(try PixelImage(pngFile: path("noise.png")), noise)
    }

    func testWritingReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
        let first = PixelImage(width: 2, height: 1, channels: 1, bytes: [1, 2])
        let second = PixelImage(width: 1, height: 1, channels: 1, bytes: [3])
        try first.writePNG(to: path("grid.png"))
        try second.writePNG(to: path("grid.png"))
        XCTAssertEqual(try PixelImage(pngFile: path("grid.png")), second)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["grid.png"])
    }

    func testMissingDirectoryIsReportedWithThePath() {
        let target = path("missing/grid.png")
        assertError(try PixelImage(width: 1, height: 1, channels: 1, bytes: [0]).writePNG(to: target),
                    "cannot write \(target): No such file or directory")
    }

    func testFailedRenameLeavesNoPartialFile() throws {
        let target = path("grid.png")
        try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
        assertError(try PixelImage(width: 1, height: 1, channels: 1, bytes: [0]).writePNG(to: target),
                    "cannot write \(target): Is a directory")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["grid.png"])
    }

    func testUnwritableDirectoryGivesPermissionDeniedAndNoFile() throws {
        try XCTSkipIf(geteuid() == 0, "root may write into any directory")
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.path)
        let target = path("grid.png")
        assertError(try PixelImage(width: 1, height: 1, channels: 1, bytes: [0]).writePNG(to: target),
                    "cannot write \(target): Permission denied")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }

    func testDeviceIsWrittenInPlaceAndItsErrorsReported() throws {
        let image = PixelImage(width: 1, height: 1, channels: 1, bytes: [0])
        try image.writePNG(to: "/dev/null")
        assertError(try image.writePNG(to: "/dev/full"), "cannot write /dev/full: No space left on device")
    }

    func testReadingSomethingElseFailsWithThePath() throws {
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: path("fake.png")))
        XCTAssertThrowsError(try PixelImage(pngFile: path("fake.png"))) { error in
            XCTAssertEqual("\(error)", "\(path("fake.png")): not a PNG file")
        }
        XCTAssertThrowsError(try PixelImage(pngFile: path("absent.png"))) { error in
            XCTAssertEqual("\(error)", "\(path("absent.png")): cannot open: No such file or directory")
        }
    }
}
