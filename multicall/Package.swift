// swift-tools-version:6.0
import PackageDescription

// The installed tools: one program, `ae`, that each tool's name links to
// (`make install`; scripts/install). Built from the tools' own mains, which
// multicall/Sources/TOOL/TOOL.swift link to, as library targets whose entry
// points are renamed TOOL_tool_main, so the six can share one copy of the
// Swift runtime, Foundation's essentials, ArgumentParser and HDF5 (19 MB)
// instead of carrying one each. The root package builds each tool on its own,
// for the tests and the man pages. The tools are the root package's, each
// with its folder here and its entry in Sources/ae/main.swift; check-install
// runs every tool in ../Sources through the program.
let tools = ["ae-fit", "ae-encode", "ae-decode", "ae-score", "ae-interp", "ae-info"]

let package = Package(
    name: "ae-multicall",
    products: [.executable(name: "ae", targets: ["ae"])],
    dependencies: [
        .package(name: "ae", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: tools.map { tool in
        .target(
            name: "\(tool)-tool",
            dependencies: [
                .product(name: "AECore", package: "ae"),
                .product(name: "AEIO", package: "ae"),
                .product(name: "AECLI", package: "ae"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/\(tool)",
            swiftSettings: [.unsafeFlags([
                "-Xfrontend", "-entry-point-function-name",
                "-Xfrontend", String(tool.map { $0 == "-" ? "_" : $0 }) + "_tool_main",
            ])]
        )
    } + [
        .executableTarget(name: "ae", dependencies: tools.map { .target(name: "\($0)-tool") }),
    ],
    swiftLanguageModes: [.v5]
)
