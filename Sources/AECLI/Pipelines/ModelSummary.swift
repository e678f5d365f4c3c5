import AECore
import AEIO

/// What `ae-info` shows of a model file, in one screen of text or as one
/// JSON object: the architecture and its layers, the feature names, the
/// normalisation, how it was trained and on how many rows, the fit summary,
/// and the score quantiles behind ae-score's thresholds.
///
/// The fit summary is shown as the file holds it: every attribute of the
/// `/summary` group, whatever ae-fit stored there. Feature names are read
/// from a `feature_names` attribute (on the root or `/preprocess`) or
/// dataset (`/preprocess/feature_names`, `/feature_names`) of strings.
public struct ModelSummary {
    public var path: String
    public var model: TrainedModel
    public var formatVersion: Int
    public var toolVersion: String?
    public var featureNames: [String]?
    /// The attributes of `/summary`, by name; nil when the file has no such group.
    public var fitSummary: [(name: String, value: HDF5Value)]?

    /// The calibration quantiles shown for each score method.
    public static let shownQuantiles = [0.5, 0.9, 0.95, 0.99, 0.999]

    /// Reads and checks the model at `path` (as every tool loads it), and
    /// what else the file says about it.
    public static func read(_ path: String) throws -> ModelSummary {
        try HDF5CrashGuard.run(checking: path, fileBytes: HDF5CrashGuard.size(of: path)) {
            let model = try ModelFile.loadInThisProcess(path)
            let file = try HDF5File.open(path)
            defer { try? file.close() }
            let summary = try file.exists("summary")
                ? file.attributeNames(on: "summary").map { name in (name, try file.attribute(name, on: "summary")!) }
                : nil
            return ModelSummary(
                path: path, model: model, formatVersion: try file.intAttribute("format_version") ?? 0,
                toolVersion: try file.stringAttribute("tool_version"), featureNames: try featureNames(in: file),
                fitSummary: summary)
        }
    }

    private static func featureNames(in file: HDF5File) throws -> [String]? {
        for object in ["/", "preprocess"] where file.exists(object) {
            if let names = try file.stringArrayAttribute("feature_names", on: object) { return names }
        }
        for path in ["preprocess/feature_names", "feature_names"] where file.objectKind(path) == .dataset {
            return try file.readStrings(path, maxCount: Architecture.maximumWidth)
        }
        return nil
    }

    /// Writes the summary to stdout: text, or one line of JSON.
    public func write(asJSON: Bool) throws {
        try ByteWriter.writeToStandardOutput((asJSON ? json.text : text) + "\n")
    }

    // MARK: What is shown

    private var architecture: Architecture { model.architecture }

    /// Each layer: its group in the file, the values a row holds going in
    /// and out, its parameters (a VAE's two heads, one layer in the network,
    /// as the two groups the file holds).
    private var layers: [(name: String, inputs: Int, outputs: Int, parameters: Int)] {
        let (encoder, decoder) = architecture.placedLayers
        return (encoder + decoder).flatMap { placed -> [(name: String, inputs: Int, outputs: Int, parameters: Int)] in
            guard let heads = placed.layer as? PosteriorHeads else {
                return [(placed.name, placed.layer.inputWidth, placed.layer.outputWidth, placed.layer.parameterCount)]
            }
            return [("\(placed.name)/mean", heads.mean), ("\(placed.name)/logvar", heads.logVariance)].map {
                ($0.0, $0.1.inputs, $0.1.outputs, $0.1.parameterCount)
            }
        }
    }

    /// The threshold ae-score uses without options: its default quantile of
    /// its default method's reference scores.
    private var defaultThreshold: (method: ScoreMethod, score: Double)? {
        let method = ScoreMethod.defaultMethod(for: model)
        return (try? AnomalyThreshold.standard.score(for: method, calibration: model.calibration)).map { (method, $0) }
    }

    /// The methods the calibration holds, in `ScoreMethod` order, each with
    /// the split its thresholds come from.
    private var calibrated: [(method: ScoreMethod, split: String, distribution: ScoreDistribution)] {
        ScoreMethod.allCases.compactMap { method in
            guard let scores = model.calibration?.distributions[method] else { return nil }
            return (method, scores.validation == nil ? "training" : "validation", scores.validation ?? scores.training)
        }
    }

    // MARK: Text

    /// About one screen: a label column, then the facts.
    public var text: String {
        var lines: [String] = []
        func add(_ label: String, _ text: String) {
            lines.append(label.padded(to: 13) + text)
        }
        let written = toolVersion.map { ", written by ae \($0)" } ?? ""
        add("model", "\(path): \(architecture.kind.rawValue) (model format \(formatVersion)\(written))")
        let widths = [architecture.inputWidth] + architecture.hidden + [architecture.latent]
        let shape = (widths + widths.dropLast().reversed()).map(String.init).joined(separator: " -> ")
        add("network", "\(shape); \(architecture.activation.rawValue), loss \(architecture.loss.rawValue), \(architecture.parameterCount) parameters")
        let nameWidth = layers.map(\.name.count).max() ?? 0
        for layer in layers {
            add("", "\(layer.name.padded(to: nameWidth + 2))\(layer.inputs) -> \(layer.outputs), \(layer.parameters) parameters")
        }
        add("features", featureNames.map { "\($0.count): " + Self.list($0) } ?? "\(architecture.inputWidth), unnamed")
        add("normalise", model.normalization.method.rawValue)
        if let training = model.training {
            var data = "\(training.trainingRows) training rows, \(training.validationRows) validation rows"
            data += " (--val \(Self.number(training.validationFraction)))"
            if let trim = training.trim {
                data += ", \(trim.trainingRows + trim.validationRows) trimmed (--trim \(Self.number(trim.share)))"
            }
            data += ", \(architecture.inputWidth) values each"
            if let image = model.imageShape { data += ", images \(image)" }
            add("data", data)
            let settings = training.settings
            let decimals = [settings.learningRate, settings.weightDecay, settings.beta, settings.noise].map { Self.number(decimal($0)) }
            add("training", "\(training.history.count) of \(settings.epochs) epochs run; batch \(settings.batchSize), "
                + "lr \(decimals[0]), weight decay \(decimals[1]), beta \(decimals[2]), "
                + "kl warm-up \(settings.klWarmupEpochs), patience \(settings.patience), noise \(decimals[3]), "
                + "seed \(settings.seed), threads \(training.threads)")
            // The fit summary names the kept epoch; older models show the last.
            if fitSummary == nil, let last = training.history.last {
                var history = "epoch \(last.epoch): loss \(Self.number(last.trainLoss))"
                if let validation = last.validationLoss { history += ", val \(Self.number(validation))" }
                if let best = training.bestValidationEpoch { history += "; kept epoch \(best), the best by validation loss" }
                add("last epoch", history)
            }
        } else if let image = model.imageShape {
            add("data", "\(architecture.inputWidth) values a row, images \(image)")
        }
        if let fitSummary {
            let items = fitSummary.map { "\($0.name): \(Self.text($0.value))" }
            for (k, line) in Self.filled(items, width: Self.summaryWidth).enumerated() {
                add(k == 0 ? "fit summary" : "", line)
            }
        }
        for (k, entry) in calibrated.enumerated() {
            let quantiles = Self.shownQuantiles.map { "q\(Self.number($0)) \(Self.number(entry.distribution.quantile($0)))" }
            add(k == 0 ? "calibration" : "",
                "\(entry.method.rawValue) (\(entry.distribution.rows) \(entry.split) rows): \(quantiles.joined(separator: ", "))")
        }
        if let (method, score) = defaultThreshold {
            add("threshold", "\(Self.number(score)): ae-score's default (\(method.rawValue), quantile \(Self.number(AnomalyThreshold.defaultQuantile)))")
        } else {
            add("threshold", "none: the model holds no calibration (ae-score needs --threshold)")
        }
        return lines.joined(separator: "\n")
    }

    /// A number in at most six significant digits; "none" for NaN (a metric
    /// that does not apply), never a non-finite number.
    private static func number(_ value: Double) -> String {
        value.isFinite ? String(printf: "%.6g", value) : "none"
    }

    /// The characters of a line of fit summary items, after the label.
    private static let summaryWidth = 90

    /// `items` joined by commas into lines of at most `width` characters
    /// (or one item, where it is longer).
    private static func filled(_ items: [String], width: Int) -> [String] {
        var lines: [String] = []
        for item in items {
            if let last = lines.last, last.count + 2 + item.count <= width {
                lines[lines.count - 1] += ", " + item
            } else {
                if !lines.isEmpty { lines[lines.count - 1] += "," }
                lines.append(item)
            }
        }
        return lines
    }

    /// At most ten items, then how many there are.
    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(10).joined(separator: ", ")
        return items.count > 10 ? shown + ", ... (\(items.count) in all)" : shown
    }

    private static func text(_ value: HDF5Value) -> String {
        switch value {
        case .integer(let integer): String(integer)
        case .number(let number): Self.number(number)
        case .string(let string): string
        case .integers(let integers): "[" + list(integers.map(String.init)) + "]"
        case .numbers(let numbers): "[" + list(numbers.map(Self.number)) + "]"
        case .boolean(let flag): String(flag)
        case .strings(let strings): strings.count == 1 ? strings[0] : list(strings.map { "\"\($0)\"" })
        case .booleans(let flags): "[" + list(flags.map(String.init)) + "]"
        case .other(let what): "(\(what))"
        }
    }

    // MARK: JSON

    /// The same facts as `text`, in full, with the model file's names.
    public var json: JSONValue {
        var object: [(key: String, value: JSONValue)] = [
            ("path", .string(path)),
            ("format_version", Self.json(formatVersion)),
            ("tool_version", toolVersion.map(JSONValue.string) ?? .null),
            ("kind", .string(architecture.kind.rawValue)),
            ("input_width", Self.json(architecture.inputWidth)),
            ("hidden", .array(architecture.hidden.map(Self.json))),
            ("latent", Self.json(architecture.latent)),
            ("activation", .string(architecture.activation.rawValue)),
            ("loss", .string(architecture.loss.rawValue)),
            ("image_shape", model.imageShape.map { .array([$0.height, $0.width, $0.channels].map(Self.json)) } ?? .null),
            ("parameters", Self.json(architecture.parameterCount)),
            ("layers", .array(layers.map { layer in
                .object([
                    ("name", .string(layer.name)), ("inputs", Self.json(layer.inputs)),
                    ("outputs", Self.json(layer.outputs)), ("parameters", Self.json(layer.parameters)),
                ])
            })),
            ("feature_names", featureNames.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("normalize", .string(model.normalization.method.rawValue)),
        ]
        object.append(("training", model.training.map(Self.json) ?? .null))
        object.append(("summary", fitSummary.map { .object($0.map { ($0.name, Self.json($0.value)) }) } ?? .null))
        object.append(("calibration", model.calibration.map { calibration in
            .object([
                ("samples", Self.json(calibration.samples)),
                ("seed", .number(Double(calibration.seed))),
                ("scores", .object(calibrated.map { entry in
                    (entry.method.rawValue, .object([
                        ("split", .string(entry.split)), ("rows", Self.json(entry.distribution.rows)),
                        ("quantiles", .object(Self.shownQuantiles.map {
                            (Self.number($0), Self.json(entry.distribution.quantile($0)))
                        })),
                    ]))
                })),
            ])
        } ?? .null))
        object.append(("threshold", defaultThreshold.map { threshold in
            .object([
                ("method", .string(threshold.method.rawValue)),
                ("quantile", .number(AnomalyThreshold.defaultQuantile)),
                ("score", Self.json(threshold.score)),
            ])
        } ?? .null))
        return .object(object)
    }

    private static func json(_ training: TrainingRecord) -> JSONValue {
        let settings = training.settings
        let last = training.history.last
        return .object([
            ("epochs", json(settings.epochs)), ("epochs_run", json(training.history.count)),
            ("batch_size", json(settings.batchSize)), ("learning_rate", .number(decimal(settings.learningRate))),
            ("weight_decay", .number(decimal(settings.weightDecay))), ("beta", .number(decimal(settings.beta))),
            ("kl_warmup", json(settings.klWarmupEpochs)), ("patience", json(settings.patience)),
            ("noise", .number(decimal(settings.noise))), ("seed", .number(Double(settings.seed))),
            ("threads", json(training.threads)), ("validation_fraction", json(training.validationFraction)),
            ("training_rows", json(training.trainingRows)), ("validation_rows", json(training.validationRows)),
            ("trim", json(training.trim?.share ?? 0)),
            ("trimmed_training_rows", json(training.trim?.trainingRows ?? 0)),
            ("trimmed_validation_rows", json(training.trim?.validationRows ?? 0)),
            ("last_epoch", last.map { json($0.epoch) } ?? .null),
            ("last_train_loss", last.map { json($0.trainLoss) } ?? .null),
            ("last_val_loss", last?.validationLoss.map(json) ?? .null),
            ("best_validation_epoch", training.bestValidationEpoch.map(json) ?? .null),
        ])
    }

    private static func json(_ value: HDF5Value) -> JSONValue {
        switch value {
        case .integer(let integer): json(integer)
        case .number(let number): json(number)
        case .string(let string): .string(string)
        case .integers(let integers): .array(integers.map(json))
        case .numbers(let numbers): .array(numbers.map(json))
        case .boolean(let flag): .bool(flag)
        case .strings(let strings): .array(strings.map(JSONValue.string))
        case .booleans(let flags): .array(flags.map(JSONValue.bool))
        case .other(let what): .string("(\(what))")
        }
    }

    private static func json(_ value: Int) -> JSONValue { .number(Double(value)) }

    /// null for NaN or an infinity, which JSON cannot hold.
    private static func json(_ value: Double) -> JSONValue { value.isFinite ? .number(value) : .null }
}

private extension String {
    /// The string padded with spaces to `length` characters, and followed
    /// by at least one.
    func padded(to length: Int) -> String {
        self + String(repeating: " ", count: max(length - count, 1))
    }
}
