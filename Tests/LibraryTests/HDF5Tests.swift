import CHDF5
import Foundation
import AECLI
import AECore
import AEIO
import XCTest

final class HDF5Tests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    private func path(_ name: String) -> String { directory.path(name) }

    private func assertError<T>(
        _ expected: String, at source: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T
    ) {
        assertAEError(expected, at: source, file: file, line: line, body)
    }

    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
    private func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

    private static let awkwardFloats: [Float] = [
        0, -0.0, 1, -1, .pi, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
        .infinity, -.infinity, .nan, Float(bitPattern: 0x7FC0_1234), 1e-30, 3.4e38,
    ]

    // MARK: Round trips

    func testMatrixRoundTripIsBitExact() throws {
        let matrix = Matrix(rows: 2, cols: 7, storage: Self.awkwardFloats)
        let file = try HDF5File.create(path("m.h5"))
        try file.write(matrix, to: "weights/w")
        try file.close()

        let reopened = try HDF5File.open(path("m.h5"))
        XCTAssertEqual(try reopened.shape(of: "weights/w"), [2, 7])
        let back = try reopened.readMatrix("weights/w", maxCount: 100)
        XCTAssertEqual(back.rows, 2)
        XCTAssertEqual(back.cols, 7)
        XCTAssertEqual(bits(back.storage), bits(matrix.storage))
    }

    func testVectorsRoundTripBitExact() throws {
        let floats = Self.awkwardFloats
        let doubles: [Double] = [0, -0.0, .pi, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity, .nan, 1e300]
        let ints: [Int64] = [0, 1, -1, .min, .max, 1 << 53 + 1]
        let bytes = (0 ... 255).map(UInt8.init)
        let file = try HDF5File.create(path("v.h5"))
        try file.write(floats, to: "f")
        try file.write(doubles, to: "d")
        try file.write(ints, to: "i")
        try file.write(bytes, to: "u")
        try file.write([Float](), to: "empty")
        try file.write(Matrix(rows: 0, cols: 3), to: "no-rows")
        try file.close()

        let reopened = try HDF5File.open(path("v.h5"))
        XCTAssertEqual(bits(try reopened.read("f", as: Float.self, maxCount: 100)), bits(floats))
        XCTAssertEqual(bits(try reopened.read("d", as: Double.self, maxCount: 100)), bits(doubles))
        XCTAssertEqual(try reopened.read("i", as: Int64.self, maxCount: 100), ints)
        XCTAssertEqual(try reopened.read("u", as: UInt8.self, maxCount: 300), bytes)
        XCTAssertEqual(try reopened.read("u", as: Int64.self, maxCount: 300), bytes.map(Int64.init))
        XCTAssertEqual(try reopened.read("empty", as: Float.self, maxCount: 0), [])
        XCTAssertEqual(try reopened.readMatrix("no-rows", maxCount: 0), Matrix(rows: 0, cols: 3))
    }

    func testWritingADatasetAgainReplacesIt() throws {
        let file = try HDF5File.createInMemory(name: "<mem>")
        try file.write([1, 2, 3] as [Float], to: "x")
        try file.write([7] as [Int64], to: "x")
        XCTAssertEqual(try file.read("x", as: Int64.self, maxCount: 10), [7])
    }

    func testAttributesRoundTripOnRootGroupsAndDatasets() throws {
        let file = try HDF5File.create(path("a.h5"))
        try file.createGroup("encoder")
        try file.write([1, 2] as [Float], to: "encoder/bias")
        for target in ["/", "encoder", "/encoder/bias"] {
            try file.setAttribute("format", to: "ae-model ✓ ünïcode", on: target)
            try file.setAttribute("empty", to: "", on: target)
            try file.setAttribute("latent", to: Int.min, on: target)
            try file.setAttribute("hidden", to: [256, 128, -1, .max], on: target)
            try file.setAttribute("beta", to: Double.leastNonzeroMagnitude, on: target)
            try file.setAttribute("history", to: [0.5, -.infinity, .pi], on: target)
            try file.setAttribute("none", to: [Int](), on: target)
            try file.setAttribute("nothing", to: [Double](), on: target)
        }
        try file.close()

        let reopened = try HDF5File.open(path("a.h5"))
        for target in ["/", "encoder", "/encoder/bias"] {
            XCTAssertEqual(try reopened.stringAttribute("format", on: target), "ae-model ✓ ünïcode")
            XCTAssertEqual(try reopened.stringAttribute("empty", on: target), "")
            XCTAssertEqual(try reopened.intAttribute("latent", on: target), Int.min)
            XCTAssertEqual(try reopened.intArrayAttribute("hidden", on: target), [256, 128, -1, .max])
            XCTAssertEqual(try reopened.doubleAttribute("beta", on: target)?.bitPattern, Double.leastNonzeroMagnitude.bitPattern)
            XCTAssertEqual(try reopened.doubleArrayAttribute("history", on: target).map(bits), bits([0.5, -.infinity, .pi]))
            XCTAssertEqual(try reopened.intArrayAttribute("none", on: target), [])
            XCTAssertEqual(try reopened.doubleArrayAttribute("nothing", on: target), [])
            XCTAssertNil(try reopened.stringAttribute("absent", on: target))
            XCTAssertNil(try reopened.intAttribute("absent", on: target))
            XCTAssertNil(try reopened.doubleArrayAttribute("absent", on: target))
        }
        // Integers widen to Double on reading.
        XCTAssertEqual(try reopened.doubleAttribute("latent"), Double(Int.min))
        XCTAssertEqual(try reopened.doubleArrayAttribute("hidden")?.prefix(2), [256, 128])
    }

    func testSettingAnAttributeAgainReplacesItsValueAndType() throws {
        let file = try HDF5File.createInMemory(name: "<mem>")
        try file.setAttribute("kind", to: 1)
        try file.setAttribute("kind", to: "vae")
        XCTAssertEqual(try file.stringAttribute("kind"), "vae")
        try file.setAttribute("kind", to: [1.5, 2.5])
        XCTAssertEqual(try file.doubleArrayAttribute("kind"), [1.5, 2.5])
    }

    func testAttributeOfTheWrongKindOrShapeIsRefused() throws {
        let file = try HDF5File.createInMemory(name: "model.h5")
        try file.setAttribute("kind", to: "vae")
        try file.setAttribute("latent", to: 8)
        try file.setAttribute("hidden", to: [256, 128])
        try file.setAttribute("beta", to: 0.5)
        assertError("attribute 'kind' on '/' holds strings; expected integers", at: "model.h5") { try file.intAttribute("kind") }
        assertError("attribute 'latent' on '/' holds integers; expected a string", at: "model.h5") { try file.stringAttribute("latent") }
        assertError("attribute 'beta' on '/' holds floating-point numbers; expected integers", at: "model.h5") {
            try file.intAttribute("beta")
        }
        assertError("attribute 'hidden' on '/' holds 2 values; expected one", at: "model.h5") { try file.intAttribute("hidden") }
        assertError("attribute 'latent' on '/' holds a single value; expected a 1-D array", at: "model.h5") {
            try file.intArrayAttribute("latent")
        }
        assertError("no object 'decoder'", at: "model.h5") { try file.stringAttribute("kind", on: "decoder") }
        assertError("no object 'decoder'", at: "model.h5") { try file.setAttribute("kind", to: 1, on: "decoder") }
    }

    func testGroupsAreCreatedWithParentsAndListed() throws {
        let file = try HDF5File.createInMemory(name: "<mem>")
        try file.createGroup("encoder/layers/0")
        try file.createGroup("encoder/layers/0")
        try file.createGroup("/decoder")
        try file.write([1] as [Float], to: "stats/mean")
        XCTAssertTrue(file.exists("/"))
        XCTAssertTrue(file.exists("encoder/layers"))
        XCTAssertTrue(file.exists("/encoder/layers/0"))
        XCTAssertTrue(file.exists("stats/mean"))
        XCTAssertFalse(file.exists("encoder/missing/deeper"))
        XCTAssertFalse(file.exists("stats/mean/below"))
        XCTAssertEqual(try file.memberNames(), ["decoder", "encoder", "stats"])
        XCTAssertEqual(try file.memberNames(ofGroup: "encoder/layers"), ["0"])
        XCTAssertEqual(try file.memberNames(ofGroup: "decoder"), [])
        assertError("no group 'calibration'", at: "<mem>") { try file.memberNames(ofGroup: "calibration") }
        assertError("'stats/mean' is not a group", at: "<mem>") { try file.memberNames(ofGroup: "stats/mean") }
        assertError("cannot create group 'stats/mean'", at: "<mem>") { try file.createGroup("stats/mean") }
        assertError("cannot write dataset 'encoder'", at: "<mem>") { try file.write([1] as [Float], to: "encoder") }
    }

    // MARK: In-memory files

    func testInMemoryFileImageOpensAgain() throws {
        let file = try HDF5File.createInMemory(name: "<stdout>")
        try file.write(Matrix([[1, 2], [3, 4]]), to: "z")
        try file.setAttribute("space", to: "latent")
        let image = try file.fileImage()
        try file.close()
        XCTAssertTrue(HDF5File.hasSignature(image))

        let reopened = try HDF5File.open(image: image, name: "<stdin>")
        XCTAssertEqual(reopened.name, "<stdin>")
        XCTAssertEqual(try reopened.readMatrix("z", maxCount: 4), Matrix([[1, 2], [3, 4]]))
        XCTAssertEqual(try reopened.stringAttribute("space"), "latent")

        try Data(image).write(to: URL(fileURLWithPath: path("image.h5")))
        XCTAssertEqual(try HDF5File.open(path("image.h5")).readMatrix("z", maxCount: 4), Matrix([[1, 2], [3, 4]]))
    }

    func testInMemoryFilesOfTheSameNameAreIndependent() throws {
        let first = try HDF5File.createInMemory(name: "<stdout>")
        let second = try HDF5File.createInMemory(name: "<stdout>")
        try first.write([1] as [Float], to: "x")
        try second.write([2] as [Float], to: "x")
        XCTAssertEqual(try first.read("x", as: Float.self, maxCount: 1), [1])
        XCTAssertEqual(try second.read("x", as: Float.self, maxCount: 1), [2])
        let image = try first.fileImage()
        let a = try HDF5File.open(image: image, name: "<stdin>")
        let b = try HDF5File.open(image: image, name: "<stdin>")
        XCTAssertEqual(try a.read("x", as: Float.self, maxCount: 1), try b.read("x", as: Float.self, maxCount: 1))
    }

    func testSignatureCheck() {
        XCTAssertTrue(HDF5File.hasSignature([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 0]))
        XCTAssertFalse(HDF5File.hasSignature([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A]))
        XCTAssertFalse(HDF5File.hasSignature([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        XCTAssertFalse(HDF5File.hasSignature(Array("[0.1, 0.2]\n".utf8)))
        XCTAssertFalse(HDF5File.hasSignature([UInt8]()))
    }

    // MARK: Streaming

    func testRowWriterAppendsBlocksThatReadBackInAnyRange() throws {
        let cols = 1000 // 65 rows per chunk, so blocks cross chunk boundaries
        func row(_ index: Int) -> [Float] { (0 ..< cols).map { Float(index * cols + $0) } }
        let file = try HDF5File.create(path("rows.h5"))
        let writer = try HDF5RowWriter("x", cols: cols, in: file)
        var written = 0
        for blockSize in [1, 64, 0, 200, 7, 130] {
            try writer.append(Matrix(rows: blockSize, cols: cols, storage: (written ..< written + blockSize).flatMap(row)))
            written += blockSize
        }
        XCTAssertEqual(writer.rows, written)
        writer.close()
        try file.close()

        let dataset = try HDF5Dataset("x", in: HDF5File.open(path("rows.h5")))
        XCTAssertEqual(dataset.rows, written)
        XCTAssertEqual(dataset.cols, cols)
        XCTAssertEqual(dataset.storedType, "float32")
        for range in [0 ..< 1, 0 ..< written, 60 ..< 70, 129 ..< 131, written - 1 ..< written, 5 ..< 5] {
            XCTAssertEqual(try dataset.readRows(range), Matrix(rows: range.count, cols: cols, storage: range.flatMap(row)))
        }
        var batch = Matrix(rows: 0, cols: cols)
        var collected: [Float] = []
        for start in stride(from: 0, to: written, by: 100) {
            try dataset.readRows(start ..< min(start + 100, written), into: &batch)
            collected += batch.storage
        }
        XCTAssertEqual(collected, (0 ..< written).flatMap(row))
        try dataset.readRows(3 ..< 5, into: &batch)
        XCTAssertEqual(batch.rows, 2)
        XCTAssertEqual(batch.storage, row(3) + row(4))
    }

    func testColumnWritersAppendFloatsAndFlags() throws {
        let file = try HDF5File.createInMemory(name: "<stdout>")
        let scores = try HDF5ColumnWriter<Float>("score", in: file)
        let flags = try HDF5ColumnWriter<UInt8>("anomaly", in: file)
        var expectedScores: [Float] = []
        var expectedFlags: [UInt8] = []
        for block in 0 ..< 5 {
            let values = (0 ..< 30_000).map { Float(block) + Float($0) / 65536 }
            try scores.append(values)
            try flags.append(values.map { $0 > 2.2 ? 1 : 0 })
            expectedScores += values
            expectedFlags += values.map { $0 > 2.2 ? 1 : 0 }
        }
        XCTAssertEqual(scores.count, 150_000)
        XCTAssertEqual(flags.count, 150_000)
        let reopened = try HDF5File.open(image: file.fileImage(), name: "<stdin>")
        XCTAssertEqual(try reopened.read("score", as: Float.self, maxCount: 150_000), expectedScores)
        XCTAssertEqual(try reopened.read("anomaly", as: UInt8.self, maxCount: 150_000), expectedFlags)
    }

    func testZeroRowDatasetOpensEmpty() throws {
        let file = try HDF5File.createInMemory(name: "<mem>")
        _ = try HDF5RowWriter("x", cols: 4, in: file)
        let dataset = try HDF5Dataset("x", in: file)
        XCTAssertEqual(dataset.rows, 0)
        XCTAssertEqual(dataset.cols, 4)
        XCTAssertEqual(try dataset.readRows(0 ..< 0), Matrix(rows: 0, cols: 4))
    }

    func testFloat64AndIntegerDatasetsAreReadAsFloat() throws {
        let file = try HDF5File.create(path("typed.h5"))
        try file.close()
        try writeRaw(path("typed.h5"), "f64", type: H5T_IEEE_F64BE_g, dims: [2, 3], values: [0.1, -2.5, 1e300, 3, 4, -1e-50] as [Double],
                     memoryType: H5T_NATIVE_DOUBLE_g)
        try writeRaw(path("typed.h5"), "i32", type: H5T_STD_I32LE_g, dims: [3, 2], values: [0, -1, 16_777_217, 7, 8, 9] as [Int32],
                     memoryType: H5T_NATIVE_INT_g)
        try writeRaw(path("typed.h5"), "u16", type: H5T_STD_U16BE_g, dims: [1, 2], values: [65535, 1] as [UInt16],
                     memoryType: H5T_NATIVE_USHORT_g)

        let reopened = try HDF5File.open(path("typed.h5"))
        let f64 = try HDF5Dataset("f64", in: reopened)
        XCTAssertEqual(f64.storedType, "float64")
        let converted = try f64.readRows(0 ..< 2).storage
        XCTAssertEqual(converted[0], Float(0.1))
        XCTAssertEqual(converted[1], -2.5)
        XCTAssertEqual(converted[3 ... 4], [3, 4])
        // Out of Float's range HDF5 gives infinity and signed zero, as a cast would.
        XCTAssertEqual(converted[2], .infinity)
        XCTAssertEqual(converted[5].bitPattern, (-0.0 as Float).bitPattern)

        let i32 = try HDF5Dataset("i32", in: reopened)
        XCTAssertEqual(i32.storedType, "int32")
        XCTAssertEqual(try i32.readRows(1 ..< 3), Matrix([[16_777_216, 7], [8, 9]]))
        let u16 = try HDF5Dataset("u16", in: reopened)
        XCTAssertEqual(u16.storedType, "uint16")
        XCTAssertEqual(try u16.readRows(0 ..< 1), Matrix([[65535, 1]]))
        XCTAssertEqual(try reopened.readMatrix("u16", maxCount: 2), Matrix([[65535, 1]]))
    }

    // MARK: Errors

    func testMissingUnreadableAndForeignFilesAreRefused() throws {
        assertError("cannot open file: No such file or directory", at: path("absent.h5")) { try HDF5File.open(path("absent.h5")) }
        assertError("cannot open file: Is a directory", at: directory.url.path) { try HDF5File.open(directory.url.path) }

        try "[0.1, 0.2]\n{\"x\": [1]}\n".write(toFile: path("rows.ndjson"), atomically: false, encoding: .utf8)
        assertError("not an HDF5 file", at: path("rows.ndjson")) { try HDF5File.open(path("rows.ndjson")) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 100)
        try Data(png).write(to: URL(fileURLWithPath: path("image.png")))
        assertError("not an HDF5 file", at: path("image.png")) { try HDF5File.open(path("image.png")) }
        try Data().write(to: URL(fileURLWithPath: path("empty.h5")))
        assertError("not an HDF5 file", at: path("empty.h5")) { try HDF5File.open(path("empty.h5")) }

        assertError("not an HDF5 file", at: "<stdin>") { try HDF5File.open(image: png, name: "<stdin>") }
        assertError("not an HDF5 file", at: "<stdin>") { try HDF5File.open(image: [], name: "<stdin>") }
        assertError("not an HDF5 file", at: "<stdin>") { try HDF5File.open(image: Array("[1, 2]\n".utf8), name: "<stdin>") }

        assertError("cannot create file: No such file or directory", at: path("no/such/dir/m.h5")) {
            try HDF5File.create(path("no/such/dir/m.h5"))
        }
        assertError("cannot create file: Is a directory", at: directory.url.path) { try HDF5File.create(directory.url.path) }
    }

    func testTruncatedFilesAreRefusedAtEveryCut() throws {
        let file = try HDF5File.createInMemory(name: "<mem>")
        try file.write(Matrix(rows: 50, cols: 20, repeating: 1.5), to: "x")
        try file.setAttribute("kind", to: "ae")
        let image = try file.fileImage()
        var messages = Set<String>()
        for cut in [1, 7, 8, 20, 48, 95, 96, 200, 500, 800, image.count / 2, image.count - 100, image.count - 1] {
            let prefix = Array(image.prefix(cut))
            try Data(prefix).write(to: URL(fileURLWithPath: path("cut.h5")))
            messages.insert(try truncationMessage(at: cut, of: image.count, source: path("cut.h5")) { try HDF5File.open(path("cut.h5")) })
            messages.insert(try truncationMessage(at: cut, of: image.count, source: "<stdin>") {
                try HDF5File.open(image: prefix, name: "<stdin>")
            })
        }
        XCTAssertTrue(messages.isSubset(of: ["not an HDF5 file", "truncated HDF5 file", "damaged or truncated HDF5 file"]), "\(messages)")
        XCTAssertTrue(messages.contains("truncated HDF5 file"), "\(messages)")
    }

    private func truncationMessage(at cut: Int, of size: Int, source: String, _ open: () throws -> HDF5File) throws -> String {
        do {
            _ = try HDF5Dataset("x", in: open()).readRows(0 ..< 50)
        } catch let error as AEError {
            XCTAssertEqual(error.location?.source, source)
            return error.message
        }
        XCTFail("a file cut at \(cut) of \(size) bytes was read")
        return ""
    }

    func testMissingDatasetNamesTheDatasetsThere() throws {
        let file = try HDF5File.createInMemory(name: "data.h5")
        assertError("no dataset 'x' (the file holds no datasets)", at: "data.h5") { try HDF5Dataset("x", in: file) }
        try file.write(Matrix([[1]]), to: "a")
        try file.write(Matrix([[1]]), to: "train/b")
        assertError("no dataset 'x' (datasets here: a, train/b)", at: "data.h5") { try HDF5Dataset("x", in: file) }
        assertError("no dataset 'train/x/y' (datasets here: a, train/b)", at: "data.h5") { try file.read("train/x/y", as: Float.self, maxCount: 1) }
        assertError("'train' is a group, not a dataset (datasets here: a, train/b)", at: "data.h5") { try file.shape(of: "train") }
        for index in 0 ..< 12 { try file.write([1] as [Float], to: "many/d\(index)") }
        assertError("(datasets here: a, many/d0, many/d1, many/d10, many/d11, many/d2, many/d3, many/d4, many/d5, many/d6, …)", at: "data.h5") {
            try HDF5Dataset("x", in: file)
        }
    }

    /// An [N, H, W] or [N, H, W, C] stack of images is N rows of H·W·C
    /// values in C order, read in blocks like any rows (chunks cut across
    /// every dimension), with the image shape it implies.
    func testStacksOfImagesAreRowsOfTheirValues() throws {
        let raw = path("images.h5")
        try HDF5File.create(raw).close()
        let grey = (0..<(5 * 3 * 2)).map(Float.init), colour = (0..<(4 * 2 * 2 * 3)).map(Float.init)
        try writeRaw(raw, "grey", type: H5T_IEEE_F32LE_g, dims: [5, 3, 2], values: grey, memoryType: H5T_NATIVE_FLOAT_g, chunk: [2, 2, 1])
        try writeRaw(raw, "rgb", type: H5T_IEEE_F32LE_g, dims: [4, 2, 2, 3], values: colour, memoryType: H5T_NATIVE_FLOAT_g)
        try writeRaw(raw, "volume", type: H5T_IEEE_F32LE_g, dims: [2, 2, 2, 2, 2], values: [Float](repeating: 1, count: 32), memoryType: H5T_NATIVE_FLOAT_g)
        let file = try HDF5File.open(raw)
        let stack = try HDF5Dataset("grey", in: file)
        XCTAssertEqual([stack.rows, stack.cols], [5, 6])
        XCTAssertEqual(stack.imageShape, try ImageShape(height: 3, width: 2))
        XCTAssertEqual(try stack.readRows(1..<4), Matrix(rows: 3, cols: 6, storage: Array(grey[6..<24])))
        let rgb = try HDF5Dataset("rgb", in: file)
        XCTAssertEqual([rgb.rows, rgb.cols], [4, 12])
        XCTAssertEqual(rgb.imageShape, try ImageShape(height: 2, width: 2, channels: 3))
        XCTAssertEqual(try rgb.readRows(3..<4).storage, Array(colour[36...]))
        let volume = try HDF5Dataset("volume", in: file)
        XCTAssertEqual([volume.rows, volume.cols], [2, 16])
        XCTAssertNil(volume.imageShape)
    }

    func testWrongRankTypeAndSizeAreRefused() throws {
        let file = try HDF5File.createInMemory(name: "data.h5")
        try file.write([1, 2, 3] as [Float], to: "vector")
        try file.write(Matrix([[1, 2]]), to: "matrix")
        try file.write([1.5] as [Double], to: "fractions")
        let raw = path("raw.h5")
        try HDF5File.create(raw).close()
        try writeStrings(raw, "names")
        try writeRaw(raw, "huge", type: H5T_IEEE_F32LE_g, dims: [1_000_000_000_000, 10], values: [Float](), memoryType: H5T_NATIVE_FLOAT_g)
        let rawFile = try HDF5File.open(raw)

        assertError("dataset 'vector' has rank 1; expected rows: an array of rank 2 or more (a single feature needs shape [n, 1])", at: "data.h5") {
            try HDF5Dataset("vector", in: file)
        }
        assertError("dataset 'names' holds strings; expected numbers", at: raw) { try HDF5Dataset("names", in: rawFile) }
        assertError("dataset 'names' holds strings; expected numbers", at: raw) { try rawFile.read("names", as: Float.self, maxCount: 9) }
        assertError("dataset 'matrix' has shape [1, 2]; expected a 1-D array", at: "data.h5") { try file.read("matrix", as: Float.self, maxCount: 9) }
        assertError("dataset 'fractions' holds floating-point numbers; expected integers", at: "data.h5") {
            try file.read("fractions", as: Int64.self, maxCount: 9)
        }
        assertError("dataset 'vector' holds 3 values; at most 2 expected", at: "data.h5") { try file.read("vector", as: Float.self, maxCount: 2) }
        assertError("dataset 'matrix' holds 1 × 2 values; at most 1 expected", at: "data.h5") {
            try file.readMatrix("matrix", maxCount: 1)
        }
        assertError("dataset 'huge' declares 1000000000000 rows of 10 values but none were ever written", at: raw) {
            try rawFile.readMatrix("huge", maxCount: 1_000_000)
        }
        assertError("dataset 'huge' declares 1000000000000 rows of 10 values but none were ever written", at: raw) {
            try HDF5Dataset("huge", in: rawFile)
        }
    }

    func testAFullDiskIsReported() throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        // HDF5 writes the superblock on creating, so creating already fails;
        // otherwise the write or the final flush on closing must.
        assertError("No space left on device", at: "/dev/full") {
            let file = try HDF5File.create("/dev/full")
            try file.write(Matrix(rows: 1000, cols: 100, repeating: 1), to: "x")
            try file.close()
        }
    }

    func testHDF5PrintsNothingOnAnyThread() throws {
        let capture = path("stderr.txt")
        XCTAssertTrue(FileManager.default.createFile(atPath: capture, contents: nil))
        let saved = dup(STDERR_FILENO)
        let target = open(capture, O_WRONLY)
        dup2(target, STDERR_FILENO)
        let done = DispatchSemaphore(value: 0)
        Thread {
            _ = try? HDF5File.open("/nonexistent/x.h5")
            done.signal()
        }.start()
        done.wait()
        _ = try? HDF5File.open("/nonexistent/y.h5")
        fflush(stderr)
        dup2(saved, STDERR_FILENO)
        close(target)
        close(saved)
        XCTAssertEqual(try String(contentsOfFile: capture, encoding: .utf8), "")
    }

    /// One row from each of 40 chunks of 1.2 MB (larger than HDF5's default
    /// chunk cache, so `HDF5Dataset` sizes the cache to a row of chunks):
    /// the cache must keep evicting, and memory stays at about one chunk.
    /// With the cache set never to evict a partly read chunk, this held all
    /// 48 MB, and ae-fit's calibration rows held a 3.1 GB file.
    func testSingleRowsFromLargeChunksDoNotStayInMemory() throws {
        let environment = ProcessInfo.processInfo.environment
        try XCTSkipIf(
            environment["ASAN_OPTIONS"] != nil || environment["TSAN_OPTIONS"] != nil,
            "a sanitizer's allocator holds freed memory, so resident memory says nothing here")
        let rows = 8000, cols = 1500, chunkRows = 200
        let raw = path("chunked.h5")
        try HDF5File.create(raw).close()
        try writeRaw(
            raw, "x", type: H5T_IEEE_F32LE_g, dims: [hsize_t(rows), hsize_t(cols)],
            values: (0 ..< rows * cols).map { Float($0 % 977) }, memoryType: H5T_NATIVE_FLOAT_g,
            chunk: [hsize_t(chunkRows), hsize_t(cols)])
        let dataset = try HDF5Dataset("x", in: HDF5File.open(raw))
        let before = try residentMegabytes()
        for chunk in 0 ..< rows / chunkRows {
            let row = chunk * chunkRows + chunkRows / 2
            let read = try dataset.readRows(row ..< row + 1)
            XCTAssertEqual(read.storage[0], Float(row * cols % 977))
        }
        let grown = try residentMegabytes() - before
        XCTAssertLessThan(grown, 16, "resident memory grew by \(grown) MB reading 40 rows")
    }

    private func residentMegabytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try XCTUnwrap(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])) / 1024
    }

    // MARK: Helpers that write what ae itself never writes

    /// `chunk` makes the dataset chunked (an empty one always is, in chunks of one).
    private func writeRaw<T>(
        _ file: String, _ name: String, type: hid_t, dims: [hsize_t], values: [T], memoryType: hid_t, chunk: [hsize_t]? = nil
    ) throws {
        let id = H5Fopen(file, H5F_ACC_RDWR_value, H5P_DEFAULT_value)
        XCTAssertGreaterThanOrEqual(id, 0)
        defer { H5Fclose(id) }
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        defer { H5Sclose(space) }
        var creation = H5P_DEFAULT_value
        if values.isEmpty || chunk != nil {
            creation = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g)
            let shape = chunk ?? dims.map { _ in 1 }
            H5Pset_chunk(creation, Int32(shape.count), shape)
        }
        let dataset = H5Dcreate2(id, name, type, space, H5P_DEFAULT_value, creation, H5P_DEFAULT_value)
        XCTAssertGreaterThanOrEqual(dataset, 0)
        defer { H5Dclose(dataset) }
        if !values.isEmpty {
            XCTAssertGreaterThanOrEqual(values.withUnsafeBytes { H5Dwrite(dataset, memoryType, 0, 0, H5P_DEFAULT_value, $0.baseAddress) }, 0)
        }
    }

    private func writeStrings(_ file: String, _ name: String) throws {
        let id = H5Fopen(file, H5F_ACC_RDWR_value, H5P_DEFAULT_value)
        defer { H5Fclose(id) }
        let type = H5Tcopy(H5T_C_S1_g)
        H5Tset_size(type, 4)
        defer { H5Tclose(type) }
        let dims: [hsize_t] = [2, 1]
        let space = H5Screate_simple(2, dims, nil)
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(id, name, type, space, H5P_DEFAULT_value, H5P_DEFAULT_value, H5P_DEFAULT_value)
        XCTAssertGreaterThanOrEqual(dataset, 0)
        defer { H5Dclose(dataset) }
        let text = Array("abcdwxyz".utf8)
        XCTAssertGreaterThanOrEqual(text.withUnsafeBytes { H5Dwrite(dataset, type, 0, 0, H5P_DEFAULT_value, $0.baseAddress) }, 0)
    }
}

private let H5P_DEFAULT_value: hid_t = 0
private let H5F_ACC_RDWR_value: UInt32 = 1
