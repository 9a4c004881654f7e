/// Element formatters: each looks at every element that will be shown once, fixes a common width, then formats
/// elements so that columns line up (numpy's `FloatingFormat`, `IntegerFormat`, `BoolFormat`).

/// numpy's default float printing (`precision=8`, `floatmode='maxprec'`, `suppress=False`).
///
/// Scientific notation is chosen when the largest non-zero magnitude is ≥ 1e8 (1e6 for float32), the smallest is
/// below 1e-4, or their ratio exceeds 1000. Positional numbers show up to 8 digits after the point, as few as read
/// back uniquely, with the point aligned (`[0.1  2.25 3.  ]`); scientific ones share one mantissa length and
/// exponent width (`[1.5e-05 2.0e+00]`). `nan`, `inf` and `-inf` are right-aligned in the same width.
struct FloatElementFormat<T: TensorFloat & LosslessStringConvertible> {
    static var precision: Int { 8 }

    private var exponential = false
    private var padLeft = 0
    private var padRight = 0
    private var fractionDigits = 8
    private var exponentDigits = 2

    init(_ values: [T]) {
        let finite = values.filter(\.isFinite)
        let nonzero = finite.filter { $0 != 0 }.map(\.magnitude)
        if let largest = nonzero.max(), let smallest = nonzero.min() {
            // numpy 2.3+ scales the cutoff to the type: 10^min(8, decimal digits the type holds).
            let cutoff: T = T.self == Float.self ? 1e6 : 1e8
            exponential = largest >= cutoff || smallest < T(0.0001) || largest / smallest > 1000
        }
        if finite.isEmpty {
            padLeft = 0
            padRight = 0
        } else if exponential {
            var integerWidth = 0, fractionWidth = 0, exponentWidth = 2
            for value in finite {
                let parts = DecimalDigits.scientific(value.magnitude, precision: Self.precision).scientificParts
                integerWidth = max(integerWidth, parts.integer.utf8.count + (value.sign == .minus ? 1 : 0))
                fractionWidth = max(fractionWidth, parts.fraction.utf8.count)
                exponentWidth = max(exponentWidth, String(abs(parts.exponent)).utf8.count)
            }
            padLeft = integerWidth
            fractionDigits = fractionWidth
            exponentDigits = exponentWidth
            padRight = exponentWidth + 2 + fractionWidth
        } else {
            for value in finite {
                let parts = DecimalDigits.positional(value.magnitude, precision: Self.precision).positionalParts
                padLeft = max(padLeft, parts.integer.utf8.count + (value.sign == .minus ? 1 : 0))
                padRight = max(padRight, parts.fraction.utf8.count)
            }
        }
        if finite.count != values.count {
            let negativeInfinity = values.contains { $0.isInfinite && $0 < 0 }
            padLeft = max(padLeft, 3 - (padRight + 1), 3 + (negativeInfinity ? 1 : 0) - (padRight + 1))
        }
    }

    func format(_ value: T) -> String {
        if !value.isFinite {
            let text = value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf")
            return leftPadded(text, to: padLeft + padRight + 1)
        }
        let sign = value.sign == .minus ? "-" : ""
        if exponential {
            // Every mantissa shows `fractionDigits` digits. numpy fills a short one with further digits of the exact
            // value rather than zeros (Dragon4's `min_digits`), so all are the exact value rounded at that length:
            // float32 0.08874179 prints as 8.8741787e-02 beside a neighbour that needs 7 digits.
            let parts = DecimalDigits.rounded(Double(value.magnitude), significantDigits: fractionDigits + 1)
                .scientificParts
            let fraction = parts.fraction + String(repeating: "0", count: max(0, fractionDigits - parts.fraction.utf8.count))
            return leftPadded(sign + parts.integer, to: padLeft) + "." + fraction
                + formatExponent(parts.exponent, minimumDigits: exponentDigits)
        }
        let parts = DecimalDigits.positional(value.magnitude, precision: Self.precision).positionalParts
        return leftPadded(sign + parts.integer, to: padLeft) + "."
            + parts.fraction + String(repeating: " ", count: max(0, padRight - parts.fraction.utf8.count))
    }
}

/// Integers right-aligned to the widest shown value.
struct IntegerElementFormat {
    private let width: Int

    init(_ values: [Int64]) {
        width = values.map { String($0).utf8.count }.max() ?? 0
    }

    func format(_ value: Int64) -> String { leftPadded(String(value), to: width) }
}

/// `true` and `false`, padded to one width (numpy prints ` True` / `False`; bm is not Python).
enum BoolElementFormat {
    static func format(_ value: Bool) -> String { value ? " true" : "false" }
}

func leftPadded(_ text: String, to width: Int) -> String {
    let length = text.utf8.count
    return length >= width ? text : String(repeating: " ", count: width - length) + text
}
