@testable import AECLI
@testable import AECore
@testable import AEIO
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `text` as the line reader hands it over: a 0 after it, and bytes the
/// parser may read beyond (here digits, so that a read past the 0 that
/// mattered would show).
func terminatedForParsing(_ text: String) -> [UInt8] {
    Array(text.utf8) + [0] + Array(repeating: UInt8(ascii: "7"), count: ReadBuffer.readableBytesPastEnd)
}

final class NDJSONFloatParsingTests: XCTestCase {
    /// Parses `text` (which must be one whole number) with the JSON parser.
    private func parse(_ text: String) throws -> Float {
        let bytes = terminatedForParsing(text)
        return try bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let value = try JSONFloatParser.parse(buffer.baseAddress!, at: &index)
            XCTAssertEqual(index, text.utf8.count, "did not consume all of \(text)")
            return value
        }
    }

    private func parseError(_ text: String) -> JSONSyntaxError? {
        let bytes = terminatedForParsing(text)
        return bytes.withUnsafeBufferPointer { buffer -> JSONSyntaxError? in
            var index = 0
            do {
                _ = try JSONFloatParser.parse(buffer.baseAddress!, at: &index)
                return nil
            } catch {
                return error as? JSONSyntaxError
            }
        }
    }

    /// Same bits as `strtof`, or "number out of range" where it overflows.
    private func assertMatchesStrtof(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let expected = strtof(text, nil)
        guard expected.isFinite else {
            XCTAssertEqual(parseError(text)?.message, "number out of range", text, file: file, line: line)
            return
        }
        XCTAssertEqual(
            try parse(text).bitPattern, expected.bitPattern,
            "\(text): expected \(expected)", file: file, line: line
        )
    }

    private func formatted(_ format: String, _ arguments: CVarArg...) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(cString: buffer)
    }

    func testSimpleNumbers() throws {
        XCTAssertEqual(try parse("0"), 0)
        XCTAssertEqual(try parse("1"), 1)
        XCTAssertEqual(try parse("-2.5"), -2.5)
        XCTAssertEqual(try parse("0.3294118"), 0.3294118)
        XCTAssertEqual(try parse("1e-05"), 1e-5)
        XCTAssertEqual(try parse("1E+2"), 100)
        XCTAssertEqual(try parse("3.4028235e+38"), .greatestFiniteMagnitude)
        XCTAssertEqual(try parse("-0").bitPattern, (-Float(0)).bitPattern)
        XCTAssertEqual(try parse("0e999"), 0)
    }

    func testEdgeCasesMatchStrtof() {
        let cases = [
            // subnormals and the bottom of the range
            "1e-45", "1.4e-45", "7e-46", "7.1e-46", "7.006492321624085e-46", "7.006492321624086e-46",
            "1.17549435e-38", "1.1754942e-38", "1.1754943508222875e-38", "2.2e-44", "1e-50", "-1e-320",
            // the top of the range
            "3.4028234e38", "3.40282346638528859811704183484516925440e+38", "3.4028235677973366e38",
            // integers around 2^24 and 2^53, exact midpoints between Floats
            "16777216", "16777217", "16777218", "16777219", "33554434", "33554435",
            "9007199254740993", "9007199254740992", "18446744073709551615", "18446744073709551616",
            "1.00000005960464477539062500", "1.000000059604644775390625001", "1.0000000596046447753906249999",
            "0.500000029802322387695312500", "8388609.5", "8388608.5",
            // long mantissas and many digits
            "0.1", "0.2", "0.3", "0.33333333333333333333333333", "2.718281828459045235360287", "123456789",
            "1234567890123456789", "12345678901234567890", "1234567890123456789012345678901234567890",
            "0.000000000000000000000000000000001234567891234", "100000000000000000000000000000000000000",
            "0.0000000000000000000000000000000000000000000000000000000000000000000000000000001",
            // exponents at the fast path's edges
            "1e22", "1e23", "1e-22", "1e-23", "9007199254740991e22", "9007199254740991e-22", "1e38", "1e-38",
            "-0.0", "0.0e-400",
        ]
        for text in cases { assertMatchesStrtof(text) }
    }

    func testRandomDecimalStringsMatchStrtof() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digitCount = Int.random(in: 1...24, using: &generator)
            var digits = String((0..<digitCount).map { _ in "0123456789".randomElement(using: &generator)! })
            while digits.count > 1 && digits.hasPrefix("0") { digits.removeFirst() }
            let point = Int.random(in: 0...digits.count, using: &generator)
            var text = point == 0 ? "0." + digits
                : point == digits.count ? digits
                : String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if Bool.random(using: &generator) { text += "e\(Int.random(in: -50...40, using: &generator))" }
            if Bool.random(using: &generator) { text = "-" + text }
            assertMatchesStrtof(text)
        }
    }

    /// The eight-bytes-at-a-time fraction path: every fraction length around
    /// its limit of seven digits, with leading zeros, and pixel values k/255
    /// written as data files write them.
    func testShortFractionsOfEveryLengthMatchStrtof() {
        var generator = SystemRandomNumberGenerator()
        for length in 1...10 {
            for _ in 0..<500 {
                let fraction = String((0..<length).map { _ in "0123456789".randomElement(using: &generator)! })
                for whole in ["0", "7", "42", "123456", "98765432101"] {
                    assertMatchesStrtof("\(whole).\(fraction)")
                    assertMatchesStrtof("-\(whole).\(fraction)e-3")
                }
                assertMatchesStrtof("0.000\(fraction)")
            }
        }
        for k in 0...255 {
            for precision: Int32 in [1, 4, 6, 7, 8, 9] { assertMatchesStrtof(formatted("%.*f", precision, Double(k) / 255)) }
        }
    }

    func testNumbersNearMidpointsMatchStrtof() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Float(bitPattern: UInt32.random(in: 0x0080_0000..<0x7F7F_FFFF, using: &generator))
            let midpoint = (Double(value) + Double(value.nextUp)) / 2
            let precision = Int32.random(in: 8...24, using: &generator)
            assertMatchesStrtof(formatted("%.*e", precision, midpoint))
            assertMatchesStrtof(formatted("%.60e", midpoint))
        }
    }

    func testRandomFloatsInEveryWrittenFormMatchStrtof() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Float(bitPattern: UInt32.random(in: 0..<0x7F80_0000, using: &generator))
            assertMatchesStrtof(String(Double(value)))
            assertMatchesStrtof(formatted("%.9g", Double(value)))
            assertMatchesStrtof(formatted("%.6f", Double(value)))
        }
    }

    func testOverflowIsAnError() {
        for text in ["1e999", "3.5e38", "-3.5e38", "3.4028236e38", "1" + String(repeating: "0", count: 39)] {
            XCTAssertEqual(parseError(text), JSONSyntaxError("number out of range", at: 0), text)
        }
    }

    func testSyntaxErrors() {
        XCTAssertEqual(parseError(""), JSONSyntaxError("expected a number", at: 0))
        XCTAssertEqual(parseError("-"), JSONSyntaxError("expected a number", at: 0))
        XCTAssertEqual(parseError("+1"), JSONSyntaxError("expected a number", at: 0))
        XCTAssertEqual(parseError(".5"), JSONSyntaxError("expected a number", at: 0))
        XCTAssertEqual(parseError("NaN"), JSONSyntaxError("expected a number", at: 0))
        XCTAssertEqual(parseError("Infinity"), JSONSyntaxError("expected a number", at: 0))
        XCTAssertEqual(parseError("-Infinity"), JSONSyntaxError("expected a number", at: 0))
        XCTAssertEqual(parseError("1."), JSONSyntaxError("expected a digit after '.'", at: 2))
        XCTAssertEqual(parseError("1.e5"), JSONSyntaxError("expected a digit after '.'", at: 2))
        XCTAssertEqual(parseError("1e"), JSONSyntaxError("expected a digit in the exponent", at: 2))
        XCTAssertEqual(parseError("1e+"), JSONSyntaxError("expected a digit in the exponent", at: 3))
    }

    func testNumberEndsWhereTheGrammarEnds() {
        // A leading zero is a whole number; what follows is the caller's problem.
        for (text, length) in [("01", 1), ("1.5x", 3), ("2e3,", 3), ("-0]", 2), ("0x10", 1)] {
            let bytes = terminatedForParsing(text)
            var index = 0
            _ = bytes.withUnsafeBufferPointer { try? JSONFloatParser.parse($0.baseAddress!, at: &index) }
            XCTAssertEqual(index, length, text)
        }
    }
}
