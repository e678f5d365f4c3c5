import AECore
import AEIO
import ArgumentParser
import Glibc

/// The root command of an ae tool.
///
/// Its `main` turns every failure into one line on stderr and the exit codes
/// the tools promise: 0 ok, 1 for data and runtime errors (`AEError`), 2 for
/// usage errors (ArgumentParser's own exit code for those is 64), 130 when
/// Ctrl-C stopped the run (`Interrupted`), and a quiet 141 when the reader of
/// an output went away (`ReaderClosed`).
public protocol ToolCommand: ParsableCommand {
    /// The man page's sections beyond the options (`ToolManual`).
    static var manual: ToolManual { get }
}

extension ToolCommand {
    public static func main() {
        let tool = configuration.commandName ?? "ae"
        // For scripts/man-pages, beside --experimental-dump-help.
        if CommandLine.arguments.dropFirst().elementsEqual(["--man-sections"]) {
            try? ByteWriter.writeToStandardOutput(manual.mdoc(tool: tool) + "\n")
            return
        }
        // A closed stdout ends the tool quietly with status 141, as with other
        // filters, but through EPIPE (`ReaderClosed`) rather than the signal:
        // a closed stderr (`ae-fit … 2>&1 | head -1`) must not kill training.
        signal(SIGPIPE, SIG_IGN)
        Interruption.removeTemporaryFilesOnSignals()
        BLAS.useSingleThreadedKernels()
        HeapSettings.keepBatchBlocks()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch is ReaderClosed {
            TemporaryFiles.removeAll()
            // _exit: the worker and read-ahead threads may still be running,
            // and exit's teardown of shared state under them could crash.
            _exit(141)
        } catch let error as AEError {
            Diagnostics.fail("\(tool): \(error)")
        } catch let interruption as Interrupted {
            Diagnostics.fail("\(tool): \(interruption.message)", status: 130)
        } catch where exitCode(for: error) != .success {
            let code = exitCode(for: error)
            Diagnostics.fail(message(for: error, tool: tool), status: code == .validationFailure ? 2 : code.rawValue)
        } catch {
            // --help, --version, completion scripts.
            exit(withError: error)
        }
    }

    /// ArgumentParser's message for a usage (or any other) error, begun as
    /// every error is, `tool: ` and lower case, where ArgumentParser writes
    /// `Error: `; the usage lines after it stay.
    static func message(for error: Error, tool: String) -> String {
        let message = fullMessage(for: error)
        guard message.hasPrefix("Error: ") else { return "\(tool): \(message)" }
        let text = message.dropFirst("Error: ".count)
        return "\(tool): " + text.prefix(1).lowercased() + text.dropFirst()
    }
}

/// Messages for the user on stderr.
public enum Diagnostics {
    /// Writes `message` and a newline to stderr, unbuffered.
    public static func note(_ message: String) {
        writeToStandardError(message + "\n")
    }

    /// Writes `text` to stderr as it is. Failures are ignored: messages are
    /// for a person, and a closed or full stderr must not stop the work.
    public static func writeToStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            _ = ByteWriter.writeAll(base, count: bytes.count, to: STDERR_FILENO)
        }
    }

    /// Writes `message` to stderr, delivers the rows already written to
    /// stdout, removes unfinished output files and exits with `status`.
    public static func fail(_ message: String, status: Int32 = 1) -> Never {
        RowOutput.flushStdoutAfterFailure()
        TemporaryFiles.removeAll()
        note(message)
        exit(status)
    }
}
