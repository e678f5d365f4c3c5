// swift-tools-version:6.0
import PackageDescription

let tools = ["ae-fit", "ae-encode", "ae-decode", "ae-score", "ae-interp"]

let package = Package(
    name: "ae",
    // Shared is a library product for the fuzz package (fuzz/Package.swift),
    // which builds the same sources with the fuzzer's instrumentation.
    products: tools.map { .executable(name: $0, targets: [$0]) } + [.library(name: "Shared", targets: ["Shared"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast", "-fno-math-errno", "-gdwarf-4"])]
        ),
        .target(
            name: "Shared",
            dependencies: [
                "CHDF5", "CPNG", "COpenBLAS", "CKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SharedTests", dependencies: ["Shared"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Shared"]),
    ] + tools.map {
        .executableTarget(
            name: $0,
            dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        )
    },
    swiftLanguageModes: [.v5]
)
