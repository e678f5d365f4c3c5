extension TrainingSettings {
    /// The KL term's weight at gradient step `step` (1 for the first) of a
    /// VAE trained with `batchesPerEpoch` batches an epoch: it ramps linearly
    /// from beta / warm-up steps to beta over the first `klWarmupEpochs`
    /// epochs, beta · min(1, step / warm-up steps), and is beta throughout
    /// without a warm-up.
    public func klWeight(step: Int, batchesPerEpoch: Int) -> Float {
        let warmupSteps = klWarmupEpochs * batchesPerEpoch
        return warmupSteps > 0 ? beta * min(1, Float(step) / Float(warmupSteps)) : beta
    }
}
