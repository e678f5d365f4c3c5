// swift-tools-version:6.0
import PackageDescription

let tools = ["ae-fit", "ae-encode", "ae-decode", "ae-score", "ae-interp", "ae-info"]

// HDF5 is linked from its static archive in Debian's serial HDF5 directory
// (its headers too: see Sources/CHDF5/shim.h). The shared library pulls in
// libcurl and some 30 libraries behind it, for a remote-file driver ae never
// uses, and loading them took 6 ms of every tool's start; the archive's
// objects need only libsz and libz.
#if arch(arm64)
let multiarch = "aarch64-linux-gnu"
#else
let multiarch = "x86_64-linux-gnu"
#endif
let staticHDF5 = ["-L/usr/lib/\(multiarch)/hdf5/serial", "-l:libhdf5.a", "-lsz", "-lz", "-ldl", "-lm"]

let package = Package(
    name: "ae",
    // Shared is a library product for the fuzz package (fuzz/Package.swift),
    // which builds the same sources with the fuzzer's instrumentation.
    products: tools.map { .executable(name: $0, targets: [$0]) } + [.library(name: "Shared", targets: ["Shared"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CHDF5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast", "-fno-math-errno", "-gdwarf-4"])]
        ),
        .target(
            name: "Shared",
            dependencies: [
                "CHDF5", "CPNG", "COpenBLAS", "CZlib", "CKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [.unsafeFlags(staticHDF5)]
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
