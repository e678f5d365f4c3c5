import AECore
import Glibc

/// Runs HDF5 reading code once in a forked child before the tool runs it for
/// real, so that a file the HDF5 library itself crashes or loops on ends the
/// tool with one clear error line instead of a crash report or a hang.
///
/// Debian's libhdf5 1.10 dereferences bad pointers on some corrupted (not
/// merely truncated) files, in link lookup and iteration, the metadata
/// accumulator and the global heap behind variable-length strings, and
/// loops forever on others; a byte flipped at random in a model file made it
/// crash or loop about once in 200 tries. ae cannot fix the library, so it
/// isolates it:
///
/// - The child runs exactly the code the parent runs next, with the crash
///   signals at their default action (no backtrace), stderr on /dev/null,
///   and CPU and wall-clock limits that grow with the file's size (2 s of
///   CPU plus 1 s per 64 MiB; reading a model takes milliseconds per MiB).
///   It exits 0 or 1 with the code's answer.
/// - A child that exited normally passes, whatever it answered: the parent
///   then runs the code itself, which reports any ordinary error (a
///   truncated file, a missing dataset) with its usual message.
/// - A child killed by a signal becomes an `AEError`: the library crashed
///   (SIGSEGV, SIGBUS, SIGABRT, SIGFPE) or did not finish (a limit, or any
///   other signal). The parent never retries such a file itself.
/// - Except a Swift runtime trap (SIGILL, SIGTRAP): that is ae's own bug, not
///   the library's, so it is not disguised as a damaged file but left to
///   happen again in the parent, loudly.
///
/// The cost is one `fork` and reading what is guarded twice: about 15 ms
/// more start-up for a 2.7 MB model (measured with strace). It guards what ae reads up
/// front (a whole model; an input's file structure, dataset header, header
/// attribute and label dataset), not the row blocks of an HDF5 input, which
/// are read as the tool goes: checking them would mean reading a file that
/// may be larger than memory twice.
///
/// Forking is safe here because the guarded code runs before a tool starts
/// any thread of its own (the batch prefetcher and worker pool start later),
/// and the child only reads files and exits with `_exit`, so it flushes no
/// buffer and runs no exit handler of the parent's.
public enum HDF5CrashGuard {
    /// Runs `body` in a child process and returns its answer, or throws an
    /// `AEError` located at `source` when the HDF5 library crashed or did not
    /// finish there. `fileBytes`, the size of what is read, sets the limits.
    /// Runs `body` in this process when no child can be forked.
    public static func answer(checking source: String, fileBytes: Int, _ body: () -> Bool) throws -> Bool {
        let child = fork()
        if child < 0 { return body() }
        if child == 0 {
            prepareChild(fileBytes: fileBytes)
            _exit(body() ? 0 : 1)
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 {
            guard errno == EINTR else { return body() }
        }
        let signal = status & 0x7F
        switch signal {
        case 0:
            return (status >> 8) & 0xFF == 0
        case SIGILL, SIGTRAP:
            return body()
        case SIGSEGV, SIGBUS, SIGABRT, SIGFPE:
            throw AEError("damaged HDF5 file: the HDF5 library crashed reading it", source: source)
        default:
            throw AEError("damaged HDF5 file: the HDF5 library did not finish reading it", source: source)
        }
    }

    /// Runs throwing `body` in a child first (see `answer(checking:fileBytes:_:)`),
    /// then here, returning its result or its error.
    public static func run<Result>(checking source: String, fileBytes: Int, _ body: () throws -> Result) throws -> Result {
        _ = try answer(checking: source, fileBytes: fileBytes) {
            do {
                _ = try body()
                return true
            } catch {
                return false
            }
        }
        return try body()
    }

    /// The size of the file at `path`, or 0 when it cannot be found out
    /// (the opening code then reports why).
    public static func size(of path: String) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }

    private static func prepareChild(fileBytes: Int) {
        for crash in [SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGXCPU, SIGALRM] { signal(crash, SIG_DFL) }
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, STDERR_FILENO) }
        let cpuSeconds = rlim_t(2 + (max(0, fileBytes) >> 26))
        var cpu = rlimit(rlim_cur: cpuSeconds, rlim_max: cpuSeconds + 1)
        setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &cpu)
        alarm(UInt32(min(60 + (max(0, fileBytes) >> 23), 86_400)))
    }
}
