import CHDF5
import Foundation
@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

final class ModelFileTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    private func sampleModel(kind: ModelKind = .vae, hidden: [Int] = [6, 4]) -> TrainedModel {
        let architecture = Architecture(kind: kind, inputWidth: 9, hidden: hidden, latent: 3, activation: .elu, loss: .mse)
        var generator = SeededGenerator(seed: 11)
        let network = Autoencoder(architecture: architecture, generator: &generator)
        let normalization = Normalization(
            method: .standard, shift: (0..<9).map { Float($0) * 0.1 }, scale: (0..<9).map { 1 + Float($0) })
        let history = [
            EpochMetrics(epoch: 1, trainLoss: 3.5, trainReconstruction: 3, trainKL: 0.5, validationLoss: 4, validationReconstruction: 3.2, validationKL: 0.8, seconds: 0.25),
            EpochMetrics(epoch: 2, trainLoss: 2.5, trainReconstruction: 2, trainKL: 0.5, validationLoss: 3, validationReconstruction: 2.4, validationKL: 0.6, seconds: 0.5),
        ]
        let record = TrainingRecord(
            settings: TrainingSettings(epochs: 2, batchSize: 16, learningRate: 0.003, weightDecay: 0.01, beta: 0.5, klWarmupEpochs: 1, patience: 3, noise: 0.1, seed: 42),
            normalization: .standard, validationFraction: 0.2, threads: 2, trainingRows: 80, validationRows: 20, history: history,
            trim: TrainingTrim.Outcome(share: 0.2, trainingRows: 16, validationRows: 4))
        return TrainedModel(network: network, normalization: normalization, imageShape: try? ImageShape(parsing: "3x3"), training: record)
    }

    func testSaveAndLoadRoundTripIsBitExact() throws {
        for model in [sampleModel(), sampleModel(kind: .ae, hidden: []), sampleModel(kind: .ae, hidden: [5])] {
            let path = directory.path("m.h5")
            try ModelFile.save(model, to: path)
            let loaded = try ModelFile.load(path)
            XCTAssertEqual(loaded.network.parameters.map(\.bitPattern), model.network.parameters.map(\.bitPattern))
            XCTAssertEqual(loaded, model)
        }
    }

    /// The stored layout is the documented one: torch.nn.Linear's [out, in].
    func testWeightsAreStoredOutByInLikeTorch() throws {
        let model = sampleModel()
        let path = directory.path("m.h5")
        try ModelFile.save(model, to: path)
        let file = try HDF5File.open(path)
        let weight = try file.readMatrix("encoder/layer_0/weight", maxCount: 1000)
        XCTAssertEqual([weight.rows, weight.cols], [6, 9])
        // In memory the weight from input i to output o sits at i * outputs + o.
        XCTAssertEqual(weight[4, 7], model.network.parameters[model.network.offset(of: "encoder/layer_0/weight") + 7 * 6 + 4])
        XCTAssertEqual(try file.stringAttribute("format"), "ae-model")
        XCTAssertEqual(try file.intArrayAttribute("hidden"), [6, 4])
        XCTAssertTrue(file.exists("encoder/logvar/bias"))
        XCTAssertTrue(file.exists("decoder/output/weight"))
        XCTAssertEqual(try file.read("history/train_loss", as: Double.self, maxCount: 10), [3.5, 2.5])
    }

    /// Feature names are stored as the string dataset /preprocess/feature_names,
    /// in feature order; a model without them (as older ae wrote) loads too.
    func testFeatureNamesRoundTripAndAreOptional() throws {
        var model = sampleModel()
        model.featureNames = ["temp", "pressure", "flow", "°C", "a,b", "\"q\"", "x", "y", "z"]
        let path = directory.path("m.h5")
        try ModelFile.save(model, to: path)
        XCTAssertEqual(try ModelFile.load(path).featureNames, model.featureNames)
        let file = try HDF5File.open(path)
        XCTAssertEqual(try file.readStrings("preprocess/feature_names", maxCount: 9), model.featureNames)
        try file.close()
        try ModelFile.save(sampleModel(), to: path)
        XCTAssertNil(try ModelFile.load(path).featureNames)
        XCTAssertFalse(try HDF5File.open(path).exists("preprocess/feature_names"))
    }

    func testFeatureNamesMustBeOnePerFeatureAndDistinct() throws {
        let path = directory.path("bad.h5")
        for names in [["a", "b"], ["a", "a", "b", "c", "d", "e", "f", "g", "h"]] {
            let file = try HDF5File.createInMemory(name: path)
            try ModelFile.write(sampleModel(), into: file)
            try file.write(names, to: "preprocess/feature_names")
            try AtomicFile.write(try file.fileImage(), to: path)
            try file.close()
            assertAEError(names.count == 2 ? "preprocess/feature_names has shape [2]" : "names a feature twice", at: path) {
                try ModelFile.load(path)
            }
        }
    }

    func testSavingOverAnExistingModelReplacesItWhole() throws {
        let path = directory.path("m.h5")
        try ModelFile.save(sampleModel(), to: path)
        try ModelFile.save(sampleModel(kind: .ae, hidden: [5]), to: path)
        XCTAssertEqual(try ModelFile.load(path).architecture.kind, .ae)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), ["m.h5"])
    }

    func testForeignFilesAreRefused() throws {
        let text = directory.path("x.ndjson")
        try Data("[1,2,3]\n".utf8).write(to: URL(fileURLWithPath: text))
        assertAEError("not an HDF5 file", at: text) { try ModelFile.load(text) }

        let data = directory.path("data.h5")
        let file = try HDF5File.create(data)
        try file.write(Matrix(rows: 2, cols: 2), to: "x")
        try file.close()
        assertAEError("not an ae model file", at: data) { try ModelFile.load(data) }
        XCTAssertFalse(ModelFile.isModel(data))
        XCTAssertFalse(ModelFile.isModel(text))
        assertAEError("No such file", at: directory.path("absent.h5")) { try ModelFile.load(directory.path("absent.h5")) }
    }

    func testTruncatedModelsAreRefusedAtEveryOffset() throws {
        let path = directory.path("m.h5")
        try ModelFile.save(sampleModel(), to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = directory.path("cut.h5")
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
            try bytes.prefix(length).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try ModelFile.load(cut), "cut at \(length) of \(bytes.count)") { error in
                XCTAssertTrue(error is AEError, "cut at \(length): \(error)")
            }
        }
    }

    /// Edits one attribute or dataset of a valid model and expects `message`.
    private func assertEditedModelRefused(_ message: String, line: UInt = #line, edit: (HDF5File) throws -> Void) throws {
        let path = directory.path("edited.h5")
        let file = try HDF5File.create(path)
        try ModelFile.write(sampleModel(), into: file)
        try edit(file)
        try file.close()
        assertAEError(message, at: path, line: line) { try ModelFile.load(path) }
    }

    func testNewerInconsistentAndAbsurdModelsAreRefused() throws {
        try assertEditedModelRefused("newer than this ae") { try $0.setAttribute("format_version", to: 99) }
        try assertEditedModelRefused("unusable sizes") { try $0.setAttribute("input_width", to: 1_000_000_000_000) }
        try assertEditedModelRefused("unusable sizes") { try $0.setAttribute("hidden", to: [1 << 19, 1 << 19, 1 << 19]) }
        try assertEditedModelRefused("encoder/layer_0/weight has shape [6, 9]") { try $0.setAttribute("input_width", to: 10) }
        try assertEditedModelRefused("unknown activation") { try $0.setAttribute("activation", to: "swish") }
        try assertEditedModelRefused("no kind attribute") { file in
            XCTAssertGreaterThanOrEqual(H5Adelete(file.handle, "kind"), 0)
        }
        try assertEditedModelRefused("NaN or infinite weights") { file in
            try file.write([Float](repeating: .nan, count: 6), to: "encoder/layer_0/bias")
        }
        try assertEditedModelRefused("preprocess/shift has shape [4]") { file in
            try file.write([Float](repeating: 0, count: 4), to: "preprocess/shift")
        }
    }
}
