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

    func testTheChildsErrorIsReportedByRunningTheCodeHere() {
        assertAEError("missing dataset", at: "f.h5") {
            try HDF5CrashGuard.run(checking: "f.h5", fileBytes: 0) { () throws -> Int in
                throw AEError("missing dataset", source: "f.h5")
            }
        }
        XCTAssertEqual(try HDF5CrashGuard.run(checking: "f.h5", fileBytes: 0) { 42 }, 42)
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
