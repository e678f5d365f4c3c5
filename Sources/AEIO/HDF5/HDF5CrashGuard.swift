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
/// - A child whose code succeeded passes: the parent then runs the code
///   itself, for its result.
/// - A child whose code failed with an `AEError` (a truncated file, a
///   missing dataset) sends that error back through a pipe, and the parent
///   throws it without running the code: on some damaged files libhdf5
///   frees a pointer it never allocated while closing them after the
///   error, which glibc does not always catch, and the parent's heap would
///   then be corrupt (in the test process, forks made later crashed in
///   malloc). The code is deterministic, so the error is the one the
///   parent would have met.
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
        guard let verdict = try verdict(checking: source, fileBytes: fileBytes, { body() ? .passed : .failed(nil) }) else {
            return body()
        }
        return verdict == .passed
    }

    /// Runs throwing `body` in a child first, then here for its result; the
    /// child's `AEError` is thrown here without running `body` again (see
    /// the type's notes).
    public static func run<Result>(checking source: String, fileBytes: Int, _ body: () throws -> Result) throws -> Result {
        let verdict = try verdict(checking: source, fileBytes: fileBytes) {
            do {
                _ = try body()
                return .passed
            } catch let error as AEError {
                return .failed(error)
            } catch {
                return .failed(nil)
            }
        }
        if case .failed(let error?) = verdict { throw error }
        return try body()
    }

    /// How the guarded code ended in the child: passed, or failed (with its
    /// error when it threw an `AEError`).
    private enum Verdict: Equatable {
        case passed
        case failed(AEError?)
    }

    /// Runs `body` in a forked child and returns its verdict, or nil when
    /// the code must run here instead (no child could be forked or waited
    /// for, or the child hit a Swift runtime trap).
    private static func verdict(checking source: String, fileBytes: Int, _ body: () -> Verdict) throws -> Verdict? {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        // Not inherited by programs that threads of a test process start.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let child = fork()
        if child < 0 {
            close(ends[0])
            close(ends[1])
            return nil
        }
        if child == 0 {
            close(ends[0])
            prepareChild(fileBytes: fileBytes)
            let verdict = body()
            if case .failed(let error?) = verdict { writeAll(ErrorMessage.encode(error), to: ends[1]) }
            _exit(verdict == .passed ? 0 : 1)
        }
        close(ends[1])
        let sent = readAll(from: ends[0])
        close(ends[0])
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 {
            guard errno == EINTR else { return nil }
        }
        let signal = status & 0x7F
        switch signal {
        case 0:
            return (status >> 8) & 0xFF == 0 ? .passed : .failed(ErrorMessage.decode(sent))
        case SIGILL, SIGTRAP:
            return nil
        case SIGSEGV, SIGBUS, SIGABRT, SIGFPE:
            throw AEError("damaged HDF5 file: the HDF5 library crashed reading it", source: source)
        default:
            throw AEError("damaged HDF5 file: the HDF5 library did not finish reading it", source: source)
        }
    }

    /// An `AEError` as bytes for the pipe: its source, line, column and
    /// message, each ended by a NUL (an empty field where there is none).
    private enum ErrorMessage {
        static func encode(_ error: AEError) -> [UInt8] {
            let fields = [error.location?.source ?? "", error.location?.line.map(String.init) ?? "",
                          error.location?.column.map(String.init) ?? "", error.message]
            return fields.flatMap { Array($0.utf8) + [0] }
        }

        static func decode(_ bytes: [UInt8]) -> AEError? {
            let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 5, fields[4].isEmpty else { return nil }
            let location = fields[0].isEmpty ? nil : AEError.Location(source: fields[0], line: Int(fields[1]), column: Int(fields[2]))
            return AEError(fields[3], at: location)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            written += count
        }
    }

    /// Everything the child writes, until it exits (which closes its end).
    private static func readAll(from descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return bytes }
            bytes += chunk[..<count]
        }
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
