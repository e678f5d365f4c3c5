import AECore
import AEIO
import ArgumentParser

/// The model's shape and likelihood, as `ae-fit` takes them.
public struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("ae (autoencoder) or vae (variational autoencoder).", valueName: ModelKind.choices))
    public var kind = FitConfiguration.defaults.kind

    @Option(help: ArgumentHelp(
        "Hidden layer widths, encoder side; the decoder mirrors them (default: sized from the input width).",
        valueName: "w1,w2,..."))
    public var hidden: LayerWidths?

    @Option(help: ArgumentHelp(
        "Latent (bottleneck) size (default: chosen on the validation rows among half, once and twice input width / 8 for an AE, / 3 for a VAE, from 1 to 32; the fit summary gives each size's validation loss).",
        valueName: "n"))
    public var latent: Int?

    @Option(help: ArgumentHelp("Hidden-layer activation.", valueName: Activation.choices))
    public var activation = FitConfiguration.defaults.activation

    @Option(help: ArgumentHelp(
        "Reconstruction loss: \(Loss.described) (default: bce for a --conv model of data in [0, 1], else mse).", valueName: Loss.choices))
    public var loss: Loss?

    @Option(help: ArgumentHelp(
        "Feature scaling, stored in the model (default: standard for a VAE and minmax for an AE with mse; for bce none when the data lie in [0, 1], else minmax).",
        valueName: NormalizationMethod.choices))
    public var normalize: NormalizationMethod?

    @Option(help: ArgumentHelp(
        "Image shape of a row, stored in the model for ae-decode's PNG grids (default: the size of PNG images, or an HDF5 input's [N, H, W] or [N, H, W, C]).",
        valueName: "HxW[xC]"))
    public var image: ImageShape?

    @Option(help: ArgumentHelp(
        "Convolutional model: the channels of each convolution from the image (kernel --kernel, stride --stride, the activation after each), then the --hidden dense layers (default: none) and the latent; the decoder mirrors it with transposed convolutions. Needs the image shape (--image, PNG input, or an HDF5 input's [N, H, W(, C)]).",
        valueName: "c1,c2,..."))
    public var conv: LayerWidths?

    @Option(help: ArgumentHelp("With --conv: the side of the square kernels.", valueName: "k"))
    public var kernel = Convolutions.defaultKernel

    @Option(help: ArgumentHelp(
        "With --conv: the stride of each convolution; the padding is (kernel - stride) / 2, so that each transposed convolution undoes its convolution's change of size.",
        valueName: "s"))
    public var stride = Convolutions.defaultStride

    public init() {}

    public func validate() throws {
        if let latent, latent < 1 { throw ValidationError("--latent must be at least 1") }
    }

    /// The configuration for `input`: its feature names, and its image
    /// shape unless `--image` gives one.
    public func configuration(training: TrainingOptions, input: TrainingInput) throws -> FitConfiguration {
        let imageShape = image ?? input.imageShape
        var layout = Architecture.Layout.dense
        if let conv {
            guard let imageShape else {
                throw AEError("--conv needs the rows' image shape: give --image HxW[xC], or PNG images, or an HDF5 dataset of shape [N, H, W(, C)]")
            }
            layout = .convolutional(try Convolutions(image: imageShape, channels: conv.widths, kernel: kernel, stride: stride))
        }
        return FitConfiguration(
            kind: kind, hidden: hidden?.widths ?? (conv == nil ? nil : []), latent: latent, activation: activation, loss: loss,
            layout: layout, normalization: normalize, featureNames: input.featureNames, imageShape: imageShape,
            epochs: training.epochs, validationFraction: training.validation, trimShare: training.trim,
            settings: training.settings)
    }
}

/// How `ae-fit` trains.
public struct TrainingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Passes over the training rows (default: chosen from the row count, about \(AutomaticSchedule.targetSteps(for: .vae)) steps in \(AutomaticSchedule.epochRange(for: .vae).lowerBound) to \(AutomaticSchedule.epochRange(for: .vae).upperBound) epochs for a VAE, at most \(AutomaticSchedule.targetSteps(for: .ae)) steps in \(AutomaticSchedule.epochRange(for: .ae).lowerBound) to \(AutomaticSchedule.epochRange(for: .ae).upperBound) epochs for an AE, with a \(AutomaticSchedule.validationFraction) validation split and early stopping).",
        valueName: "n"))
    public var epochs: Int?

    @Option(help: "Rows per gradient step.")
    public var batch = TrainingSettings.defaults.batchSize

    @Option(help: "Adam learning rate.")
    public var lr = TrainingSettings.defaults.learningRate

    @Option(help: "Decoupled weight decay (AdamW); 0 for plain Adam.")
    public var weightDecay = TrainingSettings.defaults.weightDecay

    @Option(help: "VAE: weight of the KL term (beta-VAE).")
    public var beta = TrainingSettings.defaults.beta

    @Option(help: ArgumentHelp("VAE: epochs over which the KL weight ramps from 0 to beta.", valueName: "epochs"))
    public var klWarmup = TrainingSettings.defaults.klWarmupEpochs

    @Option(name: .customLong("val"), help: ArgumentHelp(
        "Fraction of rows held out for validation, early stopping and calibration (default: \(AutomaticSchedule.validationFraction) without --epochs, else 0).",
        valueName: "fraction"))
    public var validation: Double?

    @Option(help: ArgumentHelp(
        "Share of rows to drop before fitting again: the first fit's most outlying rows, by how far their values lie from each feature's median and from their reconstruction (default: \(TrainingTrim.defaultShare) without --epochs for rows that are not images, else 0).",
        valueName: "share"))
    public var trim: Double?

    @Option(help: "Stop after this many epochs without a better validation loss (0: never).")
    public var patience = TrainingSettings.defaults.patience

    @Option(help: ArgumentHelp("Denoising: std of Gaussian noise added to normalised inputs.", valueName: "std"))
    public var noise = TrainingSettings.defaults.noise

    @Option(help: "Random seed; the same seed and thread count give a bit-identical model.")
    public var seed = TrainingSettings.defaults.seed

    public init() {}

    public func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard weightDecay >= 0 else { throw ValidationError("--weight-decay must not be negative") }
        guard beta >= 0 else { throw ValidationError("--beta must not be negative") }
        guard klWarmup >= 0 else { throw ValidationError("--kl-warmup must not be negative") }
        if let validation, !(validation >= 0 && validation < 1) { throw ValidationError("--val must be in [0, 1)") }
        if let trim, !(trim >= 0 && trim < 1) { throw ValidationError("--trim must be in [0, 1)") }
        guard patience >= 0 else { throw ValidationError("--patience must not be negative") }
        guard noise >= 0 else { throw ValidationError("--noise must not be negative") }
    }

    /// The settings but for their epochs, which `FitConfiguration` decides
    /// from `epochs`.
    public var settings: TrainingSettings {
        TrainingSettings(
            batchSize: batch, learningRate: lr, weightDecay: weightDecay, beta: beta, klWarmupEpochs: klWarmup,
            patience: patience, noise: noise, seed: seed)
    }
}
