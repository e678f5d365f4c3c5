import Glibc

/// Scores of one batch of rows, by method, and the per-feature losses of the
/// reconstruction from the latent mean when they were asked for.
public struct BatchScores: Sendable {
    public var scores: [ScoreMethod: [Double]] = [:]
    /// rows × features: each feature's term of the reconstruction loss.
    public var featureLosses: Matrix?
}

/// Computes anomaly scores of normalised rows under a network.
///
/// Several methods come from one encoder pass: the sampled ones share their
/// latent draws, so ae-fit's calibration scores every method at the cost of
/// one. A row's draws come from a generator seeded by `seed` and the row's
/// own values, not by its position, so a row's score is a function of the
/// row, the model, the method, `samples` and `seed`, bit for bit whatever
/// batch it arrives in (every product sums a row's terms in an order fixed by
/// the row alone), and a training row scored by ae-score reproduces its
/// calibration score.
public struct RowScorer: Sendable {
    public let model: TrainedModel
    /// The density score's statistics: the model's own unless given.
    public let density: DensityStatistics?
    public let samples: Int
    public let seed: UInt64
    private var network: Autoencoder { model.network }

    /// The seed where none is given: ae-score's, and the calibration's, so
    /// that a model's calibration scores are what ae-score gives its rows.
    public static let defaultSeed: UInt64 = 1

    public init(model: TrainedModel, samples: Int = ScoreMethod.defaultSamples, seed: UInt64 = defaultSeed) {
        self.init(model: model, density: model.calibration?.density, samples: samples, seed: seed)
    }

    public init(
        model: TrainedModel, density: DensityStatistics?, samples: Int = ScoreMethod.defaultSamples,
        seed: UInt64 = defaultSeed
    ) {
        precondition(samples >= 1, "scoring needs at least one latent draw")
        self.model = model
        self.density = density
        self.samples = samples
        self.seed = seed
    }

    /// The latent means of normalised rows, and each feature's term of the
    /// loss of their reconstruction from those means.
    public func reconstructionTerms(normalizedRows rows: Matrix, pool: WorkerPool) -> (codes: Matrix, featureLosses: Matrix) {
        let codes = network.encode(rows, pool: pool, logVariance: false).mean
        return (codes, featureLosses(network.decodeLogits(codes, pool: pool), against: rows, pool: pool))
    }

    /// Scores rows given in data units (normalised here, as every tool does)
    /// by each of `methods`; sampled methods need a VAE.
    public func score(
        rows: Matrix, methods: [ScoreMethod], featureLosses: Bool = false, pool: WorkerPool
    ) -> BatchScores {
        var normalized = rows
        model.normalization.apply(to: &normalized)
        return score(normalizedRows: normalized, methods: methods, featureLosses: featureLosses, pool: pool)
    }

    /// Scores rows already normalised with the model's statistics.
    public func score(
        normalizedRows rows: Matrix, methods: [ScoreMethod], featureLosses wantsFeatureLosses: Bool = false,
        pool: WorkerPool
    ) -> BatchScores {
        precondition(rows.cols == network.inputWidth, "row width does not match the model")
        var result = BatchScores()
        guard rows.rows > 0 else {
            for method in methods { result.scores[method] = [] }
            return result
        }
        let sampled = methods.filter(\.isSampled)
        let codes = network.encode(rows, pool: pool, logVariance: !sampled.isEmpty)
        let wantsDensity = methods.contains(.density)
        if methods.contains(.reconstruction) || wantsFeatureLosses || wantsDensity {
            let logits = network.decodeLogits(codes.mean, pool: pool)
            if methods.contains(.reconstruction) { result.scores[.reconstruction] = rowLosses(logits, against: rows, pool: pool) }
            if wantsFeatureLosses || wantsDensity {
                let losses = featureLosses(logits, against: rows, pool: pool)
                if wantsFeatureLosses { result.featureLosses = losses }
                if wantsDensity {
                    precondition(density != nil, "the density score needs the model's density statistics")
                    result.scores[.density] = density!.scores(featureLosses: losses, codes: codes.mean)
                }
            }
        }
        if !sampled.isEmpty {
            precondition(codes.logVariance != nil, "\(sampled[0].rawValue) scores need a VAE")
            let bounds = sampledBounds(rows, codes: codes, pool: pool)
            for method in sampled { result.scores[method] = method == .elbo ? bounds.elbo : bounds.iwae }
        }
        for (method, scores) in result.scores { result.scores[method] = scores.map(Self.finite) }
        return result
    }

    /// The largest score written: Float's largest value, since scores are
    /// written as Float.
    public static let largestScore = Double(Float.greatestFiniteMagnitude)

    /// A score kept within what can be written: anything larger (or not a
    /// number, which only an overflow upstream could give) becomes
    /// `largestScore`, which is above every threshold.
    static func finite(_ score: Double) -> Double {
        score.isNaN ? largestScore : min(max(score, -largestScore), largestScore)
    }

    /// The negative ELBO and IWAE bound of each row from `samples` draws
    /// z = μ + σ·ε. With log w = −rec(z) − [log q(z|x) − log p(z)]:
    /// elbo = KL(q‖p) + mean rec (the KL term exact, not sampled), and
    /// iwae = −log mean exp(log w). The log-density ratio drops the 2π terms,
    /// which cancel between q and p.
    private func sampledBounds(_ rows: Matrix, codes: LatentCodes, pool: WorkerPool) -> (elbo: [Double], iwae: [Double]) {
        let count = rows.rows, latent = network.latentWidth, samples = samples
        let generators = UnsafeMutableBufferPointer<SeededGenerator>.allocate(capacity: count)
        defer { generators.deallocate() }
        for row in 0..<count { generators.initializeElement(at: row, to: SeededGenerator(seed: Self.rowSeed(seed, rows.row(row)))) }
        var reconstructionSum = [Double](repeating: 0, count: count)
        var logWeights = [Double](repeating: 0, count: count * samples)
        var logRatio = [Double](repeating: 0, count: count)
        var draws = Matrix(rows: count, cols: latent)
        codes.mean.storage.withUnsafeBufferPointer { mean in
            codes.logVariance!.storage.withUnsafeBufferPointer { logVariance in
                for sample in 0..<samples {
                    draws.storage.withUnsafeMutableBufferPointer { draws in
                        logRatio.withUnsafeMutableBufferPointer { logRatio in
                            Self.forEachRowBlock(count, pool: pool) { block in
                                for row in block {
                                    var ratio = 0.0
                                    for j in (row * latent)..<((row + 1) * latent) {
                                        let epsilon = Float(generators[row].gaussian())
                                        let z = LatentCodes.draw(mean: mean[j], logVariance: logVariance[j], epsilon: epsilon)
                                        draws[j] = z
                                        ratio += Double(0.5 * (z * z - epsilon * epsilon - logVariance[j]))
                                    }
                                    logRatio[row] = ratio
                                }
                            }
                        }
                    }
                    let losses = rowLosses(network.decodeLogits(draws, pool: pool), against: rows, pool: pool)
                    for row in 0..<count {
                        reconstructionSum[row] += losses[row]
                        logWeights[row * samples + sample] = -losses[row] - logRatio[row]
                    }
                }
            }
        }
        let mean = codes.mean.storage, logVariance = codes.logVariance!.storage
        let elbo = (0..<count).map { row -> Double in
            var kl = 0.0
            for j in (row * latent)..<((row + 1) * latent) {
                let mu = Double(mean[j]), v = Double(logVariance[j])
                kl += LatentCodes.kl(mean: mu, logVariance: v)
            }
            return kl + reconstructionSum[row] / Double(samples)
        }
        let iwae = (0..<count).map { row in
            -(Self.logSumExp(logWeights[(row * samples)..<((row + 1) * samples)]) - log(Double(samples)))
        }
        return (elbo, iwae)
    }

    /// Each row's loss between `logits` and `rows`, the rows split across the pool.
    private func rowLosses(_ logits: Matrix, against rows: Matrix, pool: WorkerPool) -> [Double] {
        let loss = network.architecture.loss, cols = rows.cols
        var losses = [Double](repeating: 0, count: rows.rows)
        logits.storage.withUnsafeBufferPointer { output in
            rows.storage.withUnsafeBufferPointer { target in
                losses.withUnsafeMutableBufferPointer { losses in
                    Self.forEachRowBlock(rows.rows, pool: pool) { block in
                        let offset = block.lowerBound * cols
                        _ = loss.evaluate(
                            output: output.baseAddress! + offset, target: target.baseAddress! + offset,
                            rows: block.count, cols: cols, rowLosses: losses.baseAddress! + block.lowerBound)
                    }
                }
            }
        }
        return losses
    }

    private func featureLosses(_ logits: Matrix, against rows: Matrix, pool: WorkerPool) -> Matrix {
        let loss = network.architecture.loss, cols = rows.cols
        var losses = Matrix(rows: rows.rows, cols: cols)
        logits.storage.withUnsafeBufferPointer { output in
            rows.storage.withUnsafeBufferPointer { target in
                losses.storage.withUnsafeMutableBufferPointer { losses in
                    Self.forEachRowBlock(rows.rows, pool: pool) { block in
                        let offset = block.lowerBound * cols
                        loss.elementLosses(
                            output: output.baseAddress! + offset, target: target.baseAddress! + offset,
                            count: block.count * cols, into: losses.baseAddress! + offset)
                    }
                }
            }
        }
        return losses
    }

    /// Runs `body` on contiguous blocks of `0..<count` across the pool;
    /// `body` must write only its own rows.
    private static func forEachRowBlock(_ count: Int, pool: WorkerPool, _ body: (Range<Int>) -> Void) {
        let blocks = pool.partition(count, minimum: 64)
        pool.run(tasks: blocks.count) { body(blocks[$0]) }
    }

    /// log Σ exp(values), without overflow.
    static func logSumExp(_ values: ArraySlice<Double>) -> Double {
        guard let largest = values.max(), largest.isFinite else { return values.max() ?? -.infinity }
        return largest + log(values.reduce(0) { $0 + exp($1 - largest) })
    }

    /// A seed for one row's latent draws: `seed` mixed with the bits of every
    /// value (SplitMix64's finaliser after each), so equal rows draw alike.
    static func rowSeed(_ seed: UInt64, _ values: ArraySlice<Float>) -> UInt64 {
        var hash = seed ^ 0x9E37_79B9_7F4A_7C15
        for value in values {
            hash ^= UInt64(value.bitPattern)
            hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
            hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
            hash ^= hash >> 31
        }
        return hash
    }
}
