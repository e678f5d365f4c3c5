import AECore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PNG images as rows: one image a row, its values as `PNGDecoder` reads
/// them, and member `file` naming it (the path as given, or a folder's path
/// joined with the file's name; null for stdin), so that what a tool writes
/// says which image is which.
///
/// The images must be all one size and all grey or all RGB; an image that
/// differs is an error naming it and the first. A file is read when its row
/// is: a folder's file that is not a PNG, or a damaged one, ends the batch
/// in front of it, and the next read throws the error, which names it.
final class PNGRows: FileRows {
    /// The images of one input, in order.
    struct Files {
        struct Image {
            /// The path (nil: stdin), which member `file` holds.
            var path: String?
            /// The file's bytes when they are read already (stdin, gzip).
            var bytes: [UInt8]?
            /// Whether a folder's listing named it.
            var listed = false
        }

        var images: [Image]
        /// The arguments that named the images, for messages about them all.
        var arguments: [String]

        init(file path: String) {
            images = [Image(path: path)]
            arguments = [path]
        }

        init(bytes: [UInt8], path: String?, source: String) {
            images = [Image(path: path, bytes: bytes)]
            arguments = [source]
        }

        /// A folder's files in name order (by bytes, as Python's `sorted`
        /// and `LC_ALL=C ls` order them), without hidden ones (named `.*`,
        /// such as `.DS_Store`). Every other entry must be a PNG file: a
        /// subfolder is an error here, before any row is read, and a file
        /// that is not a PNG when its row is read.
        init(folder: String) throws {
            guard let directory = opendir(folder) else {
                throw AEError("cannot read the folder: \(String(cString: strerror(errno)))", source: folder)
            }
            defer { closedir(directory) }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if !name.hasPrefix(".") { names.append(name) }
            }
            names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let prefix = folder.hasSuffix("/") ? folder : folder + "/"
            images = try names.map { name in
                let path = prefix + name
                if InputArgument.isFolder(path) {
                    throw AEError(
                        "a folder inside a folder of images; ae reads a folder's PNG files, not its subfolders (name \(path) itself to read it)",
                        source: path)
                }
                return Image(path: path, listed: true)
            }
            arguments = [folder]
        }

        func followed(by other: Files) -> Files {
            var both = self
            both.images += other.images
            both.arguments += other.arguments
            return both
        }
    }

    let source: String
    var header: JSONValue? { nil }
    var shape: RowShape? { .object }
    var featureNames: [String]? { nil }
    /// The first image's shape, once it has been read.
    private(set) var imageShape: ImageShape?

    private let images: [Files.Image]
    private let keepsFileMember: Bool
    private let decoder = PNGDecoder()
    private var expected: ExpectedFeatures?
    private var firstImage = ""
    private var next = 0
    private var failure: AEError?

    /// `droppedFields` naming `file` leaves the member out.
    init(_ files: Files, droppedFields: [String]) {
        images = files.images
        source = RowInput.listing(files.arguments)
        keepsFileMember = !droppedFields.contains("file")
    }

    func require(_ expected: ExpectedFeatures) throws {
        self.expected = expected
    }

    func readBatch(into batch: inout RowBatch, capacity: Int) throws -> Int {
        if let failure { throw failure }
        var appended = 0
        while appended < capacity, next < images.count {
            do {
                try readImage(images[next], number: next + 1, into: &batch)
            } catch let error as AEError {
                failure = error
                break
            }
            next += 1
            appended += 1
        }
        if appended == 0, let failure { throw failure }
        return appended
    }

    private func readImage(_ image: Files.Image, number: Int, into batch: inout RowBatch) throws {
        let name = image.path ?? "<stdin>"
        let bytes = try image.bytes ?? FileContents.read(image.path!, source: name)
        guard PNGDecoder.hasSignature(bytes) else {
            let folder = "; a folder is read as PNG images (hidden files, named .*, are skipped)"
            throw AEError("not a PNG file" + (image.listed ? folder : ""), source: name)
        }
        let shape = try decoder.decode(bytes, source: name)
        try check(shape, of: name)
        if keepsFileMember {
            let member = JSONTextBuffer()
            member.write("\"file\":")
            try member.writeJSON(image.path.map(JSONValue.string) ?? .null)
            member.bytes.withUnsafeBufferPointer { batch.appendPassThroughMember($0) }
        }
        batch.appendRows(1, width: shape.valuesPerImage, firstNumber: number) { decoder.writeValues(into: $0) }
    }

    /// The first image fixes the shape of the others; the expected width
    /// (the model's, or the first input's) is checked at the first.
    private func check(_ shape: ImageShape, of name: String) throws {
        guard let first = imageShape else {
            if let expected, let image = expected.image, shape != image {
                throw AEError("a \(Self.describe(shape)) image; \(expected.expectedBy) was trained on \(Self.describe(image)) images", source: name)
            }
            if let expected, shape.valuesPerImage != expected.width {
                throw AEError(
                    "a \(Self.describe(shape)) image holds \(shape.valuesPerImage) values; \(expected.expectedBy) expects \(expected.width)",
                    source: name)
            }
            imageShape = shape
            firstImage = name
            return
        }
        guard shape == first else {
            throw AEError(
                "a \(Self.describe(shape)) image, but \(firstImage) is \(Self.describe(first)); all images must be one size, and all grey or all RGB",
                source: name)
        }
    }

    /// `2x3 grey`, `2x3 RGB`: height by width, as `--shape` gives them.
    private static func describe(_ shape: ImageShape) -> String {
        "\(shape.height)x\(shape.width) \(shape.channels == 3 ? "RGB" : "grey")"
    }
}
