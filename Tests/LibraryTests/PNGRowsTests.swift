import Foundation
@testable import AECore
@testable import AEIO
import XCTest

/// PNG images as rows (`PNGRows`, `PNGDecoder`): the values PIL and numpy
/// users expect from every kind of PNG, folders and files as one stream, and
/// the errors that name the file.
final class PNGRowsTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    @discardableResult
    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.path(name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func input(_ paths: [String], width: Int? = nil, droppedFields: [String] = []) throws -> RowInput {
        let input = try RowInput(paths: paths, field: "x", dataset: "x", droppedFields: droppedFields)
        if let width { try input.require(width: width, expectedBy: "the model") }
        return input
    }

    /// Every batch, in order.
    private func batches(_ input: RowInput, capacity: Int = 100) throws -> [RowBatch] {
        var all: [RowBatch] = []
        while let batch = try input.readBatchHere(capacity: capacity) { all.append(batch) }
        return all
    }

    /// The one image of a PNG file, read as a row, and its shape.
    private func image(_ fixture: PNGFixture) throws -> (values: [Float], shape: ImageShape?) {
        let rows = try input([write("image.png", fixture.bytes)])
        let read = try batches(rows)
        XCTAssertEqual(read.map(\.count), [1])
        return (read[0].vectors.storage, rows.imageShape)
    }

    private func files(_ batch: RowBatch) -> [String?] {
        (0..<batch.count).map {
            guard case .string(let file) = batch.passThroughMember("file", row: $0) else { return nil }
            return (file as NSString).lastPathComponent
        }
    }

    private func grey(width: Int, height: Int, _ samples: [Int]) -> PNGFixture {
        PNGFixture(width: width, height: height, colourType: .grey, samples: samples)
    }

    // MARK: Values

    func testGreySamplesAreDividedBy255InRowMajorOrder() throws {
        let samples = [0, 1, 2, 127, 254, 255]
        let (values, shape) = try image(grey(width: 3, height: 2, samples))
        XCTAssertEqual(values, samples.map { Float($0) / 255 })
        XCTAssertEqual(shape, try ImageShape(height: 2, width: 3))
    }

    func testRGBSamplesInterleaveAsHWC() throws {
        let samples = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]
        let (values, shape) = try image(PNGFixture(width: 2, height: 2, colourType: .rgb, samples: samples))
        XCTAssertEqual(values, samples.map { Float($0) / 255 })
        XCTAssertEqual(shape, try ImageShape(height: 2, width: 2, channels: 3))
    }

    func testAlphaIsDroppedWhateverItHolds() throws {
        let rgba = try image(PNGFixture(width: 2, height: 1, colourType: .rgba, samples: [1, 2, 3, 0, 4, 5, 6, 128]))
        XCTAssertEqual(rgba.values, [1, 2, 3, 4, 5, 6].map { Float($0) / 255 })
        XCTAssertEqual(rgba.shape?.channels, 3)
        let greyAlpha = try image(PNGFixture(width: 2, height: 1, colourType: .greyAlpha, samples: [7, 0, 9, 255]))
        XCTAssertEqual(greyAlpha.values, [7, 9].map { Float($0) / 255 })
        XCTAssertEqual(greyAlpha.shape?.channels, 1)
    }

    func testPaletteImagesGiveTheirColoursAndTransparencyIsDropped() throws {
        var fixture = PNGFixture(width: 3, height: 1, colourType: .palette, samples: [2, 0, 1])
        fixture.palette = [[255, 0, 0], [0, 128, 0], [1, 2, 250]]
        let expected = [1, 2, 250, 255, 0, 0, 0, 128, 0].map { Float($0) / 255 }
        XCTAssertEqual(try image(fixture).values, expected)
        fixture.transparency = [0, 100, 255]
        let transparent = try image(fixture)
        XCTAssertEqual(transparent.values, expected)
        XCTAssertEqual(transparent.shape?.channels, 3)
    }

    func testAPaletteOfGreysGivesGrey() throws {
        var fixture = PNGFixture(width: 4, height: 1, colourType: .palette, bitDepth: 2, samples: [3, 2, 1, 0])
        fixture.palette = [[0, 0, 0], [90, 90, 90], [200, 200, 200], [255, 255, 255]]
        let (values, shape) = try image(fixture)
        XCTAssertEqual(values, [255, 200, 90, 0].map { Float($0) / 255 })
        XCTAssertEqual(shape, try ImageShape(height: 1, width: 4))
    }

    func testSixteenBitSamplesKeepTheirPrecision() throws {
        let samples = [0, 1, 256, 12345, 32768, 65535]
        var fixture = PNGFixture(width: 6, height: 1, colourType: .grey, bitDepth: 16, samples: samples)
        XCTAssertEqual(try image(fixture).values, samples.map { Float($0) / 65535 })
        fixture = PNGFixture(width: 1, height: 1, colourType: .rgba, bitDepth: 16, samples: [65535, 300, 0, 1000])
        XCTAssertEqual(try image(fixture).values, [65535, 300, 0].map { Float($0) / 65535 })
    }

    func testGreyOfFewerBitsSpansTheSameRange() throws {
        for depth in [1, 2, 4] {
            let top = (1 << depth) - 1
            let fixture = PNGFixture(width: top + 1, height: 1, colourType: .grey, bitDepth: depth, samples: Array(0...top))
            XCTAssertEqual(try image(fixture).values, (0...top).map { Float($0 * 255 / top) / 255 }, "\(depth) bits")
        }
    }

    func testInterlacedImagesReadLikePlainOnes() throws {
        var generator = SeededGenerator(seed: 3)
        let samples = (0..<(11 * 9 * 3)).map { _ in Int.random(in: 0...255, using: &generator) }
        var fixture = PNGFixture(width: 11, height: 9, colourType: .rgb, samples: samples)
        let plain = try image(fixture).values
        fixture.interlaced = true
        XCTAssertEqual(try image(fixture).values, plain)
        XCTAssertEqual(plain, samples.map { Float($0) / 255 })
    }

    /// The samples as stored, as PIL and numpy give them: a gAMA of 1.0
    /// (which libpng's simplified API would convert to sRGB) changes nothing.
    func testGammaChunksAreIgnored() throws {
        var fixture = grey(width: 3, height: 1, [0, 100, 200])
        fixture.extraChunks = [("gAMA", [0, 1, 0x86, 0xA0])]
        XCTAssertEqual(try image(fixture).values, [0, 100, 200].map { Float($0) / 255 })
    }

    /// What ae-decode draws with the range [0, 1] reads back as the rows it
    /// was drawn from, for every byte value, grey and RGB.
    func testAeDecodesGridsReadBackAsTheRowsDrawn() throws {
        for shape in [try ImageShape(height: 16, width: 16), try ImageShape(height: 8, width: 32, channels: 3)] {
            let row = (0..<shape.valuesPerImage).map { Float($0 % 256) / 255 }
            let grid = try ImageGrid(imageCount: 1, shape: shape, padding: 0)
            let path = directory.path("drawn.png")
            try grid.render(Matrix([row]), range: .unit).writePNG(to: path)
            let rows = try input([path])
            XCTAssertEqual(try batches(rows).first?.vectors.storage, row)
            XCTAssertEqual(rows.imageShape, shape)
            XCTAssertEqual(rows.pixelRange, .unit)
        }
    }

    // MARK: Folders and files

    func testAFolderIsItsPNGFilesInNameOrderWithoutHiddenOnes() throws {
        for (name, value) in [("b.png", 2), ("a.png", 1), ("10.png", 0), (".hidden.png", 9)] {
            try write("images/\(name)", grey(width: 1, height: 1, [value]).bytes)
        }
        try write("images/.DS_Store", [0, 1, 2])
        let read = try batches(try input([directory.path("images")]))
        XCTAssertEqual(read.map(\.count), [3])
        XCTAssertEqual(files(read[0]), ["10.png", "a.png", "b.png"])
        XCTAssertEqual(read[0].vectors.storage, [0, 1, 2].map { Float($0) / 255 })
        XCTAssertEqual(
            String(decoding: read[0].passThrough(row: 1), as: UTF8.self), "\"file\":\"\(directory.path("images"))/a.png\"")
    }

    func testFilesAndFoldersNextToEachOtherShareBatches() throws {
        let first = try write("first.png", grey(width: 1, height: 1, [5]).bytes)
        try write("more/x.png", grey(width: 1, height: 1, [6]).bytes)
        try write("more/y.png", grey(width: 1, height: 1, [7]).bytes)
        let rows = try input([first, directory.path("more/")])
        let read = try batches(rows, capacity: 2)
        XCTAssertEqual(read.map(\.count), [2, 1])
        XCTAssertEqual(read.flatMap(files), ["first.png", "x.png", "y.png"])
        XCTAssertEqual(read.flatMap(\.lineNumbers), [1, 2, 3])
        XCTAssertEqual(read[1].source, "\(first), \(directory.path("more/"))")
    }

    func testTheFileMemberCanBeDropped() throws {
        let path = try write("a.png", grey(width: 1, height: 1, [5]).bytes)
        let rows = try input([path], droppedFields: ["file"])
        XCTAssertEqual(try batches(rows).first.map { $0.passThrough(row: 0).count }, 0)
        XCTAssertEqual(rows.shape, .object)
    }

    func testAnEmptyFolderIsAnEmptyStream() throws {
        try FileManager.default.createDirectory(atPath: directory.path("empty"), withIntermediateDirectories: true)
        XCTAssertEqual(try batches(try input([directory.path("empty")])).count, 0)
    }

    // MARK: Errors

    func testASubfolderIsAnErrorBeforeAnyRow() throws {
        try write("images/a.png", grey(width: 1, height: 1, [1]).bytes)
        try write("images/more/b.png", grey(width: 1, height: 1, [1]).bytes)
        assertAEError("a folder inside a folder of images", at: directory.path("images/more")) {
            try input([directory.path("images")])
        }
    }

    func testAFileThatIsNoPNGEndsTheRowsInFrontOfIt() throws {
        try write("images/a.png", grey(width: 1, height: 1, [1]).bytes)
        try write("images/b.txt", Array("notes".utf8))
        try write("images/c.png", grey(width: 1, height: 1, [3]).bytes)
        let rows = try input([directory.path("images")])
        XCTAssertEqual(try rows.readBatchHere(capacity: 10).map(files), ["a.png"])
        assertAEError("not a PNG file; a folder is read as PNG images (hidden files, named .*, are skipped)",
                      at: directory.path("images/b.txt")) { try rows.readBatchHere(capacity: 10) }
        let named = try write("named.png", Array("[1]\n".utf8))
        assertAEError("not a PNG file", at: named) { try batches(try input([named])) }
    }

    func testImagesOfAnotherSizeOrKindAreErrorsNamingBoth() throws {
        let first = try write("a.png", grey(width: 2, height: 2, [1, 2, 3, 4]).bytes)
        let wide = try write("b.png", grey(width: 4, height: 1, [1, 2, 3, 4]).bytes)
        let colour = try write("c.png", PNGFixture(width: 2, height: 2, colourType: .rgb, samples: Array(0..<12)).bytes)
        assertAEError("a 1x4 grey image, but \(first) is 2x2 grey; all images must be one size, and all grey or all RGB", at: wide) {
            try batches(try input([first, wide]))
        }
        assertAEError("a 2x2 RGB image, but \(first) is 2x2 grey", at: colour) { try batches(try input([first, colour])) }
    }

    func testTheModelsWidthIsCheckedAtTheFirstImage() throws {
        let path = try write("a.png", grey(width: 2, height: 2, [1, 2, 3, 4]).bytes)
        assertAEError("a 2x2 grey image holds 4 values; the model expects 5", at: path) {
            try batches(try input([path], width: 5))
        }
    }

    func testTruncatedAndDamagedFilesSaySo() throws {
        let good = PNGFixture(width: 8, height: 8, colourType: .rgb, samples: (0..<192).map { $0 }).bytes
        let cut = try write("cut.png", Array(good.prefix(good.count - 20)))
        assertAEError("truncated PNG file", at: cut) { try batches(try input([cut])) }
        var header = good
        header[29] ^= 0xFF
        let badHeader = try write("crc.png", header)
        assertAEError("damaged PNG file: IHDR: CRC error", at: badHeader) { try batches(try input([badHeader])) }
        var data = good
        data[data.count - 20] ^= 0xFF
        let badData = try write("data.png", data)
        assertAEError("damaged PNG file: IDAT: ", at: badData) { try batches(try input([badData])) }
    }

    /// A header may declare any size; the reader refuses one too large for
    /// a row before it allocates for it.
    func testAHugeDeclaredImageIsRefusedBeforeAllocating() throws {
        let header = PNGFixture.chunk("IHDR", [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 2, 0, 0, 0])
        let bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + header
            + PNGFixture.chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + PNGFixture.chunk("IEND", [])
        let path = try write("huge.png", bytes)
        assertAEError("a 100000x100000 image is too large: rows hold at most 1048576 values", at: path) {
            try batches(try input([path]))
        }
    }
}
