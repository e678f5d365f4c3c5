import Foundation
import AECore
import XCTest

/// Adam's steps against the textbook formulas, computed here in Double:
///
///     m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
///     p ← p·(1 − lr·decay) − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
///
/// The kernel computes in Float, with the bias corrections arranged as
/// lr / (1 − β1^t) and 1 / √(1 − β2^t), once per step. β^t is a Float near
/// 1, off by up to an ulp (ε), and 1 − β^t cancels most of its digits: the
/// step's relative error is up to ε / (1 − β1^t) + (ε / 2) / (1 − β2^t)
/// from the corrections (none at t = 1, where β^t is β itself; about 8e-6
/// at t = 2) plus 4ε from the step's own roundings (the moments, the
/// square root, the division), and the parameter's rounding adds an ulp
/// of the result. The test allows exactly that.
final class AdamStepTests: XCTestCase {
    private let start: [Float] = [0.5, -1.25, 3, 0, 2e-4]
    private let gradients: [[Float]] = [
        [0.1, -0.2, 0, 1e-3, -4],
        [0.3, 0.1, -0.5, 1e-3, 2],
    ]

    /// The parameters after each step of the Double reference.
    private func reference(learningRate: Float, weightDecay: Float, adam: Adam) -> [[Double]] {
        let beta1 = Double(adam.beta1), beta2 = Double(adam.beta2), epsilon = Double(adam.epsilon)
        let lr = Double(learningRate), decay = Double(weightDecay)
        var p = start.map(Double.init), m = [Double](repeating: 0, count: start.count), v = m
        var steps: [[Double]] = []
        for (t, g) in gradients.enumerated() {
            let step = Double(t + 1)
            for i in p.indices {
                let gi = Double(g[i])
                m[i] = beta1 * m[i] + (1 - beta1) * gi
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                let corrected = (m[i] / (1 - pow(beta1, step))) / ((v[i] / (1 - pow(beta2, step))).squareRoot() + epsilon)
                p[i] = p[i] * (1 - lr * decay) - lr * corrected
            }
            steps.append(p)
        }
        return steps
    }

    /// The bound on the step's relative error explained above.
    private func relativeStepError(afterStep t: Int, _ adam: Adam) -> Double {
        let epsilon = Double(Float.ulpOfOne)
        let corrections = t == 1
            ? 0
            : epsilon / (1 - pow(Double(adam.beta1), Double(t))) + epsilon / 2 / (1 - pow(Double(adam.beta2), Double(t)))
        return corrections + 4 * epsilon
    }

    private func check(learningRate: Float, weightDecay: Float, splitInto parts: Int) {
        let adam = Adam(parameterCount: start.count, learningRate: learningRate, weightDecay: weightDecay)
        let expected = reference(learningRate: learningRate, weightDecay: weightDecay, adam: adam)
        var parameters = start
        for (t, g) in gradients.enumerated() {
            // The gradient split into equal parts that sum to it exactly.
            let part = g.map { $0 / Float(parts) }
            let buffers = (0..<parts).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: g.count) }
            defer { buffers.forEach { $0.deallocate() } }
            for buffer in buffers { buffer.initialize(from: part, count: part.count) }
            let before = parameters
            adam.beginStep()
            parameters.withUnsafeMutableBufferPointer { p in
                adam.update(0..<g.count, parameters: p.baseAddress!, gradientParts: buffers)
            }
            for i in parameters.indices {
                let reference = expected[t][i]
                let step = abs(reference - Double(before[i]))
                let tolerance = Double(Float(reference).ulp) + step * relativeStepError(afterStep: t + 1, adam)
                XCTAssertEqual(
                    Double(parameters[i]), reference, accuracy: tolerance,
                    "lr \(learningRate), decay \(weightDecay), \(parts) part(s), step \(t + 1), parameter \(i)")
            }
        }
    }

    func testOneAndTwoStepsMatchTheFormulas() {
        check(learningRate: 1e-3, weightDecay: 0, splitInto: 1)
        check(learningRate: 0.05, weightDecay: 0, splitInto: 1)
    }

    func testDecoupledWeightDecayShrinksEachParameterByLearningRateTimesDecay() {
        check(learningRate: 1e-3, weightDecay: 0.01, splitInto: 1)
        check(learningRate: 0.05, weightDecay: 0.5, splitInto: 1)
    }

    func testGradientPartsAreSummedBeforeTheStep() {
        check(learningRate: 1e-3, weightDecay: 0.01, splitInto: 2)
        check(learningRate: 1e-3, weightDecay: 0.01, splitInto: 4)
    }

    func testTheFirstStepMovesEachParameterByAboutTheLearningRate() {
        // m̂ = g and v̂ = g² at t = 1, so the step is lr · g / (|g| + ε):
        // lr against the gradient's sign, whatever its size.
        let adam = Adam(parameterCount: 3, learningRate: 0.01)
        var parameters: [Float] = [1, 1, 1]
        var gradient: [Float] = [1e-3, -50, 0]
        adam.beginStep()
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                adam.update(0..<3, parameters: p.baseAddress!, gradientParts: [g.baseAddress!])
            }
        }
        XCTAssertEqual(parameters[0], 0.99, accuracy: 1e-6)
        XCTAssertEqual(parameters[1], 1.01, accuracy: 1e-6)
        XCTAssertEqual(parameters[2], 1)
    }
}
