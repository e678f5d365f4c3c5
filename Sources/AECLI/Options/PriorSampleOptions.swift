import AECore
import AEIO
import ArgumentParser

/// `--sample N [--seed S] [--temperature T]`: codes drawn from a VAE's
/// prior instead of read from input, the same in ae-decode and ae-interp.
public struct PriorSampleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Draw n codes from the prior N(0, I) instead of reading input.", valueName: "n"))
    public var sample: Int?

    @Option(help: "--sample: the random seed; ae-decode and ae-interp draw the same codes for the same seed (default: 1).")
    public var seed: UInt64?

    @Option(help: ArgumentHelp(
        "--sample: the draws' standard deviation; below 1 gives more typical, less varied samples (default: 1).",
        valueName: "t"))
    public var temperature: Float?

    public init() {}

    public func validate() throws {
        if let sample, sample < 1 { throw ValidationError("--sample must be at least 1") }
        if let temperature, !(temperature >= 0 && temperature.isFinite) {
            throw ValidationError("--temperature must be finite and not negative")
        }
        if sample == nil, seed != nil || temperature != nil {
            throw ValidationError("\(seed != nil ? "--seed" : "--temperature") applies only to --sample")
        }
    }

    /// What to draw, with the defaults filled in; nil without --sample.
    public var draws: (count: Int, temperature: Float, seed: UInt64)? {
        sample.map { ($0, temperature ?? 1, seed ?? 1) }
    }
}
