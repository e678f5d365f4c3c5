import AECore
import XCTest

/// Convolutions and transposed convolutions (NHWC activations, torch's
/// weight layouts): values against torch and a hand computation, gradients
/// against finite differences, the adjoint identity, and bit-identical reruns.
final class Convolution2DTests: XCTestCase {
    /// One layer with its buffers, filled from a seeded generator.
    private struct Case {
        let geometry: Convolution2D
        let batch: Int
        var input: [Float], weights: [Float], bias: [Float]

        init(_ geometry: Convolution2D, batch: Int, seed: UInt64) {
            self.geometry = geometry
            self.batch = batch
            var generator = SeededGenerator(seed: seed)
            func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(generator.gaussian()) } }
            input = values(batch * geometry.inputValues)
            weights = values(geometry.weightCount)
            bias = values(geometry.biasCount)
        }

        /// `other`'s values for a batch of `batch` images (its input holds that many).
        init(copying other: Case, batch: Int) {
            geometry = other.geometry
            self.batch = batch
            input = other.input
            weights = other.weights
            bias = other.bias
        }

        func forward(_ kernels: ConvolutionKernels, pool: WorkerPool) throws -> [Float] {
            var output = [Float](repeating: .nan, count: batch * geometry.outputValues)
            try output.withUnsafeMutableBufferPointer { output in
                try kernels.forward(
                    input: input, batch: batch, weights: weights, bias: bias, output: output.baseAddress!, pool: pool)
            }
            return output
        }

        /// (input, weight, bias) gradients for the output gradient `gradient`.
        func backward(_ kernels: ConvolutionKernels, gradient: [Float], pool: WorkerPool) throws
            -> (input: [Float], weights: [Float], bias: [Float])
        {
            var dx = [Float](repeating: .nan, count: input.count)
            var dw = [Float](repeating: .nan, count: weights.count)
            var db = [Float](repeating: .nan, count: bias.count)
            try dx.withUnsafeMutableBufferPointer { dx in
                try dw.withUnsafeMutableBufferPointer { dw in
                    try db.withUnsafeMutableBufferPointer { db in
                        try kernels.backward(
                            input: input, outputGradient: gradient, batch: batch, weights: weights,
                            inputGradient: dx.baseAddress!, weightGradient: dw.baseAddress!,
                            biasGradient: db.baseAddress!, pool: pool)
                    }
                }
            }
            return (dx, dw, db)
        }
    }

    private static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    private static let shapes: [(transposed: Bool, height: Int, width: Int, channels: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, batch: Int)] = [
        (false, 7, 6, 1, 2, 3, 1, 0, 2),
        (false, 6, 5, 3, 2, 4, 2, 1, 3),
        (false, 5, 5, 3, 4, 3, 2, 0, 2),
        (false, 6, 6, 1, 3, 4, 1, 1, 2),
        (true, 3, 4, 2, 1, 4, 2, 1, 2),
        (true, 3, 3, 2, 3, 3, 1, 0, 2),
        (true, 4, 3, 3, 2, 3, 2, 1, 3),
        (true, 3, 3, 1, 3, 4, 1, 1, 2),
        // More output channels than ConvolutionKernels' direct kernel takes: oneDNN's route.
        (true, 3, 3, 2, 6, 4, 2, 1, 2),
        (true, 4, 3, 3, 5, 3, 1, 0, 2),
    ]

    /// The layer is linear in its input, its weights and its bias, so the
    /// central difference of L = <g, y> with a large step is exact but for
    /// the Float rounding of y: the tolerance is that rounding's, not the
    /// step's. Two threads, so the blocks' gradients are summed too.
    func testGradientsMatchFiniteDifferences() throws {
        let pool = WorkerPool(threads: 2)
        for (index, s) in Self.shapes.enumerated() {
            let geometry = try Convolution2D(
                transposed: s.transposed, inputHeight: s.height, inputWidth: s.width, inputChannels: s.channels,
                outputChannels: s.outputs, kernel: s.kernel, stride: s.stride, padding: s.padding)
            let kernels = ConvolutionKernels(geometry)
            let base = Case(geometry, batch: s.batch, seed: UInt64(index + 1))
            var generator = SeededGenerator(seed: 99)
            let g = (0..<(s.batch * geometry.outputValues)).map { _ in Float(generator.gaussian()) }
            let analytic = try base.backward(kernels, gradient: g, pool: pool)
            let step: Float = 0.5
            func check(_ name: String, _ values: WritableKeyPath<Case, [Float]>, _ expected: [Float]) throws {
                for i in base[keyPath: values].indices {
                    var plus = base, minus = base
                    plus[keyPath: values][i] += step
                    minus[keyPath: values][i] -= step
                    let difference = Self.dot(g, try plus.forward(kernels, pool: pool))
                        - Self.dot(g, try minus.forward(kernels, pool: pool))
                    let numeric = difference / Double(2 * step)
                    XCTAssertEqual(Double(expected[i]), numeric, accuracy: 1e-4 * (1 + abs(numeric)), "\(geometry) \(name)[\(i)]")
                }
            }
            try check("input", \.input, analytic.input)
            try check("weights", \.weights, analytic.weights)
            try check("bias", \.bias, analytic.bias)
        }
    }

    /// <conv(x), y> = <x, convT(y)> with the same weight array: torch's
    /// ConvTranspose2d(out, in) stores the weights of the Conv2d(in, out)
    /// whose adjoint it is in the same order.
    func testTransposedConvolutionIsTheAdjointOfConvolution() throws {
        let pool = WorkerPool(threads: 1)
        for (height, width, channels, outputs, kernel, stride, padding) in [
            (7, 5, 3, 4, 3, 2, 1), (8, 6, 1, 2, 4, 2, 1), (5, 6, 3, 3, 3, 1, 0), (6, 6, 5, 3, 4, 2, 1),
        ] {
            let conv = try Convolution2D(
                inputHeight: height, inputWidth: width, inputChannels: channels, outputChannels: outputs,
                kernel: kernel, stride: stride, padding: padding)
            let transposed = try Convolution2D(
                transposed: true, inputHeight: conv.outputHeight, inputWidth: conv.outputWidth,
                inputChannels: outputs, outputChannels: channels, kernel: kernel, stride: stride, padding: padding)
            XCTAssertEqual([transposed.outputHeight, transposed.outputWidth], [height, width])
            XCTAssertEqual(conv.weightShape, [outputs, channels, kernel, kernel])
            XCTAssertEqual(transposed.weightShape, conv.weightShape)
            var x = Case(conv, batch: 2, seed: 5)
            x.bias = [Float](repeating: 0, count: outputs)
            var y = Case(transposed, batch: 2, seed: 6)
            y.weights = x.weights
            y.bias = [Float](repeating: 0, count: channels)
            let left = Self.dot(try x.forward(ConvolutionKernels(conv), pool: pool), y.input)
            let right = Self.dot(x.input, try y.forward(ConvolutionKernels(transposed), pool: pool))
            XCTAssertEqual(left, right, accuracy: 1e-5 * (1 + abs(left)), "\(conv)")
        }
    }

    /// 3x3 input 1...9, kernel [[1, 2], [3, 4]], stride 1: the convolution's
    /// four windows, and the transposed convolution scattering [[1, 2], [3, 4]].
    func testTinyExamplesComputedByHand() throws {
        let pool = WorkerPool(threads: 1)
        let conv = try Convolution2D(inputHeight: 3, inputWidth: 3, inputChannels: 1, outputChannels: 1, kernel: 2)
        var c = Case(conv, batch: 1, seed: 1)
        c.input = (1...9).map(Float.init)
        c.weights = [1, 2, 3, 4]
        c.bias = [0.5]
        XCTAssertEqual(try c.forward(ConvolutionKernels(conv), pool: pool), [37.5, 47.5, 67.5, 77.5])

        let transposed = try Convolution2D(
            transposed: true, inputHeight: 2, inputWidth: 2, inputChannels: 1, outputChannels: 1, kernel: 2)
        var t = Case(transposed, batch: 1, seed: 1)
        t.input = [1, 2, 3, 4]
        t.weights = [1, 2, 3, 4]
        t.bias = [0]
        XCTAssertEqual(try t.forward(ConvolutionKernels(transposed), pool: pool), [1, 4, 4, 6, 20, 16, 9, 24, 16])

        // No images: nothing to do, for either route.
        for geometry in [conv, transposed] {
            var empty = Case(geometry, batch: 0, seed: 1)
            empty.weights = [1, 2, 3, 4]
            XCTAssertEqual(try empty.forward(ConvolutionKernels(geometry), pool: WorkerPool(threads: 2)), [])
            let gradients = try empty.backward(ConvolutionKernels(geometry), gradient: [], pool: WorkerPool(threads: 2))
            XCTAssertEqual(gradients.input, [])
            XCTAssertEqual(gradients.weights, [0, 0, 0, 0])
            XCTAssertEqual(gradients.bias, [0])
        }
    }

    /// Values from torch 2.13 (every input a multiple of 1/4, weight of 1/8,
    /// bias of 1/2, so every output is exact in Float), made by:
    ///
    ///     import torch
    ///     def val(i, m, d): return ((i * 7 + 3) % m - m // 2) / d
    ///     def case(transposed, n, h, w, c, o, k, s, p):
    ///         x = torch.tensor([val(i, 9, 4) for i in range(n * h * w * c)]).view(n, h, w, c).permute(0, 3, 1, 2)
    ///         layer = torch.nn.ConvTranspose2d(c, o, k, s, p) if transposed else torch.nn.Conv2d(c, o, k, s, p)
    ///         with torch.no_grad():
    ///             layer.weight.copy_(torch.tensor([val(i, 5, 8) for i in range(layer.weight.numel())]).view(layer.weight.shape))
    ///             layer.bias.copy_(torch.tensor([val(i, 3, 2) for i in range(o)]))
    ///             print([float(v) for v in layer(x).permute(0, 2, 3, 1).reshape(-1)])
    ///     case(False, 2, 4, 5, 3, 2, 3, 2, 1)
    ///     case(True, 1, 3, 2, 2, 3, 4, 2, 1)
    ///
    /// Rows in HWC order and weights in torch's order give torch's outputs in HWC order.
    func testLayoutsMatchTorch() throws {
        func val(_ i: Int, _ m: Int, _ d: Float) -> Float { Float((i * 7 + 3) % m - m / 2) / d }
        let cases: [(Bool, Int, Int, Int, Int, Int, Int, Int, Int, [Float])] = [
            (false, 2, 4, 5, 3, 2, 3, 2, 1, [
                -1.1875, 0.40625, -0.15625, 0.03125, -0.25, -0.21875, 0.46875, -0.90625, -1.46875, 1.375, -0.46875,
                -0.59375, -0.25, 0.40625, -0.15625, -0.4375, -1.1875, 0.25, -1.40625, 0.96875, -0.53125, -0.5, 0.0,
                -0.59375,
            ]),
            (true, 1, 3, 2, 2, 3, 4, 2, 1, [
                -0.71875, 0.15625, 0.40625, -0.46875, 0.15625, 0.3125, -0.34375, -0.1875, 0.59375, -0.8125, 0.0625,
                0.625, -0.40625, -0.28125, 0.78125, -0.59375, 0.3125, 0.75, -0.1875, 0.25, -0.25, -0.15625, -0.75,
                0.6875, -0.5, 0.09375, 0.21875, -0.21875, -0.09375, 0.8125, -0.59375, 0.3125, 0.75, -0.46875, 0.34375,
                -0.25, -0.53125, -0.15625, 0.6875, -0.9375, 0.375, 0.59375, -0.125, 0.09375, 0.3125, -0.3125,
                -0.28125, 0.6875, -0.40625, -0.03125, 0.34375, -0.34375, -0.4375, 0.875, -0.9375, 0.375, 0.59375,
                -0.3125, 0.1875, 0.21875, -0.53125, -0.03125, 0.46875, -0.96875, 0.0625, 0.625, -0.4375, 0.125,
                0.6875, -0.34375, 0.0625, 0.625,
            ]),
        ]
        for (transposed, n, h, w, c, o, k, s, p, expected) in cases {
            let geometry = try Convolution2D(
                transposed: transposed, inputHeight: h, inputWidth: w, inputChannels: c, outputChannels: o,
                kernel: k, stride: s, padding: p)
            var layer = Case(geometry, batch: n, seed: 1)
            layer.input = (0..<layer.input.count).map { val($0, 9, 4) }
            layer.weights = (0..<layer.weights.count).map { val($0, 5, 8) }
            layer.bias = (0..<o).map { val($0, 3, 2) }
            for threads in [1, 2] {
                XCTAssertEqual(
                    try layer.forward(ConvolutionKernels(geometry), pool: WorkerPool(threads: threads)), expected,
                    "\(geometry), \(threads) threads")
            }
        }
    }

    func testReluIsAppliedAfterTheBias() throws {
        let pool = WorkerPool(threads: 1)
        for transposed in [false, true] {
            let geometry = try Convolution2D(
                transposed: transposed, inputHeight: 5, inputWidth: 4, inputChannels: 3, outputChannels: 2,
                kernel: 3, stride: 2, padding: 1)
            let layer = Case(geometry, batch: 2, seed: 3)
            let plain = try layer.forward(ConvolutionKernels(geometry), pool: pool)
            let activated = try layer.forward(ConvolutionKernels(geometry, relu: true), pool: pool)
            XCTAssertEqual(activated, plain.map { max($0, 0) })
            XCTAssertTrue(plain.contains { $0 < 0 } && plain.contains { $0 > 0 })
        }
    }

    /// The reference network's second layer at a batch of 16: a rerun (also
    /// with fresh kernels) gives the same bits for the same thread count.
    func testRerunsAreBitIdenticalForTheSameThreadCount() throws {
        for transposed in [false, true] {
            let geometry = try transposed
                ? Convolution2D(transposed: true, inputHeight: 7, inputWidth: 7, inputChannels: 64, outputChannels: 32, kernel: 4, stride: 2, padding: 1)
                : Convolution2D(inputHeight: 14, inputWidth: 14, inputChannels: 32, outputChannels: 64, kernel: 4, stride: 2, padding: 1)
            let layer = Case(geometry, batch: 16, seed: 7)
            var generator = SeededGenerator(seed: 8)
            let g = (0..<(16 * geometry.outputValues)).map { _ in Float(generator.gaussian()) }
            for threads in [1, 2] {
                let pool = WorkerPool(threads: threads)
                let kernels = ConvolutionKernels(geometry, relu: true)
                let first = try (layer.forward(kernels, pool: pool), layer.backward(kernels, gradient: g, pool: pool))
                for again in [kernels, ConvolutionKernels(geometry, relu: true)] {
                    let second = try (layer.forward(again, pool: pool), layer.backward(again, gradient: g, pool: pool))
                    XCTAssertEqual(first.0, second.0)
                    XCTAssertEqual(first.1.input, second.1.input)
                    XCTAssertEqual(first.1.weights, second.1.weights)
                    XCTAssertEqual(first.1.bias, second.1.bias)
                }
            }
        }
    }

    /// The Layer protocol's promise: a row's output depends on that row
    /// alone, not on its batch, the batch's size or the thread count (the
    /// reference network's four layers, where oneDNN picks its kernels by
    /// shape and batch size).
    func testAnImagesOutputDependsOnThatImageAlone() throws {
        for (transposed, side, channels, outputs) in [(false, 28, 1, 32), (false, 14, 32, 64), (true, 7, 64, 32), (true, 14, 32, 1)] {
            let geometry = try Convolution2D(
                transposed: transposed, inputHeight: side, inputWidth: side, inputChannels: channels,
                outputChannels: outputs, kernel: 4, stride: 2, padding: 1)
            let layer = Case(geometry, batch: 37, seed: 3)
            let all = try layer.forward(ConvolutionKernels(geometry, relu: true), pool: .serial)
            XCTAssertEqual(try layer.forward(ConvolutionKernels(geometry, relu: true), pool: WorkerPool(threads: 2)), all)
            for images in [5..<6, 3..<16] {
                var part = layer
                part.input = Array(layer.input[(images.lowerBound * geometry.inputValues)..<(images.upperBound * geometry.inputValues)])
                part = Case(copying: part, batch: images.count)
                XCTAssertEqual(
                    try part.forward(ConvolutionKernels(geometry, relu: true), pool: .serial),
                    Array(all[(images.lowerBound * geometry.outputValues)..<(images.upperBound * geometry.outputValues)]),
                    "\(geometry), images \(images)")
            }
        }
    }

    func testNoInputGradientForTheFirstLayer() throws {
        let geometry = try Convolution2D(inputHeight: 6, inputWidth: 6, inputChannels: 1, outputChannels: 2, kernel: 4, stride: 2, padding: 1)
        let layer = Case(geometry, batch: 3, seed: 4)
        let kernels = ConvolutionKernels(geometry)
        let g = [Float](repeating: 1, count: 3 * geometry.outputValues)
        let full = try layer.backward(kernels, gradient: g, pool: .serial)
        var dw = [Float](repeating: .nan, count: geometry.weightCount), db = [Float](repeating: .nan, count: 2)
        try dw.withUnsafeMutableBufferPointer { dw in
            try db.withUnsafeMutableBufferPointer { db in
                try kernels.backward(
                    input: layer.input, outputGradient: g, batch: 3, weights: layer.weights, inputGradient: nil,
                    weightGradient: dw.baseAddress!, biasGradient: db.baseAddress!, pool: .serial)
            }
        }
        XCTAssertEqual(dw, full.weights)
        XCTAssertEqual(db, full.bias)
        XCTAssertEqual(db, [Float](repeating: Float(3 * 3 * 3), count: 2))
    }

    func testOneDNNLoads() throws {
        XCTAssertNoThrow(try ConvolutionKernels.loadOneDNN())
    }

    func testGeometryFollowsTorchAndRefusesWhatDoesNotFit() throws {
        let conv1 = try Convolution2D(inputHeight: 28, inputWidth: 28, inputChannels: 1, outputChannels: 32, kernel: 4, stride: 2, padding: 1)
        XCTAssertEqual([conv1.outputHeight, conv1.outputWidth, conv1.outputValues, conv1.weightCount], [14, 14, 14 * 14 * 32, 512])
        let odd = try Convolution2D(inputHeight: 7, inputWidth: 8, inputChannels: 3, outputChannels: 5, kernel: 3, stride: 2)
        XCTAssertEqual([odd.outputHeight, odd.outputWidth], [3, 3])
        let up = try Convolution2D(transposed: true, inputHeight: 7, inputWidth: 7, inputChannels: 64, outputChannels: 32, kernel: 4, stride: 2, padding: 1)
        XCTAssertEqual([up.outputHeight, up.outputWidth, up.inputValues], [14, 14, 7 * 7 * 64])
        XCTAssertEqual(up.weightShape, [64, 32, 4, 4])

        assertAEError("kernel does not fit") {
            try Convolution2D(inputHeight: 2, inputWidth: 5, inputChannels: 1, outputChannels: 1, kernel: 5, padding: 1)
        }
        assertAEError("padding must be") {
            try Convolution2D(inputHeight: 8, inputWidth: 8, inputChannels: 1, outputChannels: 1, kernel: 3, padding: 3)
        }
        assertAEError("must be positive") {
            try Convolution2D(inputHeight: 8, inputWidth: 8, inputChannels: 0, outputChannels: 1, kernel: 3)
        }
        assertAEError("kernel and stride") {
            try Convolution2D(inputHeight: 8, inputWidth: 8, inputChannels: 1, outputChannels: 1, kernel: 3, stride: 0)
        }
        assertAEError("too large") {
            try Convolution2D(inputHeight: 1 << 20, inputWidth: 1 << 20, inputChannels: 3, outputChannels: 1, kernel: 3)
        }
        assertAEError("convolution 8x8x1 -> 1 channels (kernel 3, stride 1, padding 3)") {
            try Convolution2D(inputHeight: 8, inputWidth: 8, inputChannels: 1, outputChannels: 1, kernel: 3, padding: 3)
        }
    }
}
