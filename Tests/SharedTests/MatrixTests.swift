import Shared
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

    func testGatheringRows() {
        let m = Matrix([[1, 2], [3, 4], [5, 6]])
        XCTAssertEqual(m.gathering(rows: [2, 0]), Matrix([[5, 6], [1, 2]]))
    }
}
