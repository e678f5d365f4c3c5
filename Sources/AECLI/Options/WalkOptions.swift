import AECore
import AEIO
import ArgumentParser

/// What ae-interp makes, and the settings of each kind of walk.
public struct WalkOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Codes per path or sweep, both ends included; for --grid, cells per side.", valueName: "n"))
    public var steps = 10

    @Option(help: ArgumentHelp(
        "Paths: lerp (straight line) or slerp (great circle, each norm between the endpoints' norms) (default: lerp).",
        valueName: InterpolationMethod.choices))
    public var method: InterpolationMethod?

    @Flag(help: "Paths 0->1, 1->2, 2->3, ... through all rows, instead of pairs 0->1, 2->3, ...")
    public var chain = false

    @Flag(help: "For each input code, sweep each latent dimension over --range in --steps values.")
    public var traverse = false

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "--traverse: the values a dimension is swept over (default: -3:3).", valueName: "low:high"))
    public var range: ValueInterval?

    @Option(help: ArgumentHelp(
        "--traverse: the dimensions swept (default: all); --grid: the horizontal and vertical dimension (default: 0,1).",
        valueName: "d1,d2,..."))
    public var dims: DimensionList?

    @Flag(help: "Codes on a --steps x --steps grid over two latent dimensions at the prior's quantiles; reads no input.")
    public var grid = false

    @OptionGroup
    public var prior: PriorSampleOptions

    @Option(help: ArgumentHelp(
        "--sample, --grid: the latent size (default: the model's, else the input header's, else $AE_MODEL's).", valueName: "d"))
    public var dim: Int?

    public init() {}

    public func validate() throws {
        let sample = prior.sample
        let modes = [("--chain", chain), ("--traverse", traverse), ("--grid", grid), ("--sample", sample != nil)]
            .filter(\.1).map(\.0)
        guard modes.count <= 1 else { throw ValidationError("\(modes.joined(separator: " and ")) exclude each other") }
        guard (2...100_000).contains(steps) else { throw ValidationError("--steps must be between 2 and 100000") }
        if let dim, dim < 1 { throw ValidationError("--dim must be at least 1") }
        if grid, let dims, dims.dimensions.count != 2 {
            throw ValidationError("--grid needs two dimensions in --dims, e.g. --dims 0,1")
        }
        let misplaced = [
            ("--method", method != nil, !(traverse || grid || sample != nil)),
            ("--range", range != nil, traverse), ("--dims", dims != nil, traverse || grid),
            ("--dim", dim != nil, grid || sample != nil),
        ]
        if let (name, _, _) = misplaced.first(where: { $0.1 && !$0.2 }) {
            throw ValidationError("\(name) does not apply to \(modes.first ?? "paths between pairs")")
        }
    }

    /// The walk the options describe.
    public var walk: LatentWalk {
        if traverse {
            let range = range ?? ValueInterval(low: -3, high: 3)
            return .traversal(dimensions: dims?.dimensions, low: range.low, high: range.high, steps: steps)
        }
        if grid {
            let dimensions = dims?.dimensions ?? [0, 1]
            return .grid(horizontal: dimensions[0], vertical: dimensions[1], steps: steps)
        }
        if let draws = prior.draws {
            return .prior(count: draws.count, temperature: draws.temperature, seed: draws.seed)
        }
        return .paths(chain ? .chain : .pairs, method ?? .lerp, steps: steps)
    }
}
