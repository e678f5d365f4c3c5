import Glibc

/// What the `density` score needs beyond the network: each feature's typical
/// reconstruction loss and a Gaussian fitted to the latent codes, both
/// measured on the model's calibration rows by `ae-fit`.
///
/// The density score is the negative log-density of a row under a simple
/// generative reading of the fitted model (constants dropped): the latent
/// code is Gaussian with the calibration codes' mean and covariance, and each
/// feature is its reconstruction plus noise of that feature's own typical
/// size,
///
///     density(x) = Σⱼ ℓⱼ(x) / wⱼ + ½ (z − μ)ᵀ P (z − μ)
///
/// with ℓⱼ the feature's loss term, wⱼ = 2 · mean ℓⱼ (for mse: twice the
/// residual variance, so the term is the Gaussian ½ r²/σ²; for bce, whose
/// terms are nats already, wⱼ = 1), z the latent mean and P the precision
/// matrix. Weighting by wⱼ keeps features the network reproduces closely from
/// being drowned by noisy ones, and the latent term flags rows that the
/// decoder reproduces well but that sit where few training rows do. On the
/// 35 development tables (bench/anomaly) this raised the AE's mean ROC-AUC
/// over its plain reconstruction error; see the README for the table.
public struct DensityStatistics: Equatable, Sendable {
    /// wⱼ per feature.
    public var featureWeights: [Float]
    /// μ, the latent codes' mean.
    public var latentMean: [Float]
    /// P, the inverse of the codes' (ridged) covariance, row-major k × k.
    public var latentPrecision: [Float]

    public init(featureWeights: [Float], latentMean: [Float], latentPrecision: [Float]) {
        precondition(latentPrecision.count == latentMean.count * latentMean.count, "precision is not k × k")
        self.featureWeights = featureWeights
        self.latentMean = latentMean
        self.latentPrecision = latentPrecision
    }

    public var latentWidth: Int { latentMean.count }

    /// The smallest feature weight, as a share of the mean weight: a feature
    /// the network reproduces (almost) exactly, such as a constant, must not
    /// turn rounding into a huge score.
    static let weightFloor = 0.01

    /// Fits the statistics to the calibration rows' mean loss per feature
    /// and their latent means (rows × k). `perFeatureScale`: whether each
    /// feature's loss is divided by its own typical size (mse), or taken as
    /// it is (bce, in nats).
    public init(meanFeatureLosses means: [Double], codes: Matrix, perFeatureScale: Bool) {
        precondition(codes.rows > 0, "statistics need calibration rows")
        let rows = Double(codes.rows), width = means.count, k = codes.cols
        var weights = [Float](repeating: 1, count: width)
        if perFeatureScale {
            let overall = means.reduce(0, +) / Double(max(width, 1))
            let floor = max(overall * Self.weightFloor, Double(Float.leastNormalMagnitude))
            weights = means.map { Float(2 * max($0, floor)) }
        }
        var mean = [Double](repeating: 0, count: k)
        for row in 0..<codes.rows {
            for (j, value) in codes.row(row).enumerated() { mean[j] += Double(value) }
        }
        mean = mean.map { $0 / rows }
        // Two passes (mean first): no cancellation in the covariance.
        var covariance = [Double](repeating: 0, count: k * k)
        for row in 0..<codes.rows {
            let centred = codes.row(row).enumerated().map { Double($0.element) - mean[$0.offset] }
            for a in 0..<k {
                for b in 0...a { covariance[a * k + b] += centred[a] * centred[b] }
            }
        }
        for a in 0..<k {
            for b in 0...a {
                covariance[a * k + b] /= rows
                covariance[b * k + a] = covariance[a * k + b]
            }
        }
        let trace = (0..<k).reduce(0.0) { $0 + covariance[$1 * k + $1] }
        let ridge = max(1e-6 * trace / Double(max(k, 1)), 1e-12)
        for a in 0..<k { covariance[a * k + a] += ridge }
        self.init(
            featureWeights: weights, latentMean: mean.map(Float.init),
            latentPrecision: Self.inverse(ofPositiveDefinite: covariance, size: k).map(Float.init))
    }

    /// Measures the statistics of `model` on normalised calibration `rows`,
    /// `batchSize` rows at a time.
    public static func measure(_ model: TrainedModel, on rows: Matrix, batchSize: Int, pool: WorkerPool) -> DensityStatistics {
        let scorer = RowScorer(model: model, density: nil)
        var sums = [Double](repeating: 0, count: rows.cols)
        var codes = Matrix(rows: 0, cols: model.network.latentWidth)
        for start in stride(from: 0, to: rows.rows, by: batchSize) {
            let terms = scorer.reconstructionTerms(normalizedRows: rows.gathering(rows: start..<min(start + batchSize, rows.rows)), pool: pool)
            for row in 0..<terms.featureLosses.rows {
                for (j, loss) in terms.featureLosses.row(row).enumerated() { sums[j] += Double(loss) }
            }
            codes.append(terms.codes)
        }
        return DensityStatistics(
            meanFeatureLosses: sums.map { $0 / Double(max(rows.rows, 1)) }, codes: codes,
            perFeatureScale: model.architecture.loss == .mse)
    }

    /// Each row's density score from its per-feature losses and latent means.
    public func scores(featureLosses: Matrix, codes: Matrix) -> [Double] {
        precondition(featureLosses.cols == featureWeights.count && codes.cols == latentWidth, "widths do not match")
        let k = latentWidth, width = featureWeights.count
        var centred = [Double](repeating: 0, count: k)
        return featureLosses.storage.withUnsafeBufferPointer { losses in
            codes.storage.withUnsafeBufferPointer { codes in
                (0..<featureLosses.rows).map { row in
                    var total = 0.0
                    for j in 0..<width { total += Double(losses[row * width + j]) / Double(featureWeights[j]) }
                    for a in 0..<k { centred[a] = Double(codes[row * k + a]) - Double(latentMean[a]) }
                    var quadratic = 0.0
                    for a in 0..<k {
                        var sum = 0.0
                        for b in 0..<k { sum += Double(latentPrecision[a * k + b]) * centred[b] }
                        quadratic += centred[a] * sum
                    }
                    return total + 0.5 * quadratic
                }
            }
        }
    }

    /// The inverse of a symmetric positive-definite n × n matrix, through its
    /// Cholesky factor (the ridge above keeps it positive definite).
    public static func inverse(ofPositiveDefinite matrix: [Double], size n: Int) -> [Double] {
        var factor = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = matrix[i * n + j]
                for m in 0..<j { sum -= factor[i * n + m] * factor[j * n + m] }
                factor[i * n + j] = i == j ? sqrt(max(sum, 1e-300)) : sum / factor[j * n + j]
            }
        }
        var inverse = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var sum = i == column ? 1.0 : 0.0
                for m in 0..<i { sum -= factor[i * n + m] * y[m] }
                y[i] = sum / factor[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = y[i]
                for m in (i + 1)..<n { sum -= factor[m * n + i] * inverse[m * n + column] }
                inverse[i * n + column] = sum / factor[i * n + i]
            }
        }
        return inverse
    }
}
