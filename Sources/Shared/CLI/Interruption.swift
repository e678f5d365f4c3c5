import Dispatch
import Glibc

/// Ctrl-C, `kill` and a closed terminal stop a tool without leaving its
/// unfinished output files behind.
///
/// The handlers run on a dispatch queue, not in signal context, so they may
/// take the lock that guards `TemporaryFiles`; the status is the shell's
/// convention for death by that signal (128 + n). SIGKILL cannot be caught:
/// it can leave a `.name.random.tmp` file, never a partial file under the
/// final name.
enum Interruption {
    /// Kept alive for the life of the process.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func removeTemporaryFilesOnSignals() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                TemporaryFiles.removeAll()
                _exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
