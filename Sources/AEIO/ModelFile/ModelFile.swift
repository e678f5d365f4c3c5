import AECore
import CKernels
import Glibc

/// Reads and writes the ae model file: one self-describing HDF5 file.
///
/// Layout (documented for Python users in the README):
///
///     /                       attributes: format = "ae-model", format_version,
///                             tool_version, kind, input_width, hidden, latent,
///                             activation, loss, image_shape (when known), and
///                             the training settings
///     /preprocess/shift, /preprocess/scale     float32 [input_width]; attribute method
///     /preprocess/feature_names   strings [input_width], when the features have names
///     /encoder/layer_<i>/weight [out, in], bias [out]   hidden layers, activation after each
///     /encoder/mean/…, /encoder/logvar/… (VAE)           linear heads
///     /decoder/layer_<i>/…, /decoder/output/…            mirror; output is linear (logits for bce)
///                             (every tensor as `Architecture.storedTensors` lists it)
///     /history/<metric>        float64 per epoch (NaN where a metric does not apply)
///     /calibration             attributes samples, seed: how the sampled scores were drawn
///     /calibration/<method>/train, …/validation   float64 [m ≤ 4001]: quantiles of the
///                             training (held-out validation) rows' scores at probabilities
///                             i/(m−1); attribute rows (how many scores they summarise)
///     /calibration/density/feature_weights [input_width], latent_mean [latent],
///                             latent_precision [latent, latent]: float32, the density
///                             score's statistics (`DensityStatistics`)
///     /summary                 attributes: the fit summary (`FitSummaryAttributes`)
///
/// Weights are stored `[out, in]` like torch.nn.Linear.
public enum ModelFile {
    public static let formatName = "ae-model"
    public static let formatVersion = 1

    // MARK: Writing

    /// Writes `model` to `path` atomically: the file is built in memory and
    /// renamed into place, so a crash or a full disk never leaves a partial
    /// model under `path`, and a model already there stays intact on failure.
    public static func save(_ model: TrainedModel, to path: String) throws {
        let file = try HDF5File.createInMemory(name: path)
        try write(model, into: file)
        let image = try file.fileImage()
        try file.close()
        try AtomicFile.write(image, to: path)
    }

    static func write(_ model: TrainedModel, into file: HDF5File) throws {
        let architecture = model.architecture
        try file.setAttribute("format", to: formatName)
        try file.setAttribute("format_version", to: formatVersion)
        try file.setAttribute("tool_version", to: ToolVersion.string)
        for (name, value) in architecture.attributes {
            switch value {
            case .integer(let number): try file.setAttribute(name, to: number)
            case .integers(let numbers): try file.setAttribute(name, to: numbers)
            case .text(let text): try file.setAttribute(name, to: text)
            }
        }
        if let shape = model.imageShape {
            try file.setAttribute("image_shape", to: [shape.height, shape.width, shape.channels])
        }

        try file.createGroup("preprocess")
        try file.setAttribute("method", to: model.normalization.method.rawValue, on: "preprocess")
        try file.write(model.normalization.shift, to: "preprocess/shift")
        try file.write(model.normalization.scale, to: "preprocess/scale")
        if let names = model.featureNames { try file.write(names, to: "preprocess/feature_names") }

        for stored in architecture.storedTensors {
            try file.write(storedValues(stored.tensor, at: stored.offset, of: model.network), shape: stored.tensor.shape, to: stored.path)
        }
        if let training = model.training { try write(training, into: file) }
        if let calibration = model.calibration { try write(calibration, into: file) }
        if let summary = model.summary { try FitSummaryAttributes.write(summary, into: file) }
    }

    private static func write(_ calibration: ScoreCalibration, into file: HDF5File) throws {
        try file.createGroup("calibration")
        try file.setAttribute("samples", to: calibration.samples, on: "calibration")
        try file.setAttribute("seed", to: Int(bitPattern: UInt(calibration.seed)), on: "calibration")
        for method in ScoreMethod.allCases {
            guard let scores = calibration.distributions[method] else { continue }
            for (part, distribution) in [("train", scores.training), ("validation", scores.validation)] {
                guard let distribution else { continue }
                let path = "calibration/\(method.rawValue)/\(part)"
                try file.write(distribution.quantiles, to: path)
                try file.setAttribute("rows", to: distribution.rows, on: path)
            }
        }
        if let density = calibration.density {
            try file.write(density.featureWeights, to: "calibration/density/feature_weights")
            try file.write(density.latentMean, to: "calibration/density/latent_mean")
            try file.write(Matrix(rows: density.latentWidth, cols: density.latentWidth, storage: density.latentPrecision),
                           to: "calibration/density/latent_precision")
        }
    }

    private static func write(_ training: TrainingRecord, into file: HDF5File) throws {
        let settings = training.settings
        try file.setAttribute("epochs", to: settings.epochs)
        try file.setAttribute("batch_size", to: settings.batchSize)
        try file.setAttribute("learning_rate", to: decimal(settings.learningRate))
        try file.setAttribute("weight_decay", to: decimal(settings.weightDecay))
        try file.setAttribute("beta", to: decimal(settings.beta))
        try file.setAttribute("kl_warmup", to: settings.klWarmupEpochs)
        try file.setAttribute("patience", to: settings.patience)
        try file.setAttribute("noise", to: decimal(settings.noise))
        try file.setAttribute("seed", to: Int(bitPattern: UInt(settings.seed)))
        try file.setAttribute("normalize", to: training.normalization.rawValue)
        try file.setAttribute("validation_fraction", to: training.validationFraction)
        try file.setAttribute("threads", to: training.threads)
        try file.setAttribute("training_rows", to: training.trainingRows)
        try file.setAttribute("validation_rows", to: training.validationRows)
        try file.setAttribute("trim", to: training.trim?.share ?? 0)
        if let trim = training.trim {
            try file.setAttribute("trimmed_training_rows", to: trim.trainingRows)
            try file.setAttribute("trimmed_validation_rows", to: trim.validationRows)
        }

        try file.createGroup("history")
        let history = training.history
        try file.write(history.map { Int64($0.epoch) }, to: "history/epoch")
        for metric in EpochMetric.allCases {
            try file.write(history.map { $0[metric] ?? .nan }, to: "history/\(metric.name)")
        }
    }

    /// A tensor's values in stored order: a matrix kept transposed in memory
    /// is transposed back.
    private static func storedValues(_ tensor: ParameterTensor, at offset: Int, of network: Autoencoder) -> [Float] {
        network.parameters.withUnsafeBufferPointer { parameters in
            let start = parameters.baseAddress! + offset
            return [Float](unsafeUninitializedCapacity: tensor.count) { stored, initialized in
                if tensor.transposedInMemory {
                    Matrix.transpose(start, rows: tensor.shape[1], cols: tensor.shape[0], into: stored.baseAddress!)
                } else {
                    stored.baseAddress!.initialize(from: start, count: tensor.count)
                }
                initialized = tensor.count
            }
        }
    }

    // MARK: Reading

    /// Whether `path` is an HDF5 file carrying the ae model format attribute.
    /// An HDF5 file that the library crashes on counts as one: it is most
    /// likely the damaged model the user meant, and loading it says so.
    public static func isModel(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        var prefix = [UInt8](repeating: 0, count: 8)
        let count = read(descriptor, &prefix, prefix.count)
        close(descriptor)
        guard count == prefix.count, HDF5File.hasSignature(prefix) else { return false }
        return (try? HDF5CrashGuard.answer(checking: path, fileBytes: HDF5CrashGuard.size(of: path)) { hasFormatAttribute(path) }) ?? true
    }

    private static func hasFormatAttribute(_ path: String) -> Bool {
        guard let file = try? HDF5File.open(path) else { return false }
        defer { try? file.close() }
        return (try? file.stringAttribute("format")) == formatName
    }

    /// Loads and checks a model file. Rejects, with one clear line, a file
    /// that is not HDF5 or not an ae model, a newer format version, sizes out
    /// of range and shapes that do not fit together, all before allocating
    /// anything from the declared sizes; and a file the HDF5 library crashes
    /// on (`HDF5CrashGuard`).
    public static func load(_ path: String) throws -> TrainedModel {
        try HDF5CrashGuard.run(checking: path, fileBytes: HDF5CrashGuard.size(of: path)) { try loadInThisProcess(path) }
    }

    /// `load` without the crash guard: what the guard's child runs.
    public static func loadInThisProcess(_ path: String) throws -> TrainedModel {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        func fail(_ message: String) -> AEError { AEError(message, source: path) }

        guard try file.stringAttribute("format") == formatName else {
            throw fail("not an ae model file (no format attribute \"\(formatName)\")")
        }
        guard let version = try file.intAttribute("format_version") else {
            throw fail("model file has no format_version attribute")
        }
        guard version <= formatVersion else {
            throw fail("model format version \(version) is newer than this ae reads (\(formatVersion)); upgrade ae")
        }
        let architecture = try readArchitecture(file, fail: fail)
        let storedTensors = architecture.storedTensors
        for stored in storedTensors { try checkShape(file, stored.path, stored.tensor.shape, fail: fail) }
        var network = Autoencoder(architecture: architecture)
        for stored in storedTensors {
            let values = try readExactly(file, stored.path, shape: stored.tensor.shape, fail: fail)
            let tensor = stored.tensor
            network.parameters.withUnsafeMutableBufferPointer { parameters in
                values.withUnsafeBufferPointer { values in
                    let start = parameters.baseAddress! + stored.offset
                    if tensor.transposedInMemory {
                        Matrix.transpose(values.baseAddress!, rows: tensor.shape[0], cols: tensor.shape[1], into: start)
                    } else {
                        start.update(from: values.baseAddress!, count: values.count)
                    }
                }
            }
        }
        // The kernel the row readers check with: through `AlignedFloats`'s
        // generic methods, unspecialised outside AECore, this check took a
        // call per value and a tenth of ae-encode's start-up.
        guard network.parameters.withUnsafeBufferPointer({ ae_first_non_finite($0.baseAddress, $0.count) < 0 }) else {
            throw fail("model holds NaN or infinite weights")
        }

        guard let methodName = try file.stringAttribute("method", on: "preprocess"),
              let method = NormalizationMethod(rawValue: methodName) else {
            throw fail("model has no valid preprocess/method attribute")
        }
        let width = architecture.inputWidth
        let shift = try readExactly(file, "preprocess/shift", shape: [width], fail: fail)
        let scale = try readExactly(file, "preprocess/scale", shape: [width], fail: fail)
        guard shift.allSatisfy(\.isFinite), scale.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            throw fail("model's preprocess statistics are not finite and non-zero")
        }
        let normalization = Normalization(method: method, shift: shift, scale: scale)
        let featureNames = try readFeatureNames(file, width: width, fail: fail)

        var imageShape: ImageShape?
        if let dims = try file.intArrayAttribute("image_shape") {
            guard dims.count == 3 else { throw fail("image_shape must hold [height, width, channels]") }
            let shape = try ImageShape(height: dims[0], width: dims[1], channels: dims[2])
            guard shape.valuesPerImage == width else {
                throw fail("image_shape \(shape) does not hold input_width \(width) values")
            }
            imageShape = shape
        }
        let training = try readTraining(file, fail: fail)
        let calibration = try readCalibration(file, architecture: network.architecture, fail: fail)
        return TrainedModel(
            network: network, normalization: normalization, featureNames: featureNames, imageShape: imageShape,
            training: training, calibration: calibration, summary: try FitSummaryAttributes.read(file, fail: fail))
    }

    /// The features' names, when the model has them (older models do not):
    /// one per feature, each named once.
    private static func readFeatureNames(_ file: HDF5File, width: Int, fail: (String) -> AEError) throws -> [String]? {
        let path = "preprocess/feature_names"
        guard file.exists(path) else { return nil }
        try checkShape(file, path, [width], fail: fail)
        let names = try file.readStrings(path, maxCount: width)
        guard Set(names).count == names.count else { throw fail("\(path) names a feature twice") }
        return names
    }

    private static func readCalibration(
        _ file: HDF5File, architecture: Architecture, fail: (String) -> AEError
    ) throws -> ScoreCalibration? {
        guard file.exists("calibration") else { return nil }
        guard let samples = try file.intAttribute("samples", on: "calibration"), samples >= 1 else {
            throw fail("calibration has no valid samples attribute")
        }
        let seed = UInt64(bitPattern: Int64(try file.intAttribute("seed", on: "calibration") ?? 0))
        func distribution(_ path: String) throws -> ScoreDistribution? {
            guard file.exists(path) else { return nil }
            let shape = try file.shape(of: path)
            guard shape.count == 1, (1...ScoreDistribution.maximumPoints).contains(shape[0]) else {
                throw fail("\(path) has shape \(shape); expected 1 to \(ScoreDistribution.maximumPoints) quantiles")
            }
            let quantiles = try file.read(path, as: Double.self, maxCount: ScoreDistribution.maximumPoints)
            guard quantiles.allSatisfy(\.isFinite), zip(quantiles, quantiles.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw fail("\(path) must hold finite scores in ascending order")
            }
            return ScoreDistribution(quantiles: quantiles, rows: try file.intAttribute("rows", on: path) ?? quantiles.count)
        }
        var distributions: [ScoreMethod: ScoreCalibration.Scores] = [:]
        for method in ScoreMethod.allCases {
            guard let training = try distribution("calibration/\(method.rawValue)/train") else { continue }
            distributions[method] = ScoreCalibration.Scores(
                training: training, validation: try distribution("calibration/\(method.rawValue)/validation"))
        }
        var density: DensityStatistics?
        if file.exists("calibration/density") {
            let k = architecture.latent
            let weights = try readExactly(file, "calibration/density/feature_weights", shape: [architecture.inputWidth], fail: fail)
            let mean = try readExactly(file, "calibration/density/latent_mean", shape: [k], fail: fail)
            let precision = try readExactly(file, "calibration/density/latent_precision", shape: [k, k], fail: fail)
            guard weights.allSatisfy({ $0 > 0 && $0.isFinite }), (mean + precision).allSatisfy(\.isFinite) else {
                throw fail("calibration/density must hold finite statistics and positive feature weights")
            }
            density = DensityStatistics(featureWeights: weights, latentMean: mean, latentPrecision: precision)
        }
        return ScoreCalibration(samples: samples, seed: seed, distributions: distributions, density: density)
    }

    private static func readArchitecture(_ file: HDF5File, fail: (String) -> AEError) throws -> Architecture {
        do {
            return try Architecture(attributes: RootAttributes(file: file))
        } catch let error as AEError where error.location == nil {
            throw fail(error.message)
        }
    }

    /// The file's root attributes, as the architecture reads them.
    private struct RootAttributes: ArchitectureAttributeSource {
        let file: HDF5File
        func integer(_ name: String) throws -> Int? { try file.intAttribute(name) }
        func integers(_ name: String) throws -> [Int]? { try file.intArrayAttribute(name) }
        func text(_ name: String) throws -> String? { try file.stringAttribute(name) }
    }

    private static func checkShape(_ file: HDF5File, _ path: String, _ shape: [Int], fail: (String) -> AEError) throws {
        guard file.exists(path) else { throw fail("model file has no \(path)") }
        let stored = try file.shape(of: path)
        guard stored == shape else {
            throw fail("\(path) has shape \(stored); the model's sizes need \(shape)")
        }
    }

    /// Reads a float32-convertible dataset after checking it has `shape`.
    private static func readExactly(_ file: HDF5File, _ path: String, shape: [Int], fail: (String) -> AEError) throws -> [Float] {
        try checkShape(file, path, shape, fail: fail)
        let count = shape.reduce(1, *)
        return shape.count >= 2
            ? try file.readMatrix(path, maxCount: count).storage
            : try file.read(path, as: Float.self, maxCount: count)
    }

    private static func readTraining(_ file: HDF5File, fail: (String) -> AEError) throws -> TrainingRecord? {
        guard let epochs = try file.intAttribute("epochs") else { return nil }
        func number(_ name: String) throws -> Double { try file.doubleAttribute(name) ?? 0 }
        func integer(_ name: String) throws -> Int { try file.intAttribute(name) ?? 0 }
        let settings = TrainingSettings(
            epochs: epochs, batchSize: try integer("batch_size"), learningRate: Float(try number("learning_rate")),
            weightDecay: Float(try number("weight_decay")), beta: Float(try number("beta")),
            klWarmupEpochs: try integer("kl_warmup"), patience: try integer("patience"),
            noise: Float(try number("noise")), seed: UInt64(bitPattern: Int64(try integer("seed"))))
        var history: [EpochMetrics] = []
        if file.exists("history/epoch") {
            let limit = 10_000_000
            let epochNumbers = try file.read("history/epoch", as: Int64.self, maxCount: limit)
            var columns: [EpochMetric: [Double]] = [:]
            for metric in EpochMetric.allCases {
                let path = "history/\(metric.name)"
                let values = try file.read(path, as: Double.self, maxCount: limit)
                guard values.count == epochNumbers.count else { throw fail("\(path) has the wrong length") }
                columns[metric] = values
            }
            history = epochNumbers.indices.map { row in
                EpochMetrics(epoch: Int(epochNumbers[row])) { metric in
                    let value = columns[metric]![row]
                    return value.isNaN ? nil : value
                }
            }
        }
        let normalization = try file.stringAttribute("normalize").flatMap(NormalizationMethod.init(rawValue:)) ?? .none
        let share = try number("trim")
        return TrainingRecord(
            settings: settings, normalization: normalization,
            validationFraction: try number("validation_fraction"), threads: try integer("threads"),
            trainingRows: try integer("training_rows"), validationRows: try integer("validation_rows"),
            history: history,
            trim: share > 0
                ? TrainingTrim.Outcome(share: share, trainingRows: try integer("trimmed_training_rows"), validationRows: try integer("trimmed_validation_rows"))
                : nil)
    }
}

/// The Double that prints like `value` (0.001, not 0.0010000000474974513),
/// so settings read back in h5py as the user typed them.
public func decimal(_ value: Float) -> Double {
    Double(value.description) ?? Double(value)
}
