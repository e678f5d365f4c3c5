// conv-kernels [threads] [repeats]: median milliseconds of forward and of
// backward (input and weight gradients; no input gradient for conv1, as in
// training) of each convolution of the reference conv VAE at batch 128, with
// ae's ConvolutionKernels, as one JSON object on stdout, in the form of
// bench/torch_conv.py's layer_times().
import Foundation
import AECore

let arguments = CommandLine.arguments
let threads = arguments.count > 1 ? Int(arguments[1])! : 2
let repeats = arguments.count > 2 ? Int(arguments[2])! : 30
let batch = 128
let pool = WorkerPool(threads: threads)
BLAS.useSingleThreadedKernels()

let layers: [(String, Convolution2D)] = try [
    ("conv1", Convolution2D(inputHeight: 28, inputWidth: 28, inputChannels: 1, outputChannels: 32, kernel: 4, stride: 2, padding: 1)),
    ("conv2", Convolution2D(inputHeight: 14, inputWidth: 14, inputChannels: 32, outputChannels: 64, kernel: 4, stride: 2, padding: 1)),
    ("convT1", Convolution2D(transposed: true, inputHeight: 7, inputWidth: 7, inputChannels: 64, outputChannels: 32, kernel: 4, stride: 2, padding: 1)),
    ("convT2", Convolution2D(transposed: true, inputHeight: 14, inputWidth: 14, inputChannels: 32, outputChannels: 1, kernel: 4, stride: 2, padding: 1)),
]

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func filled(_ count: Int, _ generator: inout SeededGenerator) -> ScratchBuffer {
    let buffer = ScratchBuffer(count: count)
    generator.fillGaussian(buffer.buffer(count: count))
    return buffer
}

var result: [String: [String: Double]] = [:]
var generator = SeededGenerator(seed: 1)
for (name, geometry) in layers {
    let kernels = ConvolutionKernels(geometry)
    let input = filled(batch * geometry.inputValues, &generator), output = filled(batch * geometry.outputValues, &generator)
    let gradient = filled(batch * geometry.outputValues, &generator), inputGradient = filled(batch * geometry.inputValues, &generator)
    let weights = filled(geometry.weightCount, &generator), bias = filled(geometry.biasCount, &generator)
    let weightGradient = filled(geometry.weightCount, &generator), biasGradient = filled(geometry.biasCount, &generator)
    var forward: [Double] = [], backward: [Double] = []
    for repeatIndex in 0..<(repeats + 3) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try kernels.forward(input: input.pointer, batch: batch, weights: weights.pointer, bias: bias.pointer, output: output.pointer, pool: pool)
        let t1 = DispatchTime.now().uptimeNanoseconds
        try kernels.backward(
            input: input.pointer, outputGradient: gradient.pointer, batch: batch, weights: weights.pointer,
            inputGradient: name == "conv1" ? nil : inputGradient.pointer, weightGradient: weightGradient.pointer,
            biasGradient: biasGradient.pointer, pool: pool)
        let t2 = DispatchTime.now().uptimeNanoseconds
        if repeatIndex >= 3 {
            forward.append(Double(t1 - t0) / 1e6)
            backward.append(Double(t2 - t1) / 1e6)
        }
    }
    result[name] = ["forward_ms": median(forward), "backward_ms": median(backward),
                    "forward_gflop": Double(2 * batch * geometry.multiplyAddsPerImage) / 1e9]
}
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
