// swift-tools-version:6.0
import PackageDescription

/// The library targets, each depending only on those before it.
let libraries = ["AECore", "AEIO", "AECLI"]
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
    // The libraries are products for the fuzz package (fuzz/Package.swift),
    // which builds the same sources with the fuzzer's instrumentation, and
    // for the multicall package (multicall/Package.swift).
    products: tools.map { .executable(name: $0, targets: [$0]) } + libraries.map { .library(name: $0, targets: [$0]) },
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
        // libpng's full API, which reports errors by longjmp, kept inside C.
        .target(name: "CPNGDecode", dependencies: ["CPNG"]),
        // oneDNN's convolutions, loaded at run time (see CConvolution.h).
        .target(name: "CConvolution", cSettings: [.unsafeFlags(["-O2"])]),
        // Numerics and models: tensors, BLAS, layers, training, the maths of
        // scoring and latent paths, errors. Knows nothing of files or flags.
        .target(name: "AECore", dependencies: ["COpenBLAS", "CKernels", "CConvolution"]),
        // Data in and out: the HDF5 binding, text and JSON, row streams,
        // images and PNG, the model file, atomic files.
        .target(
            name: "AEIO",
            dependencies: ["AECore", "CHDF5", "CPNG", "CPNGDecode", "CZlib"],
            linkerSettings: [.unsafeFlags(staticHDF5)]
        ),
        // The tools' shared pieces: options, terminal output, and each tool's
        // pipeline from parsed options to streams.
        .target(
            name: "AECLI",
            dependencies: ["AECore", "AEIO", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "LibraryTests", dependencies: libraries.map { .target(name: $0) }),
        .testTarget(name: "EndToEndTests", dependencies: libraries.map { .target(name: $0) }),
    ] + tools.map {
        .executableTarget(
            name: $0,
            dependencies: libraries.map { .target(name: $0) } + [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        )
    },
    swiftLanguageModes: [.v5]
)
