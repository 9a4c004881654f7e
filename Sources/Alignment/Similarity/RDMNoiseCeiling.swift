import Tensors

/// Bounds on the best performance any model RDM can reach given the between-subject variability.
public struct RDMNoiseCeiling: Sendable, Equatable {
    /// Mean comparison of each subject's RDM with the pooled RDM of the other subjects.
    public let lower: Double
    /// Mean comparison of each subject's RDM with the pooled RDM of all subjects (overfitted by construction).
    public let upper: Double
}

/// A noise ceiling with percentile bootstrap intervals.
public struct RDMNoiseCeilingInterval: Sendable {
    public let estimate: RDMNoiseCeiling
    /// Central `level` intervals of the bootstrap distributions of each bound.
    public let lowerInterval: (low: Double, high: Double)
    public let upperInterval: (low: Double, high: Double)
    /// The bootstrap samples [resamples, 2] (lower, upper); NaN where a resample left too few entries.
    public let samples: Tensor
}

extension RSA {
    /// What the noise-ceiling bootstrap resamples.
    public enum BootstrapUnit: String, Sendable, CaseIterable {
        case subjects
        /// Conditions (stimuli) with replacement; the pairs between copies of one condition are dropped (NaN), as
        /// rsatoolbox's `subsample_pattern`.
        case stimuli
        case both
    }

    /// The leave-one-subject-out noise ceiling of rsatoolbox `boot_noise_ceiling` (Nili et al. 2014):
    /// `upper = mean_s compare(pool(all), RDM_s)`, `lower = mean_s compare(pool(all but s), RDM_s)`, where `pool`
    /// is rsatoolbox's `pool_rdm` for the method (rank-average for spearman/ρ_a/τ_a, z-score average for
    /// correlations, RMS-normalised average for cosines) — the RDM that maximises the mean comparison.
    /// - Parameters: `rdms` [subjects, n, n] with at least 2 subjects; `method` as `compare`.
    /// - Throws: `AlignmentError` for a wrong shape or fewer than 2 subjects, and as `compare`.
    public static func noiseCeiling(_ rdms: Tensor, method: RDMComparison = .spearman,
                                    warnings: AlignmentWarnings? = nil) throws -> RDMNoiseCeiling {
        let operation = "noise_ceiling"
        guard rdms.rank == 3 else {
            throw AlignmentError(operation, "rdms must be [subjects, n, n], got shape \(formatShape(rdms.shape))")
        }
        let (stack, n) = try rdmStack(rdms, "rdms", operation)
        guard stack.count >= 2 else { throw AlignmentError(operation, "needs at least 2 subjects, got \(stack.count)") }
        let vectors = stack.map { upperTriangleValues($0, n) }
        return try ceiling(vectors, groups: Array(vectors.indices), n: n, method: method, operation: operation,
                           warnings: warnings)
    }

    /// `groups[i]` names the subject of vector i; copies of one subject are left out together.
    static func ceiling(_ vectors: [[Double]], groups: [Int], n: Int, method: RDMComparison, operation: String,
                        warnings: AlignmentWarnings?) throws -> RDMNoiseCeiling {
        let all = pool(vectors, method: method)
        var lower = [Double](), upper = [Double]()
        for subject in Array(Set(groups)).sorted() {
            let test = vectors.indices.filter { groups[$0] == subject }.map { vectors[$0] }
            let rest = vectors.indices.filter { groups[$0] != subject }.map { vectors[$0] }
            guard !rest.isEmpty else { return RDMNoiseCeiling(lower: .nan, upper: .nan) }
            let others = pool(rest, method: method)
            lower.append(mean(try compareVectors([others], test, n: n, method: method, operation: operation, warnings: warnings)))
            upper.append(mean(try compareVectors([all], test, n: n, method: method, operation: operation, warnings: warnings)))
        }
        return RDMNoiseCeiling(lower: mean(lower), upper: mean(upper))
    }

    /// rsatoolbox `pool_rdm`: the average that the method rewards (NaN positions are those of the first vector).
    static func pool(_ vectors: [[Double]], method: RDMComparison) -> [Double] {
        func finite(_ v: [Double]) -> [Double] { v.filter { !$0.isNaN } }
        let prepared: [[Double]]
        switch method {
        case .cosine, .cosineWhitened:
            prepared = vectors.map { v in
                let f = finite(v)
                let rms = (f.reduce(0) { $0 + $1 * $1 } / Double(f.count)).squareRoot()
                return v.map { $0 / rms }
            }
        case .pearson, .correlationWhitened:
            prepared = vectors.map { v in
                let f = finite(v), m = mean(f)
                let sd = variance(f, ddof: 0).squareRoot()
                return v.map { ($0 - m) / sd }
            }
        case .spearman, .rhoA, .kendallTauA:
            prepared = vectors.map { v in
                let ranks = averageRanks(finite(v)).ranks
                var next = 0
                return v.map { value in
                    if value.isNaN { return .nan }
                    defer { next += 1 }
                    return ranks[next]
                }
            }
        }
        let length = prepared[0].count
        var pooled = [Double](repeating: 0, count: length)
        for index in 0..<length {
            if prepared[0][index].isNaN { pooled[index] = .nan; continue }
            pooled[index] = prepared.reduce(0) { $0 + $1[index] } / Double(prepared.count)
        }
        if method == .pearson || method == .correlationWhitened {
            let minimum = finite(pooled).min() ?? 0
            pooled = pooled.map { $0 - minimum }
        }
        return pooled
    }

    /// The noise ceiling with percentile bootstrap intervals over subjects, stimuli or both (seeded). A stimulus
    /// resample keeps conditions drawn with replacement in sorted order and drops pairs between copies of the
    /// same condition (rsatoolbox `bootstrap_sample_pattern` + `subsample_pattern`); a subject resample treats
    /// copies of a subject as one subject when leaving one out (rsatoolbox's descriptor-based folds).
    /// - Parameters: `rdms` [subjects, n, n]; `resamples` ≥ 1; `level` in (0, 1); `seed`.
    /// - Throws: `AlignmentError` for invalid arguments, and as `noiseCeiling`.
    public static func bootstrapNoiseCeiling(_ rdms: Tensor, method: RDMComparison = .spearman,
                                             over unit: BootstrapUnit = .both, resamples: Int = 1_000,
                                             level: Double = 0.95, seed: UInt64) throws -> RDMNoiseCeilingInterval {
        let operation = "bootstrap_noise_ceiling"
        guard resamples >= 1 else { throw AlignmentError(operation, "resamples must be >= 1, got \(resamples)") }
        guard level > 0, level < 1 else { throw AlignmentError(operation, "level must lie in (0, 1), got \(level)") }
        let estimate = try noiseCeiling(rdms, method: method)
        let (stack, n) = try rdmStack(rdms, "rdms", operation)
        let subjects = stack.count
        let subjectDraws = try Inference.bootstrapIndices(n: subjects, resamples: resamples, seed: seed)
        let stimulusDraws = try Inference.bootstrapIndices(n: n, resamples: resamples, seed: seed &+ 0x5851_F42D_4C95_7F2D)
        var samples = [Double]()
        for sample in 0..<resamples {
            try Cancellation.check(operation)
            let chosenSubjects = unit == .stimuli ? Array(0..<subjects) : subjectDraws[sample]
            let chosenStimuli = unit == .subjects ? Array(0..<n) : stimulusDraws[sample].sorted()
            let m = chosenStimuli.count
            let vectors = chosenSubjects.map { subject -> [Double] in
                var values = [Double]()
                for a in 0..<m {
                    for b in (a + 1)..<Swift.max(m, a + 1) {
                        let (i, j) = (chosenStimuli[a], chosenStimuli[b])
                        values.append(i == j ? .nan : stack[subject][i * n + j])
                    }
                }
                return values
            }
            let bounds: RDMNoiseCeiling
            if Set(chosenSubjects).count < 2 || vectors[0].filter({ !$0.isNaN }).count < 3 {
                bounds = RDMNoiseCeiling(lower: .nan, upper: .nan)
            } else {
                bounds = (try? ceiling(vectors, groups: chosenSubjects, n: m, method: method, operation: operation,
                                       warnings: nil)) ?? RDMNoiseCeiling(lower: .nan, upper: .nan)
            }
            samples += [bounds.lower, bounds.upper]
        }
        let lowers = stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
        let uppers = stride(from: 1, to: samples.count, by: 2).map { samples[$0] }
        let lowerInterval = Inference.percentileInterval(lowers, level: level)
        let upperInterval = Inference.percentileInterval(uppers, level: level)
        return RDMNoiseCeilingInterval(estimate: estimate, lowerInterval: (lowerInterval.lower, lowerInterval.upper),
                                       upperInterval: (upperInterval.lower, upperInterval.upper),
                                       samples: Inputs.tensor(samples, shape: [resamples, 2]))
    }
}
