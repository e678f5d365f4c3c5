import Foundation
import XCTest

/// Runs shell command lines with the built ae tools first on PATH, in a
/// scratch directory, the way a user types them: real processes and pipes.
///
/// The tools sit next to the test bundle in SwiftPM's build directory.
/// `$AE_MODEL` is cleared unless a command sets it, and stdin is
/// /dev/null, so no test depends on the environment it runs in.
final class ToolShell {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String

        var text: String { String(decoding: stdout, as: UTF8.self) }
        var lines: [String] { text.split(separator: "\n").map(String.init) }
    }

    let directory: URL

    /// The directory holding ae-fit, ae-encode, …, or nil when they are not built.
    static let toolDirectory: URL? = {
        let bundle = Bundle(for: ToolShell.self).bundleURL
        return [bundle.deletingLastPathComponent(), bundle].first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("ae-decode").path)
        }
    }()

    init() throws {
        guard Self.toolDirectory != nil else { throw XCTSkip("the ae tools are not built next to the test bundle") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ae-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Runs `command` with /bin/sh in the scratch directory.
    func run(_ command: String) throws -> Result {
        let stdoutPath = path(".stdout"), stderrPath = path(".stderr")
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = Self.toolDirectory!.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["AE_MODEL"] = nil
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: try Data(contentsOf: URL(fileURLWithPath: stdoutPath)),
            stderr: try String(contentsOfFile: stderrPath, encoding: .utf8))
    }

    /// Runs `command` and fails the test unless it succeeds quietly.
    @discardableResult
    func succeed(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let result = try run(command)
        XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stderr, "", command, file: file, line: line)
        return result
    }

    /// Runs `command` and checks that it fails with status 1 and exactly
    /// one line on stderr, `message`.
    func fail(_ command: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run(command)
        XCTAssertEqual(result.status, 1, command, file: file, line: line)
        XCTAssertEqual(result.stderr, message + "\n", command, file: file, line: line)
    }
}
