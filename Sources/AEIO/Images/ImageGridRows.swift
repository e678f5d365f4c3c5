import AECore

/// Rows gathered for one PNG grid, which must all be in memory to be drawn.
///
/// The bounds keep an unintended input (a whole data set piped into
/// `ae-decode -o grid.png`) from exhausting memory: a grid holds at most
/// `maximumImages` images and `maximumValues` values (1 GiB of float32),
/// and the rows past the bound are refused before they are decoded; the
/// picture may take at most `maximumPixelBytes` (1 GiB, before the PNG
/// encoder's buffer of about the same size).
public struct ImageGridRows {
    public static let maximumImages = 65_536
    public static let maximumValues = 1 << 28
    public static let maximumPixelBytes = 1 << 30

    public private(set) var images: Matrix?

    public init() {}

    public var count: Int { images?.rows ?? 0 }

    /// Throws unless `count` more rows of `width` values fit in one grid.
    public func checkRoom(for count: Int, width: Int) throws {
        let total = self.count + count
        guard total <= Self.maximumImages, total * width <= Self.maximumValues else {
            throw AEError(
                "too many rows for a PNG grid, which holds at most \(Self.maximumImages) images "
                    + "and \(Self.maximumValues) values (1 GiB); take fewer rows (e.g. with head) or write NDJSON or HDF5")
        }
    }

    /// Throws unless the picture of `grid` fits in `maximumPixelBytes`.
    public static func checkPicture(_ grid: ImageGrid) throws {
        let bytes = grid.width * grid.height * grid.shape.channels
        guard bytes <= maximumPixelBytes else {
            throw AEError(
                "a grid of \(grid.imageCount) images of \(grid.shape) at scale \(grid.scale) would be \(grid.width)x\(grid.height) "
                    + "pixels (\(bytes >> 20) MiB); a PNG grid may take at most \(maximumPixelBytes >> 20) MiB: "
                    + "lower --scale or take fewer rows")
        }
    }

    /// Adds decoded rows, after `checkRoom(for:width:)` has let them in.
    public mutating func append(_ rows: Matrix) {
        if images == nil { images = Matrix(rows: 0, cols: rows.cols) }
        images!.append(rows)
    }
}
