@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest

final class NDJSONFloatFormattingTests: XCTestCase {
    private func format(_ value: Float) -> String {
        var bytes = [UInt8](repeating: 0, count: ShortestFloatFormatter.maxLength)
        let count = bytes.withUnsafeMutableBufferPointer { ShortestFloatFormatter.write(value, to: $0.baseAddress!) }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }

    private func parse(_ text: String) throws -> Float {
        let bytes = terminatedForParsing(text)
        var index = 0
        return try bytes.withUnsafeBufferPointer { try JSONFloatParser.parse($0.baseAddress!, at: &index) }
    }

    /// `Float.description` is shortest-round-trip too; ae only drops its ".0".
    private func expectedText(_ value: Float) -> String {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    func testKnownValues() {
        let cases: [(Float, String)] = [
            (0, "0"), (-0.0, "-0"), (1, "1"), (-1, "-1"), (0.5, "0.5"), (0.1, "0.1"), (100, "100"),
            (0.3294118, "0.3294118"), (123456.7, "123456.7"), (1e7, "10000000"), (0.0001, "0.0001"),
            (0.00015, "0.00015"), (1e-5, "1e-05"), (2.5e-5, "2.5e-05"), (16_777_216, "16777216"),
            (16_777_218, "1.6777218e+07"), (1e8, "1e+08"), (1e10, "1e+10"),
            (.greatestFiniteMagnitude, "3.4028235e+38"), (-.greatestFiniteMagnitude, "-3.4028235e+38"),
            (.leastNormalMagnitude, "1.1754944e-38"), (.leastNonzeroMagnitude, "1e-45"),
            (-.leastNonzeroMagnitude, "-1e-45"), (1e27, "1e+27"), (Float("1.00000006e+27")!, "1.00000006e+27"),
        ]
        for (value, text) in cases {
            XCTAssertEqual(format(value), text, "\(value)")
        }
    }

    func testLongestOutputsFitTheAdvertisedLength() {
        XCTAssertEqual(format(-Float("1.00000006e+27")!).utf8.count, ShortestFloatFormatter.maxLength)
        XCTAssertLessThanOrEqual(format(-0.000123456789).utf8.count, ShortestFloatFormatter.maxLength)
    }

    func testRandomFloatsMatchDescriptionAndReadBackExactly() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let value = Float(bitPattern: UInt32.random(in: 0..<0xFF80_0000, using: &generator))
            guard value.isFinite else { continue }
            let text = format(value)
            XCTAssertEqual(text, expectedText(value))
            XCTAssertEqual(try parse(text).bitPattern, value.bitPattern, text)
        }
    }

    func testSubnormalsAndExtremesReadBackExactly() throws {
        var patterns: [UInt32] = Array(0...2000) + Array(0x007F_F000...0x0080_1000) + Array(0x7F7F_F000...0x7F7F_FFFF)
        var generator = SystemRandomNumberGenerator()
        patterns += (0..<20_000).map { _ in UInt32.random(in: 1..<0x0080_0000, using: &generator) }
        // Powers of two and ten, where the rounding interval is lopsided.
        patterns += (1..<255).map { UInt32($0) << 23 }
        for pattern in patterns {
            for value in [Float(bitPattern: pattern), -Float(bitPattern: pattern)] {
                let text = format(value)
                XCTAssertEqual(text, expectedText(value))
                XCTAssertEqual(try parse(text).bitPattern, value.bitPattern, text)
            }
        }
        var power: Float = 1
        while power.isFinite {
            XCTAssertEqual(format(power), expectedText(power))
            power *= 10
        }
    }
}
