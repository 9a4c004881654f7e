import Tensors

extension Inference {
    /// How `wilcoxon` computed its p-value.
    public enum WilcoxonMethod: String, Sendable, CaseIterable {
        /// scipy's `method='auto'`: exact when n ≤ 50 without ties or zeros; a complete sign-flip enumeration when
        /// there are ties or zeros and n ≤ 13; the normal approximation otherwise.
        case automatic = "auto"
        case exact
        case asymptotic
    }

    /// Wilcoxon signed-rank test of `x` (or of `x − y`) against a distribution symmetric about 0, matching
    /// `scipy.stats.wilcoxon` (zero_method='wilcox': zeros are dropped).
    ///
    /// `R⁺ = Σ_{dᵢ>0} rank(|dᵢ|)`; the reported statistic is `min(R⁺, R⁻)` for two-sided tests and `R⁺` otherwise.
    /// Exact: the null distribution of `R⁺` over the 2ⁿ sign patterns (p = 2·min(P(T ≥ R⁺), P(T ≤ R⁺)) two-sided).
    /// Asymptotic: `z = (R⁺ − n(n+1)/4) / σ`, `σ² = (n(n+1)(2n+1) − Σ(t³−t)/2)/24` over tie groups t, with an optional
    /// continuity correction of ½ toward the mean.
    /// - Parameters: `x` [n] (and `y` [n] for the paired test).
    /// - Throws: `AlignmentError` for non-1-D input, different lengths (both shapes named), non-finite values,
    ///   or `method: .exact` with more than 50 observations.
    public static func wilcoxon(_ x: Tensor, _ y: Tensor? = nil, alternative: Alternative = .twoSided,
                                method: WilcoxonMethod = .automatic, correction: Bool = false) throws -> TestResult {
        let operation = "wilcoxon"
        var d = try Inputs.vector(x, "x", operation)
        if let y {
            guard x.shape == y.shape else {
                throw AlignmentError(operation, "x \(formatShape(x.shape)) and y \(formatShape(y.shape)) must have the same shape")
            }
            let other = try Inputs.vector(y, "y", operation)
            d = zip(d, other).map { $0 - $1 }
        }
        try Inputs.requireFinite(d, "x", operation)
        let total = d.count
        let nonzero = d.filter { $0 != 0 }
        let zeros = total - nonzero.count
        let count = Double(nonzero.count)
        let (ranks, ties) = averageRanks(nonzero.map(abs))
        var rPlus = 0.0, rMinus = 0.0
        for (value, rank) in zip(nonzero, ranks) { if value > 0 { rPlus += rank } else { rMinus += rank } }
        let hasTies = ties.contains { $0 > 1 }
        let statistic = alternative == .twoSided ? Swift.min(rPlus, rMinus) : rPlus

        var chosen = method
        if method == .exact, total > 50 {
            throw AlignmentError(operation, "the exact distribution is computed for at most 50 observations, got \(total)")
        }
        var useEnumeration = false
        if method == .automatic {
            if total > 50 { chosen = .asymptotic }
            else if !(hasTies || zeros > 0) { chosen = .exact }
            else if total <= 13 { useEnumeration = true }
            else { chosen = .asymptotic }
        }
        let p: Double
        if total == 0 || count == 0 && !useEnumeration && chosen == .asymptotic {
            p = .nan
        } else if useEnumeration {
            p = signFlipEnumeration(d: d, nonzero: nonzero, ranks: ranks, observed: rPlus, alternative: alternative)
        } else if chosen == .exact {
            let pmf = signedRankDistribution(Int(count))
            let upper = Int(rPlus.rounded(.down)), lower = Int(rPlus.rounded(.up))
            let sf = pmf[Swift.min(Swift.max(upper, 0), pmf.count)...].reduce(0, +)
            let cdf = pmf[...Swift.min(Swift.max(lower, 0), pmf.count - 1)].reduce(0, +)
            switch alternative {
            case .less: p = cdf
            case .greater: p = sf
            case .twoSided: p = Swift.min(1, 2 * Swift.min(sf, cdf))
            }
        } else {
            let mn = count * (count + 1) * 0.25
            let tieCorrection = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let se = ((count * (count + 1) * (2 * count + 1) - tieCorrection / 2) / 24).squareRoot()
            var z = (rPlus - mn) / se
            if correction {
                let sign: Double = alternative == .greater ? 1 : alternative == .less ? -1 : (z > 0 ? 1 : z < 0 ? -1 : 0)
                z -= sign * 0.5 / se
            }
            switch alternative {
            case .greater: p = Distributions.normalSurvival(z)
            case .less: p = Distributions.normalCumulative(z)
            case .twoSided: p = Swift.min(1, 2 * Swift.min(Distributions.normalSurvival(z), Distributions.normalCumulative(z)))
            }
        }
        return TestResult(statistic: Tensor(scalar: statistic), pValue: Tensor(scalar: p),
                          degreesOfFreedom: Tensor(scalar: Double.nan))
    }

    /// The null distribution of the signed-rank sum for n untied observations: `pmf[k] = P(R⁺ = k)`.
    static func signedRankDistribution(_ n: Int) -> [Double] {
        let maximum = n * (n + 1) / 2
        var counts = [Double](repeating: 0, count: maximum + 1)
        counts[0] = 1
        var reached = 0
        for rank in stride(from: 1, through: n, by: 1) {
            reached += rank
            for sum in stride(from: reached, through: rank, by: -1) { counts[sum] += counts[sum - rank] }
        }
        let scale = 1 / Double(sign: .plus, exponent: n, significand: 1)
        return counts.map { $0 * scale }
    }

    /// scipy's deterministic permutation test for tied or zero differences (n ≤ 13): every sign pattern of all n
    /// differences, with scipy's relative tolerance of 100 ε when comparing to the observed statistic.
    private static func signFlipEnumeration(d: [Double], nonzero: [Double], ranks: [Double], observed: Double,
                                            alternative: Alternative) -> Double {
        let patterns = 1 << d.count
        let zeros = d.count - nonzero.count
        // Zeros never contribute to R⁺, so each pattern of the nonzero signs occurs 2^zeros times: equal proportions.
        let m = nonzero.count
        let tolerance = abs(observed) * Double.ulpOfOne * 100
        var atLeast = 0, atMost = 0
        for pattern in 0..<(1 << m) {
            var sum = 0.0
            for index in 0..<m where (pattern >> index) & 1 == 1 { sum += ranks[index] }
            if sum >= observed - tolerance { atLeast += 1 }
            if sum <= observed + tolerance { atMost += 1 }
        }
        let scale = Double(1 << zeros) / Double(patterns)
        let greater = Double(atLeast) * scale, less = Double(atMost) * scale
        switch alternative {
        case .greater: return greater
        case .less: return less
        case .twoSided: return Swift.min(1, 2 * Swift.min(less, greater))
        }
    }
}
