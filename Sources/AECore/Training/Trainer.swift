import Dispatch

/// What `ae-fit` asks of training, beyond the architecture.
public struct TrainingSettings: Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var weightDecay: Float
    /// Weight of the KL term of a VAE (β-VAE); ignored for an AE.
    public var beta: Float
    /// Epochs over which the KL weight ramps linearly from 0 to `beta`.
    public var klWarmupEpochs: Int
    /// Stop after this many epochs without a better validation loss (0: never).
    public var patience: Int
    /// Standard deviation of Gaussian noise added to normalised inputs (denoising).
    public var noise: Float
    public var seed: UInt64

    /// The settings where none is given: the one home of each default, which
    /// `ae-fit`'s options and their help texts take from here.
    public static let defaults = TrainingSettings(
        epochs: 20, batchSize: 128, learningRate: 1e-3, weightDecay: 0, beta: 1, klWarmupEpochs: 0, patience: 10,
        noise: 0, seed: 1)

    public init(
        epochs: Int = defaults.epochs, batchSize: Int = defaults.batchSize, learningRate: Float = defaults.learningRate,
        weightDecay: Float = defaults.weightDecay, beta: Float = defaults.beta,
        klWarmupEpochs: Int = defaults.klWarmupEpochs, patience: Int = defaults.patience, noise: Float = defaults.noise,
        seed: UInt64 = defaults.seed
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.beta = beta
        self.klWarmupEpochs = klWarmupEpochs
        self.patience = patience
        self.noise = noise
        self.seed = seed
    }
}

/// Per-sample losses of one epoch, the record `--log` writes and the model
/// file's training history keeps.
public struct EpochMetrics: Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainReconstruction: Double
    public var trainKL: Double
    public var validationLoss: Double?
    public var validationReconstruction: Double?
    public var validationKL: Double?
    public var seconds: Double

    public init(
        epoch: Int, trainLoss: Double, trainReconstruction: Double, trainKL: Double,
        validationLoss: Double? = nil, validationReconstruction: Double? = nil, validationKL: Double? = nil,
        seconds: Double
    ) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainReconstruction = trainReconstruction
        self.trainKL = trainKL
        self.validationLoss = validationLoss
        self.validationReconstruction = validationReconstruction
        self.validationKL = validationKL
        self.seconds = seconds
    }

    /// Per-sample figures from the summed losses of an epoch.
    public init(epoch: Int, train: BatchLoss, validation: BatchLoss?, seconds: Double) {
        self.init(
            epoch: epoch, trainLoss: train.perRow(\.total), trainReconstruction: train.perRow(\.reconstruction),
            trainKL: train.perRow(\.kl), validationLoss: validation?.perRow(\.total),
            validationReconstruction: validation?.perRow(\.reconstruction), validationKL: validation?.perRow(\.kl),
            seconds: seconds)
    }
}

extension BatchLoss {
    /// A summed figure divided by the number of rows.
    func perRow(_ figure: KeyPath<BatchLoss, Double>) -> Double {
        self[keyPath: figure] / Double(max(rows, 1))
    }
}

/// Progress of training as it happens, for the progress display and `--log`.
public protocol TrainingObserver: AnyObject {
    func batchFinished(epoch: Int, batch: Int, batches: Int, rowsSoFar: Int, loss: BatchLoss)
    /// Throws when the metrics cannot be recorded (`--log`), which ends
    /// training with that error.
    func epochFinished(_ metrics: EpochMetrics) throws
    /// Training of one of several bottleneck sizes begins (`LatentChoice`).
    func latentCandidateStarted(latent: Int, candidate: Int, of candidates: Int)
    /// The second fit of a trimmed fit begins, on `keptRows` rows (`TrainingTrim`).
    func refitStarted(keptRows: Int, droppedRows: Int, share: Double)
}

extension TrainingObserver {
    public func latentCandidateStarted(latent: Int, candidate: Int, of candidates: Int) {}
    public func refitStarted(keptRows: Int, droppedRows: Int, share: Double) {}
}

/// Mini-batch training with Adam, shuffling each epoch, optional KL warm-up,
/// denoising noise and early stopping on a validation set.
public struct Trainer {
    public let settings: TrainingSettings
    public let pool: WorkerPool

    public init(settings: TrainingSettings, pool: WorkerPool) {
        self.settings = settings
        self.pool = pool
    }

    /// Trains `model` on normalised `data`, evaluating `validation` (also
    /// normalised) after each epoch. With a validation set and patience, the
    /// parameters of the best validation epoch are kept. Returns the history.
    /// Throws when the loss stops being finite.
    ///
    /// `shouldStop` is asked before each batch: once it says yes, training
    /// ends there, keeping what it would keep at its end (the history holds
    /// the finished epochs); before the first batch, it throws `Interrupted`.
    public func train(
        _ model: inout Autoencoder, on data: TrainingRows, validation: TrainingRows?, observer: TrainingObserver? = nil,
        shouldStop: () -> Bool = { false }
    ) throws -> [EpochMetrics] {
        precondition(data.width == model.inputWidth, "data width does not match the model")
        guard data.count > 0 else { throw AEError("no rows to train on") }
        var generator = SeededGenerator(seed: settings.seed)
        var shuffleGenerator = generator.split()
        var latentGenerator: SeededGenerator? = generator.split()
        var noiseGenerator = generator.split()
        let validationSeed = generator.next()

        let batchSize = min(settings.batchSize, data.count)
        let step = DataParallelStep(model: model, capacity: batchSize, pool: pool)
        let optimizer = Adam(parameterCount: model.parameters.count, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        let parameterRanges = pool.partition(model.parameters.count, minimum: 4096)
        let noisyInput = settings.noise > 0 ? ScratchBuffer(count: batchSize * data.width) : nil
        let batchesPerEpoch = (data.count + batchSize - 1) / batchSize

        var history: [EpochMetrics] = []
        var best: (loss: Double, parameters: AlignedFloats)?
        var epochsWithoutImprovement = 0
        var stepsTaken = 0

        epochs: for epoch in 1...max(settings.epochs, 1) {
            let started = DispatchTime.now().uptimeNanoseconds
            var epochLoss = BatchLoss()
            var batch = 0
            do {
                try data.forEachShuffledBatch(size: batchSize, generator: &shuffleGenerator) { target, rows in
                    guard !shouldStop() else { throw StopTraining() }
                    var input = target
                    if let noisyInput {
                        let count = rows * data.width
                        for i in 0..<count {
                            noisyInput.pointer[i] = target[i] + Float(noiseGenerator.gaussian()) * settings.noise
                        }
                        input = UnsafePointer(noisyInput.pointer)
                    }
                    let loss = step.run(
                        model: model, input: input, target: target, rows: rows,
                        klWeight: settings.klWeight(step: stepsTaken + 1, batchesPerEpoch: batchesPerEpoch),
                        generator: &latentGenerator, computeGradients: true)
                    guard loss.total.isFinite else {
                        throw AEError("training diverged in epoch \(epoch) (the loss is not finite), so no model was written; try a lower --lr or another --normalize")
                    }
                    optimizer.beginStep()
                    let parts = step.gradientParts
                    model.parameters.withUnsafeMutableBufferPointer { parameters in
                        let base = parameters.baseAddress!
                        pool.run(tasks: parameterRanges.count) { part in
                            optimizer.update(parameterRanges[part], parameters: base, gradientParts: parts)
                        }
                    }
                    stepsTaken += 1
                    batch += 1
                    epochLoss += loss
                    observer?.batchFinished(epoch: epoch, batch: batch, batches: batchesPerEpoch, rowsSoFar: epochLoss.rows, loss: loss)
                }
            } catch is StopTraining {
                guard stepsTaken > 0 else { throw Interrupted("interrupted before training began: no model was written") }
                break epochs
            }

            var validationLoss: BatchLoss?
            if let validation, validation.count > 0 {
                var validationGenerator: SeededGenerator? = SeededGenerator(seed: validationSeed)
                validationLoss = try evaluate(model, on: validation, step: step, generator: &validationGenerator)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let metrics = EpochMetrics(epoch: epoch, train: epochLoss, validation: validationLoss, seconds: seconds)
            history.append(metrics)
            try observer?.epochFinished(metrics)

            if let loss = metrics.validationLoss, settings.patience > 0 {
                guard loss.isFinite else {
                    throw AEError("training diverged in epoch \(epoch) (the validation loss is not finite), so no model was written; try a lower --lr")
                }
                if best == nil || loss < best!.loss {
                    best = (loss, model.parameters)
                    epochsWithoutImprovement = 0
                } else {
                    epochsWithoutImprovement += 1
                    if epochsWithoutImprovement >= settings.patience { break }
                }
            }
        }
        if let best { model.parameters = best.parameters }
        return history
    }

    /// Summed losses of `data` under the full objective (KL weight 1, one
    /// latent draw per row for a VAE when `generator` is given), without gradients.
    public func evaluate(_ model: Autoencoder, on data: TrainingRows, step: DataParallelStep, generator: inout SeededGenerator?) throws -> BatchLoss {
        var total = BatchLoss()
        try data.forEachBlock(size: step.capacity) { input, rows in
            total += step.run(
                model: model, input: input, target: input, rows: rows, klWeight: 1,
                generator: &generator, computeGradients: false)
        }
        return total
    }
}

/// Thrown out of an epoch's batches when `shouldStop` says so.
private struct StopTraining: Error {}
