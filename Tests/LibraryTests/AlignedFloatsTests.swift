@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

final class AlignedFloatsTests: XCTestCase {
    func testStorageStartsOnA64ByteBoundaryAfterEveryCopy() {
        for count in [0, 1, 3, 1000, 314_000] {
            var values = AlignedFloats(repeating: 1, count: count)
            var copy = values
            if count > 0 { copy[0] = 2 }
            for floats in [values, copy] {
                floats.withUnsafeBufferPointer { XCTAssertEqual(Int(bitPattern: $0.baseAddress) % 64, 0, "\(count) floats") }
            }
            values.withUnsafeMutableBufferPointer { XCTAssertEqual(Int(bitPattern: $0.baseAddress) % 64, 0) }
        }
    }

    func testCopiesAreIndependentValues() {
        let original = AlignedFloats([1, 2, 3])
        var copy = original
        copy[1] = 20
        copy.withUnsafeMutableBufferPointer { $0[2] = 30 }
        XCTAssertEqual(Array(original), [1, 2, 3])
        XCTAssertEqual(Array(copy), [1, 20, 30])
        XCTAssertNotEqual(original, copy)
        copy[1] = 2
        copy[2] = 3
        XCTAssertEqual(original, copy)
    }
}
