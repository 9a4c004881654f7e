import Foundation

/// Distribution functions behind the p-values of the t tests, the GLM and the Wilcoxon test.
///
/// The Student t tail comes from the regularised incomplete beta function `I_x(a, b)`, evaluated with the Lentz
/// continued fraction of Numerical Recipes (`betacf`, §6.4) on the side of the symmetry point where it converges fast.
/// Both `x` and `1 − x` are passed in so that a tail `t²/(ν + t²)` near 0 is never formed as `1 − (something near 1)`.
public enum Distributions {
    /// The regularised incomplete beta function `I_x(a, b) = B(x; a, b) / B(a, b)` for `a, b > 0`, `0 ≤ x ≤ 1`.
    /// `complement` must equal `1 − x` (pass it computed without cancellation when `x` is near 1).
    /// Returns NaN for invalid arguments.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double, complement: Double? = nil) -> Double {
        let y = complement ?? (1 - x)
        guard a > 0, b > 0, x >= 0, y >= 0, x.isFinite, y.isFinite else { return .nan }
        if x == 0 { return 0 }
        if y == 0 { return 1 }
        // log of x^a (1−x)^b / B(a, b)
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(y, a: b, b: a) / b
    }

    /// `1 − I_x(a, b) = I_{1−x}(b, a)`, accurate when it is tiny.
    static func regularizedIncompleteBetaComplement(_ x: Double, a: Double, b: Double, complement: Double) -> Double {
        regularizedIncompleteBeta(complement, a: b, b: a, complement: x)
    }

    /// The continued fraction of `I_x(a, b)` by the modified Lentz method (Numerical Recipes `betacf`).
    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }

    /// Survival function of Student's t with `degreesOfFreedom` ν > 0: `P(T > t) = ½ I_{ν/(ν+t²)}(ν/2, ½)` for
    /// t ≥ 0 (and `1 −` that for t < 0), as `scipy.stats.t.sf`. NaN for ν ≤ 0 or NaN t.
    public static func studentTSurvival(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard nu > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return t > 0 ? 0 : 1 }
        if nu.isInfinite { return normalSurvival(t) }
        let t2 = t * t
        let x = nu / (nu + t2)
        let complement = t2 / (nu + t2)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: nu / 2, b: 0.5, complement: complement)
        return t >= 0 ? tail : 1 - tail
    }

    /// Cumulative distribution of Student's t: `P(T ≤ t) = studentTSurvival(−t)`.
    public static func studentTCumulative(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        studentTSurvival(-t, degreesOfFreedom: nu)
    }

    /// Survival function of the standard normal, `P(Z > z) = ½ erfc(z/√2)`.
    public static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// Cumulative distribution of the standard normal.
    public static func normalCumulative(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// The p-value of statistic `t` under a null with the given survival and cumulative functions.
    static func pValue(_ statistic: Double, alternative: Alternative,
                       survival: (Double) -> Double, cumulative: (Double) -> Double) -> Double {
        guard !statistic.isNaN else { return .nan }
        switch alternative {
        case .greater: return survival(statistic)
        case .less: return cumulative(statistic)
        case .twoSided: return Swift.min(1, 2 * survival(abs(statistic)))
        }
    }
}

/// Which tail a test's p-value counts: the alternative hypothesis, as scipy's `alternative` argument.
public enum Alternative: String, Sendable, CaseIterable {
    case twoSided = "two-sided"
    case less
    case greater
}
