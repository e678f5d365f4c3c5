import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// The PNG grid as ae-decode writes it: shape and range from the model or
/// the options, the grid hint from the header, the size bound, and the file
/// read back with libpng.
final class DecodeGridTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory().url
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func model(width: Int, loss: Loss, normalization: Normalization? = nil, shape: ImageShape? = nil) -> TrainedModel {
        let architecture = Architecture(kind: .vae, inputWidth: width, hidden: [4], latent: 2, activation: .relu, loss: loss)
        return TrainedModel(
            network: Autoencoder(architecture: architecture),
            normalization: normalization ?? Normalization(fitting: .none, to: Matrix(rows: 1, cols: width)), imageShape: shape)
    }

    private func options(_ arguments: [String]) throws -> GridOptions {
        try GridOptions.parse(arguments)
    }

    /// Rows of `count` images of `width` values, image i holding i + k/100 at value k.
    private func images(_ count: Int, width: Int) -> Matrix {
        Matrix(rows: count, cols: width, storage: (0..<count * width).map { Float($0 / width) + Float($0 % width) / 100 })
    }

    // MARK: Value range

    func testBCEModelsDrawTheSigmoidRangeInDataUnits() {
        XCTAssertEqual(model(width: 4, loss: .bce).outputRange, IntensityRange(low: 0, high: 1))
        let scaled = Normalization(method: .minmax, shift: [-1, 0, 2, 5], scale: [2, 1, 1, 10])
        XCTAssertEqual(model(width: 4, loss: .bce, normalization: scaled).outputRange, IntensityRange(low: -1, high: 15))
    }

    func testMinmaxModelsDrawTheirTrainingRange() {
        let scaled = Normalization(method: .minmax, shift: [0, 10], scale: [255, 245])
        XCTAssertEqual(model(width: 2, loss: .mse, normalization: scaled).outputRange, IntensityRange(low: 0, high: 255))
    }

    func testUnboundedModelsHaveNoRange() {
        XCTAssertNil(model(width: 2, loss: .mse).outputRange)
        let standard = Normalization(method: .standard, shift: [0, 1], scale: [1, 2])
        XCTAssertNil(model(width: 2, loss: .mse, normalization: standard).outputRange)
    }

    // MARK: Writing

    func testGreyGridFromTheModelShapeReadsBackWithLibpng() throws {
        let shape = try ImageShape(parsing: "2x3")
        let rows = Matrix([[0, 0.2, 0.4, 0.6, 0.8, 1], [1, 1.5, -1, 0.5, 0.5, 0.5], [0.25, 0.25, 0.25, 0.25, 0.25, 0.25]])
        try options([]).write(rows, model: model(width: 6, loss: .bce, shape: shape), header: nil, to: path("g.png"))
        let image = try PixelImage(pngFile: path("g.png"))
        // Two columns (ceil(sqrt(3))), two rows, pad 2: 2*3 + 3*2 by 2*2 + 3*2.
        XCTAssertEqual([image.width, image.height, image.channels], [12, 10, 1])
        XCTAssertEqual((0..<3).map { image[2 + $0, 2] }, [0, 51, 102])
        XCTAssertEqual((0..<3).map { image[2 + $0, 3] }, [153, 204, 255])
        XCTAssertEqual((0..<3).map { image[7 + $0, 2] }, [255, 255, 0], "clamped, never wrapped")
        XCTAssertEqual(image[2, 6], 64)
        XCTAssertEqual(image[7, 6], 0, "the empty last cell is background")
        XCTAssertEqual(image[0, 0], 0)
    }

    func testShapeColumnsPaddingAndScaleFromTheOptions() throws {
        let rows = images(5, width: 12)
        let grid = try options(["--shape", "3x4", "--cols", "2", "--pad", "1", "--scale", "3", "--value-range", "0:5"])
        try grid.write(rows, model: model(width: 12, loss: .mse), header: nil, to: path("o.png"))
        let image = try PixelImage(pngFile: path("o.png"))
        XCTAssertEqual([image.width, image.height, image.channels], [2 * 4 * 3 + 3 * 1, 3 * 3 * 3 + 4 * 1, 1])
        // Image 3 sits in grid row 1, column 1; its pixel (y 2, x 1) holds 3 + 9/100.
        let origin = (x: 1 + 12 + 1, y: 1 + 9 + 1)
        for dy in 0..<3 {
            for dx in 0..<3 {
                XCTAssertEqual(image[origin.x + 3 + dx, origin.y + 6 + dy], IntensityRange(low: 0, high: 5).byte(3.09))
            }
        }
    }

    func testRGBGridKeepsChannelsInHWCOrder() throws {
        let rows = Matrix([[1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]])
        try options(["--shape", "2x2x3", "--pad", "0"]).write(rows, model: model(width: 12, loss: .bce), header: nil, to: path("c.png"))
        let image = try PixelImage(pngFile: path("c.png"))
        XCTAssertEqual([image.width, image.height, image.channels], [2, 2, 3])
        XCTAssertEqual(image.bytes, [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
    }

    func testSquareGuessAndTheHeaderHintForColumns() throws {
        let header: JSONValue = .object([("model", .string("m.h5")), ("space", .string("latent")), ("cols", .number(5))])
        try options([]).write(images(10, width: 9), model: model(width: 9, loss: .mse), header: header, to: path("h.png"))
        let image = try PixelImage(pngFile: path("h.png"))
        XCTAssertEqual([image.width, image.height], [5 * 3 + 6 * 2, 2 * 3 + 3 * 2])
        // Without a range the decoded values' span maps to 0...255.
        XCTAssertEqual(image[2, 2], 0)
        XCTAssertEqual(image[4 * 5 + 2 + 2, 5 + 2 + 2], 255)
        try options(["--cols", "10"]).write(images(10, width: 9), model: model(width: 9, loss: .mse), header: header, to: path("w.png"))
        XCTAssertEqual(try PixelImage(pngFile: path("w.png")).width, 10 * 3 + 11 * 2)
    }

    func testUnknownShapeAndMismatchedShapeAreErrors() throws {
        XCTAssertThrowsError(try options([]).write(images(2, width: 10), model: model(width: 10, loss: .mse), header: nil, to: path("x.png"))) {
            XCTAssertEqual(($0 as? AEError)?.message,
                           "cannot tell the image shape of rows of 10 values: give --shape HxW[xC] (or train the model with ae-fit --image HxW[xC])")
        }
        XCTAssertThrowsError(try options(["--shape", "3x3"]).write(images(2, width: 10), model: model(width: 10, loss: .mse), header: nil, to: path("x.png"))) {
            XCTAssertEqual(($0 as? AEError)?.message, "rows have 10 values; shape 3x3 needs 9")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.png")))
    }

    func testGridOptionsRejectBadValues() {
        for arguments in [["--cols", "0"], ["--pad", "-1"], ["--scale", "0"], ["--value-range", "1:1"], ["--value-range", "2:1"],
                          ["--value-range", "a:b"], ["--shape", "3x3x2"]] {
            XCTAssertThrowsError(try options(arguments), "\(arguments)")
        }
        XCTAssertEqual(try options(["--value-range=-1:1"]).valueRange, ValueInterval(low: -1, high: 1))
    }

    func testPNGOutputIsChosenByTheExtensionUnlessAFormatIsGiven() throws {
        XCTAssertTrue(try OutputOptions<RowOrPNGFiles>.parse(["-o", "grid.PNG"]).drawsPNG)
        XCTAssertFalse(try OutputOptions<RowOrPNGFiles>.parse(["-o", "grid.png", "--format", "ndjson"]).drawsPNG)
        XCTAssertFalse(try OutputOptions<RowOrPNGFiles>.parse(["-o", "grid.ndjson"]).drawsPNG)
        XCTAssertFalse(try OutputOptions<RowOrPNGFiles>.parse([]).drawsPNG)
    }

    // MARK: Bound

    func testAGridHoldsABoundedNumberOfRows() throws {
        var rows = ImageGridRows()
        XCTAssertNoThrow(try rows.checkRoom(for: ImageGridRows.maximumImages, width: 784))
        rows.append(images(3, width: 2))
        rows.append(images(2, width: 2))
        XCTAssertEqual(rows.count, 5)
        XCTAssertEqual(rows.images?.row(4), images(2, width: 2).row(1))
        let message = "too many rows for a PNG grid, which holds at most 65536 images and 268435456 values (1 GiB); "
            + "take fewer rows (e.g. with head) or write NDJSON or HDF5"
        XCTAssertThrowsError(try rows.checkRoom(for: ImageGridRows.maximumImages - 4, width: 2)) {
            XCTAssertEqual(($0 as? AEError)?.message, message)
        }
        XCTAssertThrowsError(try ImageGridRows().checkRoom(for: 1000, width: 1 << 20)) {
            XCTAssertEqual(($0 as? AEError)?.message, message)
        }
    }

    func testAGridPictureHoldsABoundedNumberOfBytes() throws {
        let digit = try ImageShape(parsing: "28x28")
        XCTAssertNoThrow(try ImageGridRows.checkPicture(ImageGrid(imageCount: 65_536, shape: digit, scale: 1)))
        XCTAssertNoThrow(try ImageGridRows.checkPicture(ImageGrid(imageCount: 65_536, shape: digit, scale: 4)))
        XCTAssertThrowsError(try ImageGridRows.checkPicture(ImageGrid(imageCount: 65_536, shape: digit, scale: 5))) {
            XCTAssertEqual(($0 as? AEError)?.message,
                           "a grid of 65536 images of 28x28 at scale 5 would be 36354x36354 pixels (1260 MiB); "
                               + "a PNG grid may take at most 1024 MiB: lower --scale or take fewer rows")
        }
    }
}
