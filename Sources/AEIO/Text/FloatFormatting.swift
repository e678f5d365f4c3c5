import AECore

/// Writes a `Float` as the shortest decimal text that reads back to the same
/// `Float`, in the layout of `Float.description` without its trailing ".0"
/// (`1`, `0.5`, `16777216`, `1e-05`, `3.4028235e+38`).
///
/// Output rows hold hundreds of numbers each, so this formats straight into
/// the output buffer instead of building a `String` per number. The digits
/// come from Ulf Adams' Ryū algorithm (PLDI 2018) for 32-bit floats, which
/// finds the shortest, closest decimal with 64-bit integer arithmetic.
enum ShortestFloatFormatter {
    /// The longest text this writes: `-1.00000006e+27` or `-0.000123456789`.
    static let maxLength = 15

    /// Writes the finite `value` at `out` and returns the number of bytes.
    static func write(_ value: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        precondition(value.isFinite, "JSON has no NaN or Infinity")
        var length = 0
        if value.sign == .minus {
            out[0] = UInt8(ascii: "-")
            length = 1
        }
        if value == 0 {
            out[length] = UInt8(ascii: "0")
            return length + 1
        }
        let (digits, exponent10) = shortestDecimal(
            ieeeMantissa: value.bitPattern & 0x7F_FFFF,
            ieeeExponent: (value.bitPattern >> 23) & 0xFF
        )
        let digitCount = decimalLength(digits)
        let scientificExponent = exponent10 + digitCount - 1
        // The same switch as Float.description: plain notation from 1e-4 up to
        // 2^24, the range where every integer is exactly a Float.
        if scientificExponent < -4 || value.magnitude > 0x1p24 {
            length += writeScientific(digits, digitCount: digitCount, exponent: scientificExponent, to: out + length)
        } else {
            length += writePlain(digits, digitCount: digitCount, exponent: scientificExponent, to: out + length)
        }
        return length
    }

    // MARK: Layout

    private static func writePlain(
        _ digits: UInt32, digitCount: Int, exponent: Int, to out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        if exponent < 0 {
            let leadingZeros = -exponent - 1
            out[0] = UInt8(ascii: "0")
            out[1] = UInt8(ascii: ".")
            for k in 0..<leadingZeros { out[2 + k] = UInt8(ascii: "0") }
            writeDigits(digits, count: digitCount, to: out + 2 + leadingZeros)
            return 2 + leadingZeros + digitCount
        }
        let integerDigits = exponent + 1
        if digitCount <= integerDigits {
            writeDigits(digits, count: digitCount, to: out)
            for k in digitCount..<integerDigits { out[k] = UInt8(ascii: "0") }
            return integerDigits
        }
        // Write all digits one place to the right, then pull the integer part
        // back over the gap and put the point there.
        writeDigits(digits, count: digitCount, to: out + 1)
        for k in 0..<integerDigits { out[k] = out[k + 1] }
        out[integerDigits] = UInt8(ascii: ".")
        return digitCount + 1
    }

    private static func writeScientific(
        _ digits: UInt32, digitCount: Int, exponent: Int, to out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var length: Int
        if digitCount == 1 {
            out[0] = UInt8(ascii: "0") + UInt8(digits)
            length = 1
        } else {
            writeDigits(digits, count: digitCount, to: out + 1)
            out[0] = out[1]
            out[1] = UInt8(ascii: ".")
            length = digitCount + 1
        }
        out[length] = UInt8(ascii: "e")
        out[length + 1] = exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
        // Float exponents have at most two digits; always write two, like
        // Float.description does.
        let magnitude = exponent.magnitude
        out[length + 2] = UInt8(ascii: "0") + UInt8(magnitude / 10)
        out[length + 3] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        return length + 4
    }

    private static func writeDigits(_ value: UInt32, count: Int, to out: UnsafeMutablePointer<UInt8>) {
        var value = value
        for k in stride(from: count - 1, through: 0, by: -1) {
            out[k] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
    }

    private static func decimalLength(_ value: UInt32) -> Int {
        var length = 1
        var bound: UInt32 = 10
        while length < 10 && value >= bound {
            length += 1
            bound = bound &* 10
        }
        return length
    }

    // MARK: Ryū

    private static let mantissaBits: Int32 = 23
    private static let exponentBias: Int32 = 127
    private static let pow5InverseBitCount: Int32 = 59
    private static let pow5BitCount: Int32 = 61

    /// floor(2^(bitlength(5^i) - 1 + 59) / 5^i) + 1, for i in 0...30.
    private static let pow5InverseSplit: [UInt64] = [
        0x0800000000000001, 0x0666666666666667, 0x051EB851EB851EB9, 0x04189374BC6A7EFA,
        0x068DB8BAC710CB2A, 0x053E2D6238DA3C22, 0x0431BDE82D7B634E, 0x06B5FCA6AF2BD216,
        0x055E63B88C230E78, 0x044B82FA09B5A52D, 0x06DF37F675EF6EAE, 0x057F5FF85E592558,
        0x0465E6604B7A8447, 0x0709709A125DA071, 0x05A126E1A84AE6C1, 0x0480EBE7B9D58567,
        0x0734ACA5F6226F0B, 0x05C3BD5191B525A3, 0x049C97747490EAE9, 0x0760F253EDB4AB0E,
        0x05E72843249088D8, 0x04B8ED0283A6D3E0, 0x078E480405D7B966, 0x060B6CD004AC9452,
        0x04D5F0A66A23A9DB, 0x07BCB43D769F762B, 0x063090312BB2C4EF, 0x04F3A68DBC8F03F3,
        0x07EC3DAF94180651, 0x065697BFA9ACD1DA, 0x051212FFBAF0A7E2
    ]

    /// 5^i scaled to exactly 61 bits (truncated), for i in 0...47.
    private static let pow5Split: [UInt64] = [
        0x1000000000000000, 0x1400000000000000, 0x1900000000000000, 0x1F40000000000000,
        0x1388000000000000, 0x186A000000000000, 0x1E84800000000000, 0x1312D00000000000,
        0x17D7840000000000, 0x1DCD650000000000, 0x12A05F2000000000, 0x174876E800000000,
        0x1D1A94A200000000, 0x12309CE540000000, 0x16BCC41E90000000, 0x1C6BF52634000000,
        0x11C37937E0800000, 0x16345785D8A00000, 0x1BC16D674EC80000, 0x1158E460913D0000,
        0x15AF1D78B58C4000, 0x1B1AE4D6E2EF5000, 0x10F0CF064DD59200, 0x152D02C7E14AF680,
        0x1A784379D99DB420, 0x108B2A2C28029094, 0x14ADF4B7320334B9, 0x19D971E4FE8401E7,
        0x1027E72F1F128130, 0x1431E0FAE6D7217C, 0x193E5939A08CE9DB, 0x1F8DEF8808B02452,
        0x13B8B5B5056E16B3, 0x18A6E32246C99C60, 0x1ED09BEAD87C0378, 0x13426172C74D822B,
        0x1812F9CF7920E2B6, 0x1E17B84357691B64, 0x12CED32A16A1B11E, 0x178287F49C4A1D66,
        0x1D6329F1C35CA4BF, 0x125DFA371A19E6F7, 0x16F578C4E0A060B5, 0x1CB2D6F618C878E3,
        0x11EFC659CF7D4B8D, 0x166BB7F0435C9E71, 0x1C06A5EC5433C60D, 0x118427B3B4A05BC8
    ]

    /// The shortest `digits × 10^exponent` that rounds back to the float with
    /// these IEEE fields (not zero, not infinite, not NaN).
    private static func shortestDecimal(ieeeMantissa: UInt32, ieeeExponent: UInt32) -> (digits: UInt32, exponent: Int) {
        let e2: Int32
        let m2: UInt32
        if ieeeExponent == 0 {
            e2 = 1 - exponentBias - mantissaBits - 2
            m2 = ieeeMantissa
        } else {
            e2 = Int32(ieeeExponent) - exponentBias - mantissaBits - 2
            m2 = (1 << mantissaBits) | ieeeMantissa
        }
        let acceptBounds = m2 & 1 == 0

        // The value and the halfway points to its neighbours, times 4.
        let mv = 4 * m2
        let mp = 4 * m2 + 2
        let mmShift: UInt32 = (ieeeMantissa != 0 || ieeeExponent <= 1) ? 1 : 0
        let mm = 4 * m2 - 1 - mmShift

        var vr: UInt32, vp: UInt32, vm: UInt32
        let e10: Int32
        var vmIsTrailingZeros = false
        var vrIsTrailingZeros = false
        var lastRemovedDigit: UInt32 = 0
        if e2 >= 0 {
            let q = log10Pow2(e2)
            e10 = q
            let k = pow5InverseBitCount + pow5Bits(q) - 1
            let i = -e2 + q + k
            vr = mulShift(mv, pow5InverseSplit[Int(q)], i)
            vp = mulShift(mp, pow5InverseSplit[Int(q)], i)
            vm = mulShift(mm, pow5InverseSplit[Int(q)], i)
            if q != 0 && (vp - 1) / 10 <= vm / 10 {
                // One removed digit is needed for rounding even when the loop
                // below removes none.
                let l = pow5InverseBitCount + pow5Bits(q - 1) - 1
                lastRemovedDigit = mulShift(mv, pow5InverseSplit[Int(q - 1)], -e2 + q - 1 + l) % 10
            }
            if q <= 9 {
                // At most one of mp, mv and mm is a multiple of 5.
                if mv % 5 == 0 {
                    vrIsTrailingZeros = isMultipleOfPowerOf5(mv, q)
                } else if acceptBounds {
                    vmIsTrailingZeros = isMultipleOfPowerOf5(mm, q)
                } else if isMultipleOfPowerOf5(mp, q) {
                    vp -= 1
                }
            }
        } else {
            let q = log10Pow5(-e2)
            e10 = q + e2
            let i = -e2 - q
            let k = pow5Bits(i) - pow5BitCount
            var j = q - k
            vr = mulShift(mv, pow5Split[Int(i)], j)
            vp = mulShift(mp, pow5Split[Int(i)], j)
            vm = mulShift(mm, pow5Split[Int(i)], j)
            if q != 0 && (vp - 1) / 10 <= vm / 10 {
                j = q - 1 - (pow5Bits(i + 1) - pow5BitCount)
                lastRemovedDigit = mulShift(mv, pow5Split[Int(i + 1)], j) % 10
            }
            if q <= 1 {
                // mv = 4 * m2 has at least two trailing zero bits.
                vrIsTrailingZeros = true
                if acceptBounds {
                    vmIsTrailingZeros = mmShift == 1
                } else {
                    vp -= 1
                }
            } else if q < 31 {
                vrIsTrailingZeros = isMultipleOfPowerOf2(mv, q - 1)
            }
        }

        // Remove digits while the interval still holds a shorter number.
        var removed: Int32 = 0
        let output: UInt32
        if vmIsTrailingZeros || vrIsTrailingZeros {
            while vp / 10 > vm / 10 {
                vmIsTrailingZeros = vmIsTrailingZeros && vm % 10 == 0
                vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
                lastRemovedDigit = vr % 10
                vr /= 10
                vp /= 10
                vm /= 10
                removed += 1
            }
            if vmIsTrailingZeros {
                while vm % 10 == 0 {
                    vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
                    lastRemovedDigit = vr % 10
                    vr /= 10
                    vp /= 10
                    vm /= 10
                    removed += 1
                }
            }
            if vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0 {
                // Exactly halfway: round to even.
                lastRemovedDigit = 4
            }
            let roundUp = (vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5
            output = vr + (roundUp ? 1 : 0)
        } else {
            while vp / 10 > vm / 10 {
                lastRemovedDigit = vr % 10
                vr /= 10
                vp /= 10
                vm /= 10
                removed += 1
            }
            output = vr + ((vr == vm || lastRemovedDigit >= 5) ? 1 : 0)
        }
        return (output, Int(e10 + removed))
    }

    /// ceil(log2(5^e)), or 1 for e == 0.
    private static func pow5Bits(_ e: Int32) -> Int32 {
        Int32((UInt32(e) &* 1_217_359) >> 19) + 1
    }

    /// floor(log10(2^e)).
    private static func log10Pow2(_ e: Int32) -> Int32 {
        Int32((UInt32(e) &* 78913) >> 18)
    }

    /// floor(log10(5^e)).
    private static func log10Pow5(_ e: Int32) -> Int32 {
        Int32((UInt32(e) &* 732_923) >> 20)
    }

    private static func isMultipleOfPowerOf5(_ value: UInt32, _ power: Int32) -> Bool {
        var value = value
        var count: Int32 = 0
        while value % 5 == 0 {
            value /= 5
            count += 1
        }
        return count >= power
    }

    private static func isMultipleOfPowerOf2(_ value: UInt32, _ power: Int32) -> Bool {
        value & ((1 << UInt32(power)) - 1) == 0
    }

    /// (m × factor) >> shift, for shift > 32, without 128-bit arithmetic.
    private static func mulShift(_ m: UInt32, _ factor: UInt64, _ shift: Int32) -> UInt32 {
        let low = UInt64(m) * (factor & 0xFFFF_FFFF)
        let high = UInt64(m) * (factor >> 32)
        let sum = (low >> 32) + high
        return UInt32(truncatingIfNeeded: sum >> UInt64(shift - 32))
    }
}
