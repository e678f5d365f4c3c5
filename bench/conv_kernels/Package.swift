// swift-tools-version:6.0
import PackageDescription

// The timing half of bench/conv_kernels/compare: ae's convolution kernels on
// the reference conv VAE's layers. A package of its own, like fuzz/ and
// multicall/, so that the root package builds no benchmark.
let package = Package(
    name: "conv-kernels",
    dependencies: [.package(name: "ae", path: "../..")],
    targets: [
        .executableTarget(name: "conv-kernels", dependencies: [.product(name: "AECore", package: "ae")]),
    ],
    swiftLanguageModes: [.v5]
)
