import Foundation
import XCTest

/// Runs the built ae tools as separate processes, through real pipes.
///
/// `swift test` builds the executables next to the test bundle, so the
/// bundle's directory is where the tools are.
enum ToolRunner {
    static let directory: URL = {
        // On Linux the test bundle is an executable (…/debug/aePackageTests.xctest).
        let bundle = Bundle(for: BundleMarker.self)
        let testBinary = bundle.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return testBinary.deletingLastPathComponent()
    }()

    static func path(_ tool: String) -> String { directory.appendingPathComponent(tool).path }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String

        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stdoutLines: [String] { stdoutText.split(separator: "\n").map(String.init) }
    }

    /// Runs `command` with bash (so pipes and redirections are real) in
    /// `directory`, with the tools first on PATH. The status is bash's
    /// (128 + n when the last command died of signal n).
    static func shell(_ command: String, in workingDirectory: URL, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = workingDirectory
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = directory.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env.removeValue(forKey: "AE_MODEL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs, so a full pipe cannot block it.
        let errorData = ErrorCollector()
        Thread { errorData.deliver(stderr.fileHandleForReading.readDataToEndOfFile()) }.start()
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: outputData, stderr: String(decoding: errorData.wait(), as: UTF8.self))
    }

    /// Runs `command` like `shell`, failing the calling test unless it exits 0.
    @discardableResult
    static func succeed(
        _ command: String, in workingDirectory: URL, environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line
    ) throws -> Result {
        let result = try shell(command, in: workingDirectory, environment: environment)
        XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)", file: file, line: line)
        return result
    }
}

/// The clients the interoperability tests drive; a test whose client is
/// missing skips, saying what to install (`make test` installs them).
extension ToolRunner {
    /// Runs a Python script in `directory` with a python3 that has
    /// `modules`: the one on PATH, else the system's (where Debian's packages
    /// go when PATH leads to another Python). Returns its stdout.
    static func python(
        _ script: String, needs modules: [String], in directory: URL, file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        try script.write(to: directory.appendingPathComponent("check.py"), atomically: false, encoding: .utf8)
        let imports = "import " + modules.joined(separator: ", ")
        for interpreter in ["python3", "/usr/bin/python3"] where try shell("\(interpreter) -c '\(imports)'", in: directory).status == 0 {
            return try succeed("\(interpreter) check.py", in: directory, file: file, line: line).stdoutText
        }
        throw XCTSkip(
            "no python3 with \(modules.joined(separator: ", ")) (Debian: apt install python3-h5py python3-numpy python3-pandas python3-pil)")
    }

    static func requireJq() throws {
        guard try shell("command -v jq", in: URL(fileURLWithPath: "/")).status == 0 else {
            throw XCTSkip("jq is not installed (Debian: apt install jq)")
        }
    }
}

private final class BundleMarker {}

/// What the stderr reader thread collected, handed over under a lock: the
/// lock is what orders the thread's write before the test's read (polling
/// `Thread.isFinished` does not, and ThreadSanitizer reported the race).
private final class ErrorCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func deliver(_ collected: Data) {
        condition.lock()
        data = collected
        condition.signal()
        condition.unlock()
    }

    /// Waits for the reader thread's data.
    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data!
    }
}

extension XCTestCase {
    /// A fresh directory for one test's files, removed when the test ends;
    /// with `planeRows`, it holds x.ndjson: that many rows of
    /// `SyntheticData.planeObjects`.
    func makeScratchDirectory(planeRows: Int? = nil) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ae-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        if let planeRows {
            try SyntheticData.planeObjects(rows: planeRows)
                .write(to: directory.appendingPathComponent("x.ndjson"), atomically: false, encoding: .utf8)
        }
        return directory
    }
}

/// An end-to-end test case that runs the tools in a scratch directory of its
/// own, made anew for each test, holding `planeRows` rows of
/// `SyntheticData.planeObjects` as x.ndjson.
class ScratchDirectoryTestCase: XCTestCase {
    var directory: URL!

    class var planeRows: Int { 300 }

    override func setUpWithError() throws {
        directory = try makeScratchDirectory(planeRows: type(of: self).planeRows)
    }

    func run(_ command: String) throws -> ToolRunner.Result {
        try ToolRunner.shell(command, in: directory)
    }

    @discardableResult
    func succeed(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> ToolRunner.Result {
        try ToolRunner.succeed(command, in: directory, file: file, line: line)
    }
}

/// Small data sets with known structure, written as files for the tools.
enum SyntheticData {
    /// `rows` points on a 2-D plane embedded in `width` dimensions, with a
    /// little noise; as NDJSON objects `{"id": i, "x": [...]}`.
    static func planeObjects(rows: Int, width: Int = 8, seed: UInt64 = 5) -> String {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1p-53
        }
        var lines: [String] = []
        for i in 0..<rows {
            let a = uniform() * 2 - 1, b = uniform() * 2 - 1
            let values = (0..<width).map { j -> String in
                let value = a * cos(Double(j)) + b * sin(Double(j) * 0.7) + (uniform() - 0.5) * 0.05
                return String(Float(value))
            }
            lines.append("{\"id\":\(i),\"x\":[\(values.joined(separator: ","))]}")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
