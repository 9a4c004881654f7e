import Tensors

/// Seeded resampling: Benjamini–Hochberg, sign-flip and label-permutation tests, percentile bootstrap intervals.
///
/// Every random draw goes through `RandomGenerator(seed:)` (Philox), so a seed fixes the result on any machine and
/// any number of threads. Permutation p-values count the observed arrangement among the null draws,
/// `p = (1 + #{null ≥ observed}) / (1 + permutations)` (Phipson & Smyth 2010), so they are never 0.
extension Inference {
    /// Benjamini–Hochberg adjusted p-values (`scipy.stats.false_discovery_control(ps, method='bh')`):
    /// with p sorted ascending, `q₍ᵢ₎ = min_{j ≥ i} p₍ⱼ₎ m / j`, clipped to 1; reject where `q ≤ α`.
    /// - Parameter pValues: any shape; the result has the same shape.
    /// - Throws: `AlignmentError` when a p-value is NaN or outside [0, 1] (its index named).
    public static func benjaminiHochberg(_ pValues: Tensor) throws -> Tensor {
        let operation = "fdr_bh"
        let p = Inputs.values(pValues)
        if let index = p.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw AlignmentError(operation, "p-values must lie in [0, 1], got \(p[index]) at flat index \(index)")
        }
        let m = p.count
        let order = p.indices.sorted { p[$0] < p[$1] }
        var adjusted = [Double](repeating: 0, count: m)
        var running = 1.0
        for position in stride(from: m - 1, through: 0, by: -1) {
            let index = order[position]
            running = Swift.min(running, p[index] * Double(m) / Double(position + 1))
            adjusted[index] = Swift.min(1, running)
        }
        return Inputs.tensor(adjusted, shape: pValues.shape)
    }

    /// Sign-flip permutation test of `mean(x) = 0` across subjects, per target: each permutation multiplies every
    /// subject's row by an independent random ±1. With `maxStatistic`, each target's null is the maximum over
    /// targets of the permuted |statistic| (family-wise error control, Nichols & Holmes 2002).
    /// - Parameters: `x` [subjects, …]; `permutations` ≥ 1; `seed`.
    /// - Returns: statistic = the mean over subjects, pValue per target.
    /// - Throws: `AlignmentError` for a 0-d `x`, no subjects, non-finite values, `permutations` < 1.
    public static func signFlipTest(_ x: Tensor, permutations: Int = 10_000, seed: UInt64,
                                    alternative: Alternative = .twoSided, maxStatistic: Bool = false) throws -> TestResult {
        let operation = "sign_flip_test"
        let (n, lanes, shape) = try Inputs.lanes(x, "x", operation)
        guard n >= 1 else { throw AlignmentError(operation, "x has no subjects along axis 0") }
        guard permutations >= 1 else { throw AlignmentError(operation, "permutations must be >= 1, got \(permutations)") }
        try Inputs.requireFinite(lanes.flatMap { $0 }, "x", operation)
        let observed = lanes.map(mean)
        var generator = RandomGenerator(seed: seed)
        let flips = try generator.integers([permutations, n], low: 0, high: 2).scalars(as: Int64.self)
        var exceed = [Int](repeating: 0, count: lanes.count)
        for permutation in 0..<permutations {
            try Cancellation.check(operation)
            let signs = flips[(permutation * n)..<((permutation + 1) * n)].map { $0 == 1 ? 1.0 : -1.0 }
            let null = lanes.map { lane in zip(lane, signs).reduce(0.0) { $0 + $1.0 * $1.1 } / Double(n) }
            count(null, observed, alternative, maxStatistic, &exceed)
        }
        let p = exceed.map { Double($0 + 1) / Double(permutations + 1) }
        return TestResult(statistic: Inputs.tensor(observed, shape: shape), pValue: Inputs.tensor(p, shape: shape),
                          degreesOfFreedom: Inputs.tensor(observed.map { _ in .nan }, shape: shape))
    }

    /// Label-permutation test of a difference in means between two groups, per target: the labels are shuffled
    /// `permutations` times and `mean(group 1) − mean(group 0)` recomputed.
    /// - Parameters: `x` [n, …]; `labels` [n] of 0 and 1, each group non-empty.
    /// - Returns: statistic = mean(group 1) − mean(group 0), pValue per target.
    /// - Throws: `AlignmentError` for a length mismatch (both named), labels other than 0/1, an empty group,
    ///   non-finite values, `permutations` < 1.
    public static func permutationTest(_ x: Tensor, labels: Tensor, permutations: Int = 10_000, seed: UInt64,
                                       alternative: Alternative = .twoSided, maxStatistic: Bool = false) throws -> TestResult {
        let operation = "permutation_test"
        let (n, lanes, shape) = try Inputs.lanes(x, "x", operation)
        let groups = try Inputs.vector(labels, "labels", operation)
        guard groups.count == n else {
            throw AlignmentError(operation, "labels \(formatShape(labels.shape)) must have one entry per row of x \(formatShape(x.shape))")
        }
        guard groups.allSatisfy({ $0 == 0 || $0 == 1 }) else { throw AlignmentError(operation, "labels must be 0 or 1") }
        let ones = groups.filter { $0 == 1 }.count
        guard ones > 0, ones < n else { throw AlignmentError(operation, "both groups need at least one observation, got \(ones) and \(n - ones)") }
        guard permutations >= 1 else { throw AlignmentError(operation, "permutations must be >= 1, got \(permutations)") }
        try Inputs.requireFinite(lanes.flatMap { $0 }, "x", operation)
        func difference(_ assignment: [Double]) -> [Double] {
            lanes.map { lane in
                var s1 = 0.0, s0 = 0.0
                for (value, group) in zip(lane, assignment) { if group == 1 { s1 += value } else { s0 += value } }
                return s1 / Double(ones) - s0 / Double(n - ones)
            }
        }
        let observed = difference(groups)
        var generator = RandomGenerator(seed: seed)
        var exceed = [Int](repeating: 0, count: lanes.count)
        for _ in 0..<permutations {
            try Cancellation.check(operation)
            let order = try generator.permutation(n).scalars(as: Int64.self)
            count(difference(order.map { groups[Int($0)] }), observed, alternative, maxStatistic, &exceed)
        }
        let p = exceed.map { Double($0 + 1) / Double(permutations + 1) }
        return TestResult(statistic: Inputs.tensor(observed, shape: shape), pValue: Inputs.tensor(p, shape: shape),
                          degreesOfFreedom: Inputs.tensor(observed.map { _ in .nan }, shape: shape))
    }

    /// Adds one null draw to the exceedance counts.
    private static func count(_ null: [Double], _ observed: [Double], _ alternative: Alternative, _ maxStatistic: Bool,
                              _ exceed: inout [Int]) {
        func score(_ value: Double) -> Double {
            switch alternative {
            case .twoSided: return abs(value)
            case .greater: return value
            case .less: return -value
            }
        }
        let maximum = null.map(score).max() ?? -.infinity
        for index in observed.indices {
            let nullValue = maxStatistic ? maximum : score(null[index])
            if nullValue >= score(observed[index]) - 1e-12 * abs(observed[index]) { exceed[index] += 1 }
        }
    }

    /// Indices of `resamples` bootstrap samples of `n` items drawn with replacement, seeded.
    static func bootstrapIndices(n: Int, resamples: Int, seed: UInt64) throws -> [[Int]] {
        var generator = RandomGenerator(seed: seed)
        let draws = try generator.integers([resamples, n], low: 0, high: Int64(n)).scalars(as: Int64.self)
        return (0..<resamples).map { sample in draws[(sample * n)..<((sample + 1) * n)].map { Int($0) } }
    }

    /// The percentile bootstrap interval of the mean over axis 0, per target: the `(1−level)/2` and `(1+level)/2`
    /// quantiles (numpy's linear interpolation) of the means of `resamples` resamples of the rows. Percentile
    /// intervals (not BCa) are what rsatoolbox and most of the field report; they are slightly narrow for small n.
    /// - Parameters: `x` [n, …]; `level` in (0, 1); `resamples` ≥ 1.
    /// - Returns: (lower, upper), each of the trailing shape.
    /// - Throws: `AlignmentError` for a 0-d or empty `x`, non-finite values, `level` outside (0, 1), `resamples` < 1.
    public static func bootstrapConfidenceInterval(_ x: Tensor, level: Double = 0.95, resamples: Int = 10_000,
                                                   seed: UInt64) throws -> (lower: Tensor, upper: Tensor) {
        let operation = "bootstrap_ci"
        let (n, lanes, shape) = try Inputs.lanes(x, "x", operation)
        guard n >= 1 else { throw AlignmentError(operation, "x has no observations along axis 0") }
        guard level > 0, level < 1 else { throw AlignmentError(operation, "level must lie in (0, 1), got \(level)") }
        guard resamples >= 1 else { throw AlignmentError(operation, "resamples must be >= 1, got \(resamples)") }
        try Inputs.requireFinite(lanes.flatMap { $0 }, "x", operation)
        let samples = try bootstrapIndices(n: n, resamples: resamples, seed: seed)
        var lower = [Double](), upper = [Double]()
        for lane in lanes {
            let means = samples.map { indices in indices.reduce(0.0) { $0 + lane[$1] } / Double(n) }
            let interval = percentileInterval(means, level: level)
            lower.append(interval.lower); upper.append(interval.upper)
        }
        return (Inputs.tensor(lower, shape: shape), Inputs.tensor(upper, shape: shape))
    }

    /// The central `level` percentile interval of `values` (NaN entries ignored).
    static func percentileInterval(_ values: [Double], level: Double) -> (lower: Double, upper: Double) {
        let sorted = values.filter { !$0.isNaN }.sorted()
        return (quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2))
    }

    /// numpy's default ('linear') quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = Swift.min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }
}
