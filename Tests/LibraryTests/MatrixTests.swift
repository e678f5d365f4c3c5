import AECLI
import AECore
import AEIO
import XCTest

final class MatrixTests: XCTestCase {
    func testResizeKeepsLeadingRowsAndZeroFills() {
        var m = Matrix([[1, 2], [3, 4]])
        m.resize(rows: 3)
        XCTAssertEqual(m.storage, [1, 2, 3, 4, 0, 0])
        m.resize(rows: 1)
        XCTAssertEqual(m.storage, [1, 2])
        XCTAssertEqual(m.rows, 1)
    }

    func testAppendingRowsKeepsTheRowsBeforeThem() {
        var m = Matrix([[1, 2]])
        m.append(Matrix([[3, 4], [5, 6]]))
        m.append(rowCount: 1) { rows in rows.initialize(repeating: 7) }
        XCTAssertEqual(m, Matrix([[1, 2], [3, 4], [5, 6], [7, 7]]))
    }

    func testAppendingRowsThatFailToBeWrittenLeavesTheMatrixAsItWas() {
        struct Failure: Error {}
        var m = Matrix([[1, 2]])
        XCTAssertThrowsError(try m.append(rowCount: 2) { rows in
            rows[0] = 9
            throw Failure()
        })
        XCTAssertEqual(m, Matrix([[1, 2]]))
    }

    func testGatheringRows() {
        let m = Matrix([[1, 2], [3, 4], [5, 6]])
        XCTAssertEqual(m.gathering(rows: [2, 0]), Matrix([[5, 6], [1, 2]]))
    }
}
