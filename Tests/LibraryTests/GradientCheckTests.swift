import AECLI
import AECore
import AEIO
import XCTest

/// Analytic gradients against central finite differences of the same Float
/// computation. Tolerances allow for Float rounding in the differences.
final class GradientCheckTests: XCTestCase {
    private let pool = WorkerPool(threads: 1)

    func testActivationDerivativesMatchFiniteDifferences() {
        let inputs: [Float] = [-2.1, -0.7, -0.05, 0.03, 0.4, 1.3, 2.6]
        for activation in Activation.allCases {
            var outputs = inputs
            outputs.withUnsafeMutableBufferPointer { activation.apply($0) }
            var gradients = [Float](repeating: 1, count: inputs.count)
            outputs.withUnsafeBufferPointer { y in
                gradients.withUnsafeMutableBufferPointer { activation.backward(outputs: y, gradients: $0) }
            }
            for (i, x) in inputs.enumerated() {
                let h: Float = 1e-3
                var plus = [x + h], minus = [x - h]
                plus.withUnsafeMutableBufferPointer { activation.apply($0) }
                minus.withUnsafeMutableBufferPointer { activation.apply($0) }
                let numeric = (plus[0] - minus[0]) / (2 * h)
                XCTAssertEqual(gradients[i], numeric, accuracy: 2e-3, "\(activation) at \(x)")
            }
        }
    }

    func testLossGradientsMatchFiniteDifferences() {
        let output: [Float] = [-3, -0.4, 0.2, 1.7, 5, 0.9]
        let target: [Float] = [0, 0.3, 1, 0.8, 1, 0.1]
        for loss in Loss.allCases {
            var gradient = [Float](repeating: 0, count: output.count)
            gradient.withUnsafeMutableBufferPointer { g in
                _ = loss.evaluate(output: output, target: target, rows: 2, cols: 3, gradient: g.baseAddress!, gradientScale: 1)
            }
            for i in output.indices {
                let h: Float = 1e-2
                var plus = output, minus = output
                plus[i] += h
                minus[i] -= h
                let numeric = (loss.evaluate(output: plus, target: target, rows: 2, cols: 3)
                    - loss.evaluate(output: minus, target: target, rows: 2, cols: 3)) / Double(2 * h)
                XCTAssertEqual(Double(gradient[i]), numeric, accuracy: 2e-3 * max(1, abs(numeric)), "\(loss) element \(i)")
            }
        }
    }

    func testBinaryCrossEntropyIsStableForLargeLogits() {
        let output: [Float] = [-200, 200, 88, -88]
        let target: [Float] = [0, 1, 1, 0]
        var rowLosses = [Double](repeating: .nan, count: 1)
        let total = Loss.bce.evaluate(output: output, target: target, rows: 1, cols: 4, rowLosses: &rowLosses)
        XCTAssertEqual(total, 0, accuracy: 1e-6)
        XCTAssertEqual(rowLosses[0], total)
        let wrong = Loss.bce.evaluate(output: [-200], target: [1], rows: 1, cols: 1)
        XCTAssertEqual(wrong, 200, accuracy: 1e-3)
    }

    /// Every parameter of small AEs and VAEs, for every activation and loss.
    func testModelGradientsMatchFiniteDifferences() {
        for kind in ModelKind.allCases {
            for activation in Activation.allCases {
                for loss in Loss.allCases {
                    checkModel(kind: kind, hidden: [5, 4], activation: activation, loss: loss, klWeight: 0.7)
                }
            }
        }
        checkModel(kind: .vae, hidden: [], activation: .tanh, loss: .mse, klWeight: 1)
        checkModel(kind: .vae, hidden: [5], activation: .elu, loss: .bce, klWeight: 1, sparseInput: true)
        checkModel(kind: .ae, hidden: [], activation: .relu, loss: .bce, klWeight: 1)
    }

    /// `sparseInput` zeroes most inputs, so the first layer takes its sparse path.
    private func checkModel(kind: ModelKind, hidden: [Int], activation: Activation, loss: Loss, klWeight: Float, sparseInput: Bool = false) {
        let label = "\(kind) \(hidden) \(activation) \(loss)\(sparseInput ? " sparse" : "")"
        let architecture = Architecture(kind: kind, inputWidth: 6, hidden: hidden, latent: 3, activation: activation, loss: loss)
        var generator = SeededGenerator(seed: 7)
        var model = Autoencoder(architecture: architecture, generator: &generator)
        let rows = 4
        let input = (0..<(rows * 6)).map { i in sparseInput && i % 5 != 0 ? 0 : Float(generator.uniform()) }
        let target = loss == .bce ? input : input.map { $0 * 2 - 1 }
        let step = GradientStep(model: model, capacity: rows)
        let scale: Float = 1 / Float(rows)
        var latentGenerator = SeededGenerator(seed: 99)
        let noise = (0..<(rows * 3)).map { _ in Float(latentGenerator.gaussian()) }

        func objective(_ model: Autoencoder) -> Double {
            let result = step.run(
                model: model, input: input, target: target, rows: rows, klWeight: klWeight,
                latentNoise: noise, gradients: nil, gradientScale: 1, pool: pool)
            return (result.reconstruction + Double(klWeight) * result.kl) * Double(scale)
        }

        var analytic = [Float](repeating: .nan, count: model.parameters.count)
        _ = analytic.withUnsafeMutableBufferPointer { g in
            step.run(
                model: model, input: input, target: target, rows: rows, klWeight: klWeight,
                latentNoise: noise, gradients: g.baseAddress!, gradientScale: scale, pool: pool)
        }
        XCTAssertFalse(analytic.contains { $0.isNaN }, "\(label): every gradient slot is written")
        // Where a relu-type kink lies between x − h and x + h the one-sided
        // differences disagree; the analytic gradient must then equal one of them.
        let center = objective(model)
        for i in model.parameters.indices {
            let saved = model.parameters[i]
            let h: Float = 1e-3
            model.parameters[i] = saved + h
            let plus = objective(model)
            model.parameters[i] = saved - h
            let minus = objective(model)
            model.parameters[i] = saved
            let forward = (plus - center) / Double(h), backward = (center - minus) / Double(h)
            let central = (plus - minus) / Double(2 * h)
            let value = Double(analytic[i])
            func close(_ numeric: Double) -> Bool { abs(value - numeric) <= 3e-3 + 3e-2 * abs(numeric) }
            let kink = abs(forward - backward) > 0.05 * max(abs(forward), abs(backward), 0.05)
            XCTAssertTrue(
                kink ? close(forward) || close(backward) : close(central),
                "\(label): parameter \(i): analytic \(value), differences \(backward) \(central) \(forward)")
        }
    }

    func testKLOfStandardNormalPosteriorIsZeroAndGrowsAway() {
        // A VAE whose heads output μ = 0 and log σ² = 0 has KL exactly 0.
        let architecture = Architecture(kind: .vae, inputWidth: 2, hidden: [], latent: 2, activation: .identity, loss: .mse)
        var model = Autoencoder(architecture: architecture)
        let step = GradientStep(model: model, capacity: 1)
        let noise: [Float] = [0.3, -1.2]
        let zero = step.run(
            model: model, input: [1, 2], target: [1, 2], rows: 1, klWeight: 1,
            latentNoise: noise, gradients: nil, gradientScale: 1, pool: pool)
        XCTAssertEqual(zero.kl, 0)
        // μ = (1, −2) through the mean head's bias: KL = ½ Σ μ² = 2.5.
        model.parameters[model.offset(of: "encoder/mean/bias")] = 1
        model.parameters[model.offset(of: "encoder/mean/bias") + 1] = -2
        let shifted = step.run(
            model: model, input: [1, 2], target: [1, 2], rows: 1, klWeight: 1,
            latentNoise: noise, gradients: nil, gradientScale: 1, pool: pool)
        XCTAssertEqual(shifted.kl, 2.5, accuracy: 1e-6)
    }
}

/// Splitting a batch across threads sums the same gradient as one pass.
final class DataParallelStepTests: XCTestCase {
    func testSplitGradientsSumToTheSingleThreadedGradient() {
        let architecture = Architecture(kind: .vae, inputWidth: 7, hidden: [6], latent: 2, activation: .tanh, loss: .mse)
        var generator = SeededGenerator(seed: 4)
        let model = Autoencoder(architecture: architecture, generator: &generator)
        let rows = 9
        let input = (0..<(rows * 7)).map { _ in Float(generator.gaussian()) }
        var results: [[Float]] = []
        var losses: [BatchLoss] = []
        for threads in [1, 2, 3] {
            let step = DataParallelStep(model: model, capacity: rows, pool: WorkerPool(threads: threads))
            var latent: SeededGenerator? = SeededGenerator(seed: 8)
            losses.append(step.run(model: model, input: input, target: input, rows: rows, klWeight: 0.5, generator: &latent, computeGradients: true))
            let parts = step.gradientParts
            results.append((0..<model.parameters.count).map { i in parts.reduce(0) { $0 + $1[i] } })
        }
        for k in 1..<3 {
            XCTAssertEqual(losses[k].rows, rows)
            XCTAssertEqual(losses[k].total, losses[0].total, accuracy: 1e-4 * abs(losses[0].total))
            for i in results[0].indices {
                XCTAssertEqual(results[k][i], results[0][i], accuracy: 1e-5 + 1e-4 * abs(results[0][i]))
            }
        }
    }
}
