/// Rows gathered for one PNG grid, which must all be in memory to be drawn.
///
/// The bound keeps an unintended input (a whole data set piped into
/// `ae-decode -o grid.png`) from exhausting memory: a grid holds at most
/// `maximumImages` images and `maximumValues` values (1 GiB of float32),
/// and the rows past the bound are refused before they are decoded.
public struct ImageGridRows {
    public static let maximumImages = 65_536
    public static let maximumValues = 1 << 28

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

    /// Adds decoded rows, after `checkRoom(for:width:)` has let them in.
    public mutating func append(_ rows: Matrix) {
        if images == nil { images = Matrix(rows: 0, cols: rows.cols) }
        let start = images!.count
        images!.resize(rows: images!.rows + rows.rows)
        images!.storage.replaceSubrange(start..., with: rows.storage)
    }
}
