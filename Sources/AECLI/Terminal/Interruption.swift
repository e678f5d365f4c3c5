import AECore
import AEIO
import Dispatch
import Glibc
import Synchronization

/// Ctrl-C, `kill` and a closed terminal stop a tool without leaving its
/// unfinished output files behind; ae-fit asks for a gentler first Ctrl-C,
/// which lets it stop training and keep the best model so far.
///
/// The handlers run on a dispatch queue, not in signal context, so they may
/// take the lock that guards `TemporaryFiles`; the status is the shell's
/// convention for death by that signal (128 + n). SIGKILL cannot be caught:
/// it can leave a `.name.random.tmp` file, never a partial file under the
/// final name.
public enum Interruption {
    /// Kept alive for the life of the process.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    /// What the first Ctrl-C says when it only asks the tool to stop; nil
    /// while Ctrl-C ends the tool at once.
    private static let stopNotice = Mutex<String?>(nil)
    private static let stopAsked = Atomic<Bool>(false)

    /// Whether Ctrl-C has asked the tool to stop when it can.
    public static var stopRequested: Bool { stopAsked.load(ordering: .relaxed) }

    /// From now on the first Ctrl-C prints `notice` and sets `stopRequested`
    /// instead of ending the tool; a second one ends it as before.
    public static func stopAtFirstInterrupt(notice: String) {
        stopNotice.withLock { $0 = notice }
    }

    static func removeTemporaryFilesOnSignals() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                // Two Ctrl-Cs that arrive together count as the second.
                if signalNumber == SIGINT, source.data == 1, let notice = stopNotice.withLock({ $0 }),
                   !stopAsked.exchange(true, ordering: .relaxed) {
                    // On a terminal the notice replaces the progress bar's line.
                    Diagnostics.writeToStandardError((isatty(STDERR_FILENO) != 0 ? "\r\u{1B}[K" : "") + notice + "\n")
                    return
                }
                TemporaryFiles.removeAll()
                _exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
