import Tensors

/// A test's statistic and p-value per target (the trailing shape of the input; `[]` for one vector).
public struct TestResult: Sendable {
    public let statistic: Tensor
    public let pValue: Tensor
    /// Degrees of freedom of the t distribution (t tests); NaN for tests without one.
    public let degreesOfFreedom: Tensor
}

/// Classical tests, matching scipy.stats. Each takes observations along axis 0 and tests every trailing position
/// (voxel, time point) independently: `x` [n] gives 0-d results, `x` [n, t] gives [t].
public enum Inference {
    /// One-sample t test of `mean(x) = popmean` (`scipy.stats.ttest_1samp`):
    /// `t = (x̄ − μ₀) / (s / √n)` with `s` the ddof-1 standard deviation, `ν = n − 1`.
    /// - Parameters: `x` [n, …] with n ≥ 2; `alternative` as scipy.
    /// - Throws: `AlignmentError` for a 0-d `x`, fewer than 2 observations, or non-finite values (position named).
    /// A constant sample gives `t = ±inf` (p = 0) or NaN when it equals `popmean`, as scipy.
    public static func tTestOneSample(_ x: Tensor, popmean: Double = 0,
                                      alternative: Alternative = .twoSided) throws -> TestResult {
        let operation = "ttest_1samp"
        let (n, lanes, shape) = try Inputs.lanes(x, "x", operation)
        guard n >= 2 else { throw AlignmentError(operation, "x needs at least 2 observations along axis 0, got \(n)") }
        try Inputs.requireFinite(lanes.flatMap { $0 }, "x", operation)
        var statistics = [Double](), pValues = [Double]()
        let nu = Double(n - 1)
        for lane in lanes {
            let t = (mean(lane) - popmean) / (variance(lane) / Double(n)).squareRoot()
            statistics.append(t)
            pValues.append(studentP(t, nu, alternative))
        }
        return result(statistics, pValues, [Double](repeating: nu, count: lanes.count), shape)
    }

    /// Paired t test (`scipy.stats.ttest_rel`): the one-sample test of `a − b` against 0.
    /// - Throws: `AlignmentError` when the shapes differ (both named), and as `tTestOneSample`.
    public static func tTestPaired(_ a: Tensor, _ b: Tensor, alternative: Alternative = .twoSided) throws -> TestResult {
        guard a.shape == b.shape else {
            throw AlignmentError("ttest_rel", "a \(formatShape(a.shape)) and b \(formatShape(b.shape)) must have the same shape")
        }
        let difference = try a.astype(.float64) - b.astype(.float64)
        do {
            return try tTestOneSample(difference, alternative: alternative)
        } catch let error as AlignmentError {
            throw AlignmentError("ttest_rel", error.message.replacingOccurrences(of: "x ", with: "a − b "))
        }
    }

    /// Independent two-sample t test (`scipy.stats.ttest_ind`). With `equalVariance` (scipy's default) the pooled
    /// variance `s² = ((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2)` gives `t = (x̄₁ − x̄₂)/(s √(1/n₁ + 1/n₂))`, `ν = n₁+n₂−2`;
    /// otherwise Welch's test with the Welch–Satterthwaite `ν`.
    /// - Parameters: `a` [n₁, …], `b` [n₂, …] with equal trailing shapes, n₁, n₂ ≥ 2.
    /// - Throws: `AlignmentError` for different trailing shapes (both named), too few observations, non-finite values.
    public static func tTestIndependent(_ a: Tensor, _ b: Tensor, equalVariance: Bool = true,
                                        alternative: Alternative = .twoSided) throws -> TestResult {
        let operation = "ttest_ind"
        let (n1, lanes1, shape1) = try Inputs.lanes(a, "a", operation)
        let (n2, lanes2, shape2) = try Inputs.lanes(b, "b", operation)
        guard shape1 == shape2 else {
            throw AlignmentError(operation, "a \(formatShape(a.shape)) and b \(formatShape(b.shape)) differ after axis 0")
        }
        guard n1 >= 2, n2 >= 2 else {
            throw AlignmentError(operation, "each sample needs at least 2 observations, got \(n1) and \(n2)")
        }
        try Inputs.requireFinite(lanes1.flatMap { $0 }, "a", operation)
        try Inputs.requireFinite(lanes2.flatMap { $0 }, "b", operation)
        var statistics = [Double](), pValues = [Double](), dofs = [Double]()
        let m = Double(n1), n = Double(n2)
        for (x, y) in zip(lanes1, lanes2) {
            let v1 = variance(x), v2 = variance(y)
            let difference = mean(x) - mean(y)
            let t: Double, nu: Double
            if equalVariance {
                nu = m + n - 2
                let pooled = ((m - 1) * v1 + (n - 1) * v2) / nu
                t = difference / (pooled * (1 / m + 1 / n)).squareRoot()
            } else {
                let e1 = v1 / m, e2 = v2 / n
                t = difference / (e1 + e2).squareRoot()
                nu = (e1 + e2) * (e1 + e2) / (e1 * e1 / (m - 1) + e2 * e2 / (n - 1))
            }
            statistics.append(t); dofs.append(nu)
            pValues.append(studentP(t, nu, alternative))
        }
        return result(statistics, pValues, dofs, shape1)
    }

    static func studentP(_ t: Double, _ nu: Double, _ alternative: Alternative) -> Double {
        Distributions.pValue(t, alternative: alternative,
                             survival: { Distributions.studentTSurvival($0, degreesOfFreedom: nu) },
                             cumulative: { Distributions.studentTCumulative($0, degreesOfFreedom: nu) })
    }

    static func result(_ statistics: [Double], _ pValues: [Double], _ dofs: [Double], _ shape: [Int]) -> TestResult {
        TestResult(statistic: Inputs.tensor(statistics, shape: shape), pValue: Inputs.tensor(pValues, shape: shape),
                   degreesOfFreedom: Inputs.tensor(dofs, shape: shape))
    }
}
