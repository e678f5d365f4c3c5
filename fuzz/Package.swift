// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets over ae's readers of untrusted input. They build only with
// the fuzzer's instrumentation (-sanitize=fuzzer supplies the driver), so they
// live apart from the root package; `fuzz/run` builds and runs them.
let package = Package(
    name: "ae-fuzz",
    dependencies: [.package(name: "ae", path: "..")],
    targets: [
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzInput"),
    ] + ["fuzz-ndjson", "fuzz-csv", "fuzz-model", "fuzz-png"].map {
        .executableTarget(
            name: $0,
            dependencies: ["CLibFuzzer", "FuzzInput"] + ["AECore", "AEIO", "AECLI"].map { .product(name: $0, package: "ae") },
            // The system's gold stops with an internal error on the
            // instrumented objects; the toolchain's lld links them.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        )
    },
    swiftLanguageModes: [.v5]
)
