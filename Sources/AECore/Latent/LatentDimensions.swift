/// Checks of latent dimension indices given on the command line (`--dims`).
public enum LatentDimensions {
    /// Returns `dimensions` when every index is in `0..<width` and none
    /// repeats; the message names the first one that is not.
    public static func check(_ dimensions: [Int], width: Int) throws -> [Int] {
        var seen = Set<Int>()
        for dimension in dimensions {
            guard (0..<width).contains(dimension) else {
                throw AEError("latent dimension \(dimension) does not exist: codes have \(width), numbered 0 to \(width - 1)")
            }
            guard seen.insert(dimension).inserted else {
                throw AEError("latent dimension \(dimension) is named twice")
            }
        }
        return dimensions
    }
}
