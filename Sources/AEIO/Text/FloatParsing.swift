#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AECore

/// Reads JSON numbers as correctly rounded `Float`s (the same result as `strtof`).
///
/// The commonest numbers in data, up to 7 significant digits and no
/// exponent (pixel intensities, sensor readings), are one `Float` division of
/// two exactly held operands, digits / 10^k, which IEEE rounds correctly.
/// Their fraction digits are converted eight bytes at a time.
///
/// Other numbers with at most 19 significant digits and a small
/// exponent. Those are computed in `Double` from the digits and one exact power
/// of ten: that lands within 2.1 `Double` ulps of the true value (one rounding
/// of the digits, one of the product or quotient, under 1e-18 relative for
/// digits beyond the 19th), so rounding it on to `Float` gives the correctly
/// rounded result unless it lies that close to a midpoint between two
/// `Float`s. Those rare cases, and everything outside the fast path, go to
/// `strtof`.
enum JSONFloatParser {
    /// 10^0 ... 10^22: the powers of ten that `Double` holds exactly.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The low 29 bits of a `Double` significand that sits exactly halfway
    /// between two `Float`s.
    private static let floatMidpointBits: UInt64 = 0x1000_0000
    private static let bitsBelowFloatPrecision: UInt64 = 0x1FFF_FFFF
    /// How many `Double` ulps from a `Float` midpoint the fast path leaves to
    /// `strtof`: well above its 2.1 ulps of error.
    private static let midpointMargin: UInt64 = 8

    /// 10^0 ... 10^10: the powers of ten that `Float` holds exactly.
    private static let exactFloatPowersOfTen: [Float] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]
    /// Below this a `Float` holds every integer exactly.
    private static let exactFloatIntegers: UInt64 = 1 << 24

    /// Parses the number that starts at `text[index]` and moves `index` past it.
    ///
    /// `text` must be terminated by a byte that cannot continue a number (the
    /// line reader puts a NUL after every line), so the loops need no bounds
    /// checks, and 8 bytes must be readable from any index up to that byte
    /// (`ReadBuffer.readableBytesPastEnd`).
    @inline(__always)
    static func parse(_ text: UnsafePointer<UInt8>, at index: inout Int) throws(JSONSyntaxError) -> Float {
        let start = index
        var i = index
        let negative = text[i] == UInt8(ascii: "-")
        if negative { i += 1 }

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent10 = 0

        var digit = text[i] &- UInt8(ascii: "0")
        guard digit <= 9 else { throw JSONSyntaxError("expected a number", at: start) }
        if digit == 0 {
            i += 1
        } else {
            repeat {
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significantDigits += 1
                } else {
                    exponent10 += 1
                }
                i += 1
                digit = text[i] &- UInt8(ascii: "0")
            } while digit <= 9
        }

        if text[i] == UInt8(ascii: ".") {
            i += 1
            digit = text[i] &- UInt8(ascii: "0")
            guard digit <= 9 else { throw JSONSyntaxError("expected a digit after '.'", at: i) }
            let (fractionDigits, fractionValue) = leadingDigits(text + i)
            if fractionDigits < 8 && significantDigits + fractionDigits <= 19 {
                // Fewer than eight digits: all of them at once. Leading zeros
                // count as significant here, which only shortens the 19 kept.
                mantissa = mantissa &* exactPowersOfTenAsIntegers[fractionDigits] &+ fractionValue
                significantDigits += fractionDigits
                exponent10 -= fractionDigits
                i += fractionDigits
                digit = 10
            }
            while digit <= 9 {
                if mantissa == 0 && digit == 0 {
                    exponent10 -= 1
                } else if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significantDigits += 1
                    exponent10 -= 1
                }
                i += 1
                digit = text[i] &- UInt8(ascii: "0")
            }
        }

        if text[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            let negativeExponent = text[i] == UInt8(ascii: "-")
            if negativeExponent || text[i] == UInt8(ascii: "+") { i += 1 }
            digit = text[i] &- UInt8(ascii: "0")
            guard digit <= 9 else { throw JSONSyntaxError("expected a digit in the exponent", at: i) }
            var exponent = 0
            repeat {
                // Beyond this every Float has over- or underflowed; stop growing.
                if exponent < 100_000 { exponent = exponent * 10 + Int(digit) }
                i += 1
                digit = text[i] &- UInt8(ascii: "0")
            } while digit <= 9
            exponent10 += negativeExponent ? -exponent : exponent
        }
        index = i

        // Zero is most of a typical image or sparse vector; any exponent keeps it zero.
        if mantissa == 0 { return negative ? -0.0 : 0 }
        if exponent10 <= 0 && exponent10 >= -10 && mantissa < exactFloatIntegers {
            let value = Float(mantissa) / exactFloatPowersOfTen[-exponent10]
            return negative ? -value : value
        }
        if exponent10 >= -22 && exponent10 <= 22 {
            var value = Double(mantissa)
            if exponent10 < 0 {
                value /= exactPowersOfTen[-exponent10]
            } else if exponent10 > 0 {
                value *= exactPowersOfTen[exponent10]
            }
            let offsetFromMidpoint = (value.bitPattern & bitsBelowFloatPrecision) &- floatMidpointBits
            let rounded = Float(value)
            if offsetFromMidpoint &+ midpointMargin > 2 * midpointMargin && rounded.isFinite {
                return negative ? -rounded : rounded
            }
        }
        return try parseWithStrtof(text + start, length: i - start, offset: start)
    }

    /// 10^0 ... 10^8 as integers, to shift a mantissa left by a run of digits.
    private static let exactPowersOfTenAsIntegers: [UInt64] = [1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// Multipliers that gather four 2-digit lanes into one 8-digit value.
    private static let pairScalesHigh: UInt64 = 100 + (1_000_000 << 32)
    private static let pairScalesLow: UInt64 = 1 + (10_000 << 32)

    /// How many ASCII digits `text` starts with, up to 8, and their value when
    /// fewer than 8 (SWAR: one 8-byte load, the bytes as lanes).
    @inline(__always)
    private static func leadingDigits(_ text: UnsafePointer<UInt8>) -> (count: Int, value: UInt64) {
        let lanes = UnsafeRawPointer(text).loadUnaligned(as: UInt64.self).littleEndian &- 0x3030_3030_3030_3030
        // A lane is a digit when it is below 10: then neither it nor it + 0x76
        // reaches 0x80. Borrows and carries only run into later lanes, which
        // lie past the first non-digit and do not matter.
        let nonDigits = (lanes | (lanes &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
        let count = nonDigits.trailingZeroBitCount / 8
        guard count > 0 && count < 8 else { return (count, 0) }
        // Shift the digits to the top lanes (zeros in front change nothing),
        // then combine lanes pairwise: 2-, 4-, then 8-digit values.
        let digits = lanes << (64 - 8 * UInt64(count))
        let pairs: UInt64 = (digits &* 10) &+ (digits >> 8)
        let highPairs: UInt64 = (pairs & 0x0000_00FF_0000_00FF) &* pairScalesHigh
        let lowPairs: UInt64 = ((pairs >> 16) & 0x0000_00FF_0000_00FF) &* pairScalesLow
        return (count, ((highPairs &+ lowPairs) >> 32) & 0xFFFF_FFFF)
    }

    /// The slow path: `strtof` on a NUL-terminated copy of a number that the
    /// fast path has already checked against the JSON grammar.
    @inline(never)
    private static func parseWithStrtof(
        _ number: UnsafePointer<UInt8>, length: Int, offset: Int
    ) throws(JSONSyntaxError) -> Float {
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { copy -> Float in
            let base = copy.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: number, byteCount: length)
            base[length] = 0
            return strtof(base, nil)
        }
        guard value.isFinite else { throw JSONSyntaxError("number out of range", at: offset) }
        return value
    }
}
