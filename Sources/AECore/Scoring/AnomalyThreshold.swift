/// How ae-score decides which scores are anomalies: a score above the
/// threshold is one.
public enum AnomalyThreshold: Equatable, Sendable {
    /// Above the q-quantile of the model's calibration scores.
    case quantile(Double)
    /// Above the score that a fraction c of the calibration rows exceed
    /// (the same as `quantile(1 − c)`), as in PyOD's `contamination`.
    case contamination(Double)
    /// Above this score.
    case score(Double)

    /// The quantile used when nothing is given: rows scoring above 99% of
    /// the calibration rows, a 1% false-alarm rate on data like the model's own.
    public static let defaultQuantile = 0.99
    public static let standard = AnomalyThreshold.quantile(defaultQuantile)

    /// The threshold as a score, for `method` under `calibration`.
    public func score(for method: ScoreMethod, calibration: ScoreCalibration?) throws -> Double {
        let probability: Double
        switch self {
        case .score(let value): return value
        case .quantile(let q): probability = q
        case .contamination(let c): probability = 1 - c
        }
        guard let calibration else {
            throw AEError("the model holds no score calibration; give --threshold, or refit it with this ae-fit")
        }
        guard let distribution = calibration.reference(for: method, probability: probability) else {
            throw AEError("the model's calibration holds no \(method.rawValue) scores; give --threshold")
        }
        return distribution.quantile(probability)
    }
}
