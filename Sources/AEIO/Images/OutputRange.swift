import AECore

extension TrainedModel {
    /// The interval decoded values are known to lie in, for mapping them to
    /// pixels: nil when the model does not bound them.
    ///
    /// A bce model's sigmoid outputs lie in [0, 1] before the normalisation
    /// is inverted, and a minmax-normalised model was trained on data in
    /// [min, max] per feature; in both cases the interval is the smallest
    /// `shift` to the largest `shift + scale` over the features. An mse model
    /// with standard or no normalisation has no known range.
    public var outputRange: IntensityRange? {
        guard architecture.loss == .bce || normalization.method == .minmax else { return nil }
        let low = normalization.shift.min() ?? 0
        let high = zip(normalization.shift, normalization.scale).map(+).max() ?? 1
        return IntensityRange(low: low, high: high)
    }
}
