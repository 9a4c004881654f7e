import Foundation

/// The decimal digits of a non-negative finite number: value = 0.d₁d₂…dₙ × 10^`pointPosition`.
/// Zero is the single digit 0 with point position 1.
struct DecimalDigits: Equatable {
    var digits: [UInt8]
    var pointPosition: Int

    /// Digits after the decimal point.
    var fractionLength: Int { max(0, digits.count - pointPosition) }

    /// Parses a non-negative decimal such as `0.001`, `123.5`, `1e-05`, `1.25e+17` (the forms Swift's shortest
    /// `description` and C's `%f`/`%e` produce).
    init(parsing text: Substring) {
        var mantissa = text
        var exponent = 0
        if let marker = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<marker]
            exponent = Int(text[text.index(after: marker)...]) ?? 0
        }
        var integerLength = mantissa.count
        if let point = mantissa.firstIndex(of: ".") {
            integerLength = mantissa.distance(from: mantissa.startIndex, to: point)
        }
        var digits = mantissa.compactMap { $0.asciiValue.flatMap { $0 >= 48 && $0 <= 57 ? $0 - 48 : nil } }
        var pointPosition = integerLength + exponent
        while digits.count > 1 && digits.first == 0 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1 && digits.last == 0 { digits.removeLast() }
        if digits.isEmpty || digits == [0] {
            digits = [0]
            pointPosition = 1
        }
        self.digits = digits
        self.pointPosition = pointPosition
    }

    /// The shortest digits that read back as `magnitude` in its own type (Swift's `description` is shortest and,
    /// among the shortest, closest — the digits numpy's Dragon4 gives in "unique" mode).
    static func shortest<T: BinaryFloatingPoint & LosslessStringConvertible>(_ magnitude: T) -> DecimalDigits {
        DecimalDigits(parsing: Substring(magnitude.description))
    }

    /// The exact value rounded (half to even, as C's printf does) to `fractionDigits` digits after the point.
    static func rounded(_ magnitude: Double, fractionDigits: Int) -> DecimalDigits {
        DecimalDigits(parsing: Substring(String(format: "%.*f", fractionDigits, magnitude)))
    }

    /// The exact value rounded to `significantDigits` significant digits.
    static func rounded(_ magnitude: Double, significantDigits: Int) -> DecimalDigits {
        DecimalDigits(parsing: Substring(String(format: "%.*e", max(significantDigits - 1, 0), magnitude)))
    }

    /// numpy's Dragon4 in "unique" mode with a cutoff of `precision` digits after the point: the shortest digits
    /// when they fit, otherwise the exact value rounded at the cutoff.
    static func positional<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ magnitude: T, precision: Int
    ) -> DecimalDigits {
        let shortest = shortest(magnitude)
        if shortest.fractionLength <= precision { return shortest }
        return rounded(Double(magnitude), fractionDigits: precision)
    }

    /// The same with a cutoff of `precision` digits after the first significant one (scientific notation).
    static func scientific<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ magnitude: T, precision: Int
    ) -> DecimalDigits {
        let shortest = shortest(magnitude)
        if shortest.digits.count <= precision + 1 { return shortest }
        return rounded(Double(magnitude), significantDigits: precision + 1)
    }

    private static func text(_ digits: ArraySlice<UInt8>) -> String {
        String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
    }

    /// Integer and fraction parts in positional notation (`"12"`, `"5"` for 12.5; `"0"`, `"001"` for 0.001).
    var positionalParts: (integer: String, fraction: String) {
        let integer = pointPosition <= 0 ? "0"
            : Self.text(digits.prefix(pointPosition)) + String(repeating: "0", count: max(0, pointPosition - digits.count))
        let fraction = pointPosition >= digits.count ? ""
            : String(repeating: "0", count: max(0, -pointPosition)) + Self.text(digits.suffix(from: max(pointPosition, 0)))
        return (integer, fraction)
    }

    /// Leading digit, the digits after it, and the decimal exponent, in scientific notation.
    var scientificParts: (integer: String, fraction: String, exponent: Int) {
        (Self.text(digits.prefix(1)), Self.text(digits.dropFirst()), digits == [0] ? 0 : pointPosition - 1)
    }
}

/// `e+05`, `e-100`: the sign always, and at least `minimumDigits` (numpy: 2) digits.
func formatExponent(_ exponent: Int, minimumDigits: Int) -> String {
    let magnitude = String(abs(exponent))
    return "e" + (exponent < 0 ? "-" : "+") + String(repeating: "0", count: max(0, minimumDigits - magnitude.count))
        + magnitude
}

/// How numpy's `str()` of a 0-d array (a scalar) prints a float: the shortest digits that read back as the value,
/// positional when `1e-4 <= |x| < cutoff` or x is zero (cutoff 1e16 for float64, 1e6 for float32, as numpy 2.3+),
/// `1e-05`, `1.5e+16` style otherwise; `nan`, `inf`, `-inf`.
func formatScalar<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    let sign = value.sign == .minus ? "-" : ""
    let magnitude = value.magnitude
    let cutoff: T = T.self == Float.self ? 1e6 : 1e16
    let digits = DecimalDigits.shortest(magnitude)
    if magnitude == 0 || (Double(magnitude) >= 1e-4 && magnitude < cutoff) {
        let parts = digits.positionalParts
        return sign + parts.integer + "." + (parts.fraction.isEmpty ? "0" : parts.fraction)
    }
    let parts = digits.scientificParts
    return sign + parts.integer + (parts.fraction.isEmpty ? "" : "." + parts.fraction)
        + formatExponent(parts.exponent, minimumDigits: 2)
}
