import Glibc

/// How a path runs between two latent codes.
///
/// Both methods compute in Double and copy the endpoints unchanged, so the
/// first and last code of a path are bit-for-bit the codes it joins and
/// decode to exactly what decoding those codes directly gives.
public enum InterpolationMethod: String, CaseIterable, Sendable {
    /// The straight line `(1 - t) a + t b`.
    case lerp
    /// The direction moves along the great circle from `a/|a|` to `b/|b|` at
    /// constant angular speed while the length goes linearly from `|a|` to
    /// `|b|`, so every code's norm lies between the endpoints' norms (in more
    /// than one dimension: on a line, codes of opposite sign are joined
    /// through 0, by lerp). For codes
    /// of equal length this is Shoemake's slerp, which keeps interpolated VAE
    /// codes at the radius where the prior's mass lies (White 2016).
    case slerp

    /// `steps` codes from `start` to `end` (both included): row k is the point
    /// at `t = k / (steps - 1)`.
    public func path(from start: ArraySlice<Float>, to end: ArraySlice<Float>, steps: Int) -> Matrix {
        precondition(steps >= 2, "a path needs both endpoints")
        precondition(start.count == end.count, "codes differ in length")
        let width = start.count
        var path = Matrix(rows: steps, cols: width)
        let a = start.map(Double.init)
        let b = end.map(Double.init)
        let curve = self == .slerp ? GreatCircle(from: a, to: b) : nil
        var point = [Double](repeating: 0, count: width)
        for step in 1..<(steps - 1) {
            let t = Self.fraction(step: step, of: steps)
            if let curve {
                curve.point(at: t, into: &point)
            } else {
                for i in 0..<width { point[i] = (1 - t) * a[i] + t * b[i] }
            }
            for i in 0..<width { path[step, i] = Float(point[i]) }
        }
        path.storage.replaceSubrange(0..<width, with: start)
        path.storage.replaceSubrange((steps - 1) * width..<steps * width, with: end)
        return path
    }

    /// The fraction of the way along a path of `steps` codes at `step`.
    public static func fraction(step: Int, of steps: Int) -> Double {
        Double(step) / Double(steps - 1)
    }
}

/// The slerp curve between two codes: `r(t) (cos(tΩ) u + sin(tΩ) v)` with
/// `r(t)` linear between the lengths, `u` the start direction and `v` the unit
/// vector orthogonal to `u` in the plane towards the end direction.
///
/// The angle comes from `2 atan2(|u - w|, |u + w|)`, accurate at every angle
/// (unlike `acos` of a dot product near 0 and π), and the weights never divide
/// by `sin Ω`, so nearly parallel and nearly opposite codes stay finite.
/// Opposite codes span no plane; the path then turns towards the coordinate
/// axis least aligned with `u`, one of the equally short half circles.
private struct GreatCircle {
    private let startLength: Double
    private let endLength: Double
    private var u: [Double]
    private var v: [Double]
    private var angle: Double
    /// Codes that leave no great circle to follow (a zero code, or opposite
    /// codes in one dimension) are joined by the straight line.
    private var line: (a: [Double], b: [Double])?

    init(from a: [Double], to b: [Double]) {
        let startLength = Self.norm(a)
        let endLength = Self.norm(b)
        (self.startLength, self.endLength) = (startLength, endLength)
        (u, v, angle, line) = ([], [], 0, (a, b))
        guard startLength > 0, endLength > 0 else { return }
        let u = a.map { $0 / startLength }
        let w = b.map { $0 / endLength }
        guard let v = Self.orthogonalUnit(u, towards: w) ?? Self.orthogonalUnit(u, towards: Self.leastAlignedAxis(u))
        else { return }
        angle = 2 * atan2(Self.norm(zip(u, w).map(-)), Self.norm(zip(u, w).map(+)))
        (self.u, self.v, line) = (u, v, nil)
    }

    func point(at t: Double, into point: inout [Double]) {
        if let line {
            for i in point.indices { point[i] = (1 - t) * line.a[i] + t * line.b[i] }
            return
        }
        let length = (1 - t) * startLength + t * endLength
        let along = length * cos(t * angle)
        let across = length * sin(t * angle)
        for i in point.indices { point[i] = along * u[i] + across * v[i] }
    }

    /// `w` minus its component along the unit vector `u`, normalised; nil
    /// when nothing measurable is left (w parallel to u). Projecting twice
    /// removes what rounding left of `u` after the first pass.
    private static func orthogonalUnit(_ u: [Double], towards w: [Double]) -> [Double]? {
        var rest = w
        for _ in 0..<2 {
            let along = zip(rest, u).reduce(0) { $0 + $1.0 * $1.1 }
            for i in rest.indices { rest[i] -= along * u[i] }
        }
        let length = norm(rest)
        guard length > 1e-12 else { return nil }
        return rest.map { $0 / length }
    }

    /// The unit axis e_k with the smallest |u_k|: the one that projection
    /// onto `u`'s complement shortens least.
    private static func leastAlignedAxis(_ u: [Double]) -> [Double] {
        let k = u.indices.min { abs(u[$0]) < abs(u[$1]) }!
        var axis = [Double](repeating: 0, count: u.count)
        axis[k] = 1
        return axis
    }

    /// The Euclidean length, scaled so that squaring neither overflows nor
    /// underflows.
    static func norm(_ x: [Double]) -> Double {
        let largest = x.reduce(0) { max($0, abs($1)) }
        guard largest > 0, largest.isFinite else { return largest }
        return largest * x.reduce(0) { $0 + ($1 / largest) * ($1 / largest) }.squareRoot()
    }
}
