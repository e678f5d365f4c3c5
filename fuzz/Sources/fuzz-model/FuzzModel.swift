import CLibFuzzer
import Glibc
import AECLI
import AECore
import AEIO

/// libFuzzer entry point for the model loader.
///
/// Each input is written to a file of its own and loaded with
/// `ModelFile.load`, as the tools load a model. Its `HDF5CrashGuard` first
/// reads the file in a forked child, so the crashes and hangs of libhdf5
/// itself on damaged files (frequent: see the README, "Fuzzing and
/// sanitizers") become an `AEError` instead of ending every fuzzing job
/// within seconds; the code then runs again in this process, where the fuzzer
/// sees its coverage. A thrown `AEError` is a correct answer; a crash, a trap,
/// a sanitizer report, a hang or a huge allocation is a bug.
@main
enum FuzzModel {
    static func main() {
        exit(ae_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv) { data, size in fuzz(data, size) })
    }
}

private func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let path = ModelInputFile.write(UnsafeBufferPointer(start: data, count: size))
    defer { unlink(path) }
    do {
        _ = try ModelFile.load(path)
    } catch is AEError {
    } catch {
        fatalError("ModelFile.load threw a non-AEError: \(error)")
    }
    return 0
}
