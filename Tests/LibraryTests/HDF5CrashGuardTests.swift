import Foundation
@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

final class HDF5CrashGuardTests: XCTestCase {
    func testAnAnswerFromTheChildPassesThrough() throws {
        XCTAssertTrue(try HDF5CrashGuard.answer(checking: "f.h5", fileBytes: 0) { true })
        XCTAssertFalse(try HDF5CrashGuard.answer(checking: "f.h5", fileBytes: 0) { false })
    }

    func testACrashInTheChildBecomesOneErrorAndTheParentNeverRunsTheCode() {
        let parent = getpid()
        var ranHere = false
        assertAEError("the HDF5 library crashed reading it", at: "f.h5") {
            try HDF5CrashGuard.run(checking: "f.h5", fileBytes: 0) {
                if getpid() != parent { raise(SIGSEGV) }
                ranHere = true
            }
        }
        XCTAssertFalse(ranHere)
    }

    /// The child's error comes back whole, so the parent never runs code
    /// that failed on the file (libhdf5 may corrupt the heap there).
    func testTheChildsErrorComesBackAndTheParentNeverRunsTheCode() {
        let parent = getpid()
        var ranHere = false
        do {
            _ = try HDF5CrashGuard.run(checking: "f.h5", fileBytes: 0) { () throws -> Int in
                if getpid() == parent { ranHere = true }
                throw AEError("missing dataset \"x\" — expected one", source: "dir/f.h5", line: 3, column: 7)
            }
            XCTFail("expected the child's error")
        } catch {
            XCTAssertEqual(error as? AEError, AEError("missing dataset \"x\" — expected one", source: "dir/f.h5", line: 3, column: 7))
        }
        XCTAssertFalse(ranHere)
        assertAEError("no location") {
            try HDF5CrashGuard.run(checking: "f.h5", fileBytes: 0) { () throws -> Int in throw AEError("no location") }
        }
        XCTAssertEqual(try HDF5CrashGuard.run(checking: "f.h5", fileBytes: 0) { 42 }, 42)
    }

    /// Any other error is not sent back: the parent runs the code and meets it itself.
    func testAnotherErrorIsMetByRunningTheCodeHere() {
        struct Other: Error {}
        let parent = getpid()
        var ranHere = false
        XCTAssertThrowsError(try HDF5CrashGuard.run(checking: "f.h5", fileBytes: 0) { () throws -> Int in
            if getpid() == parent { ranHere = true }
            throw Other()
        }) { XCTAssertTrue($0 is Other) }
        XCTAssertTrue(ranHere)
    }

    func testAChildKilledByAnotherSignalDidNotFinish() {
        assertAEError("did not finish reading it", at: "f.h5") {
            _ = try HDF5CrashGuard.answer(checking: "f.h5", fileBytes: 0) {
                raise(SIGTERM)
                return true
            }
        }
    }
}
