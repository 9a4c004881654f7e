import Tensors

/// One cluster of a cluster-based permutation test: time points `start..<end`, its mass and corrected p-value.
public struct TemporalCluster: Sendable, Equatable {
    public let start: Int
    public let end: Int
    /// Σ t over the cluster's time points (negative for a cluster below −threshold).
    public let mass: Double
    public let pValue: Double
}

extension Inference {
    /// Cluster-based permutation test over time (Maris & Oostenveld 2007) for `mean(x) = 0` across subjects.
    ///
    /// One-sample t values are computed at every time point; runs of adjacent points with `t > threshold` (and, for
    /// two-sided tests, `t < −threshold`) form clusters whose mass is the sum of their t values. Each of the
    /// `permutations` null draws flips the sign of every subject's whole time course at random, recomputes the t
    /// curve and keeps the largest |mass| of its clusters (0 when none); a cluster's p-value is
    /// `(1 + #{null max ≥ |mass|}) / (1 + permutations)`, which controls the family-wise error over time.
    /// - Parameters: `x` [subjects, times]; `threshold` the cluster-forming |t| (default: the two-sided p = 0.05
    ///   critical value of t with n − 1 degrees of freedom); `seed`.
    /// - Returns: the observed t curve [times] and the clusters in time order.
    /// - Throws: `AlignmentError` for `x` not 2-D, fewer than 2 subjects, non-finite values, `threshold` ≤ 0,
    ///   `permutations` < 1.
    public static func clusterPermutationTest(_ x: Tensor, threshold: Double? = nil, permutations: Int = 1_000,
                                              seed: UInt64, alternative: Alternative = .twoSided)
        throws -> (t: Tensor, clusters: [TemporalCluster]) {
        let operation = "cluster_permutation_test"
        let data = try Inputs.matrix(x, "x", operation)
        let n = data.rows
        guard n >= 2 else { throw AlignmentError(operation, "x needs at least 2 subjects along axis 0, got \(n)") }
        guard permutations >= 1 else { throw AlignmentError(operation, "permutations must be >= 1, got \(permutations)") }
        try Inputs.requireFinite(data.values, "x", operation)
        let cut = threshold ?? studentTQuantile(upperTail: 0.025, degreesOfFreedom: Double(n - 1))
        guard cut > 0, cut.isFinite else { throw AlignmentError(operation, "threshold must be a positive number, got \(cut)") }

        func tCurve(_ signs: [Double]) -> [Double] {
            (0..<data.columns).map { time in
                var sum = 0.0, sumSquares = 0.0
                for subject in 0..<n { let v = signs[subject] * data[subject, time]; sum += v; sumSquares += v * v }
                let m = sum / Double(n)
                let v = (sumSquares - Double(n) * m * m) / Double(n - 1)
                return m / (Swift.max(v, 0) / Double(n)).squareRoot()
            }
        }
        let observed = tCurve([Double](repeating: 1, count: n))
        let found = clusters(observed, cut, alternative)
        var generator = RandomGenerator(seed: seed)
        let flips = try generator.integers([permutations, n], low: 0, high: 2).scalars(as: Int64.self)
        var nullMaxima = [Double]()
        for permutation in 0..<permutations {
            try Cancellation.check(operation)
            let signs = flips[(permutation * n)..<((permutation + 1) * n)].map { $0 == 1 ? 1.0 : -1.0 }
            let masses = clusters(tCurve(signs), cut, alternative).map { score($0.mass, alternative) }
            nullMaxima.append(masses.max() ?? 0)
        }
        let result = found.map { cluster in
            let observedScore = score(cluster.mass, alternative)
            let exceed = nullMaxima.filter { $0 >= observedScore - 1e-12 * abs(observedScore) }.count
            return TemporalCluster(start: cluster.start, end: cluster.end, mass: cluster.mass,
                                   pValue: Double(exceed + 1) / Double(permutations + 1))
        }
        return (Tensor(observed), result)
    }

    private static func score(_ mass: Double, _ alternative: Alternative) -> Double {
        alternative == .less ? -mass : alternative == .greater ? mass : abs(mass)
    }

    /// Runs of supra-threshold t values (NaN never joins a cluster).
    private static func clusters(_ t: [Double], _ cut: Double, _ alternative: Alternative)
        -> [(start: Int, end: Int, mass: Double)] {
        func sign(_ value: Double) -> Int {
            if value > cut && alternative != .less { return 1 }
            if value < -cut && alternative != .greater { return -1 }
            return 0
        }
        var result = [(start: Int, end: Int, mass: Double)]()
        var index = 0
        while index < t.count {
            let s = sign(t[index])
            if s == 0 { index += 1; continue }
            var end = index, mass = 0.0
            while end < t.count && sign(t[end]) == s { mass += t[end]; end += 1 }
            result.append((index, end, mass))
            index = end
        }
        return result
    }

    /// The t value with upper-tail probability `upperTail` (bisection on the survival function, to 1e-12).
    public static func studentTQuantile(upperTail: Double, degreesOfFreedom nu: Double) -> Double {
        guard upperTail > 0, upperTail < 1, nu > 0 else { return .nan }
        var low = -1e3, high = 1e3
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if Distributions.studentTSurvival(middle, degreesOfFreedom: nu) > upperTail { low = middle } else { high = middle }
            if high - low < 1e-12 * Swift.max(1, abs(middle)) { break }
        }
        return (low + high) / 2
    }
}
