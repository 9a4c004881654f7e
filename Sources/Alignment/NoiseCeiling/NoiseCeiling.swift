import Foundation
import Tensors

/// How well any model could predict each target given the measurement noise, from repeated measurements.
public enum NoiseCeiling {
    /// Checks repeats `[r, n, t]` (r repetitions of n stimuli, t targets) and returns them as float64 contiguous.
    static func checkedRepeats(_ repeats: Tensor, operation: String) throws -> Tensor {
        guard repeats.rank == 3 else {
            throw AlignmentError(operation, "repeats must be [repetitions, stimuli, targets], got shape "
                                    + formatShape(repeats.shape))
        }
        guard repeats.shape[0] >= 2 else {
            throw AlignmentError(operation, "needs at least 2 repetitions, got \(repeats.shape[0])")
        }
        guard repeats.shape[1] >= 2 else { throw AlignmentError(operation, "needs at least 2 stimuli, got \(repeats.shape[1])") }
        let values = repeats.astype(.float64).contiguous()
        guard try values.isFinite().all().item() != 0 else {
            throw AlignmentError(operation, "repeats has non-finite values")
        }
        return values
    }

    /// Split-half reliability with the Spearman–Brown correction, per target:
    /// the repetitions are split into odd- and even-numbered halves, each half averaged, and the Pearson r of the
    /// two averages over stimuli corrected to the full number of repetitions, `ρ = 2r / (1 + r)`.
    /// This is the correlation a perfect model's predictions could reach against the average of all repetitions
    /// (under classical test theory). Values ≤ 0 mean no reliable signal. NaN for a constant half.
    /// - `repeats`: `[r, n, t]`, r ≥ 2. Returns `[t]` float64.
    /// Throws `AlignmentError` for another rank, r < 2, n < 2 or non-finite values.
    public static func splitHalf(_ repeats: Tensor) throws -> Tensor {
        let values = try checkedRepeats(repeats, operation: "split_half")
        let r = values.shape[0], n = values.shape[1], t = values.shape[2]
        let pointer = values.pointer(Double.self)
        var correlations = [Double](repeating: .nan, count: t)
        for target in 0..<t {
            var first = [Double](repeating: 0, count: n), second = first
            var firstCount = 0.0, secondCount = 0.0
            for repetition in 0..<r {
                let even = repetition % 2 == 0
                if even { firstCount += 1 } else { secondCount += 1 }
                for stimulus in 0..<n {
                    let value = pointer[(repetition * n + stimulus) * t + target]
                    if even { first[stimulus] += value } else { second[stimulus] += value }
                }
            }
            let a = first.map { $0 / firstCount }, b = second.map { $0 / secondCount }
            let half = pearson(a, b)
            correlations[target] = half.isNaN ? .nan : 2 * half / (1 + half)
        }
        return Tensor(correlations)
    }

    /// The noise ceiling of the Natural Scenes Dataset (Allen et al. 2022), per target:
    /// noise variance `σ²_noise = mean over stimuli of the variance across repetitions (ddof 1)`,
    /// signal variance `σ²_signal = σ²_total − σ²_noise` with `σ²_total` the variance of all responses (ddof 1),
    /// `ncsnr = √max(0, σ²_signal) / σ_noise`, and `NC = 100 · ncsnr² / (ncsnr² + 1/averaged)`: the percentage of
    /// variance a perfect model could explain in responses averaged over `averaged` repetitions.
    /// (NSD z-scores responses per session, so that `σ²_total = 1`; this general form equals it then.)
    /// - `repeats`: `[r, n, t]`; `averaged`: repetitions averaged in the data the model is scored on (default r).
    /// Returns `ncsnr` and `ceiling` (percent), `[t]` float64; NaN where the noise variance is 0.
    /// Throws as `splitHalf`, and for `averaged` < 1.
    public static func ncsnr(_ repeats: Tensor, averaged: Int? = nil) throws -> (ncsnr: Tensor, ceiling: Tensor) {
        let operation = "ncsnr"
        let values = try checkedRepeats(repeats, operation: operation)
        let r = values.shape[0], n = values.shape[1], t = values.shape[2]
        let trials = averaged ?? r
        guard trials >= 1 else { throw AlignmentError(operation, "averaged must be at least 1, got \(trials)") }
        let pointer = values.pointer(Double.self)
        var snr = [Double](repeating: .nan, count: t), ceiling = snr
        for target in 0..<t {
            var noise = 0.0, total = 0.0, grand = 0.0
            for stimulus in 0..<n {
                var mean = 0.0
                for repetition in 0..<r { mean += pointer[(repetition * n + stimulus) * t + target] }
                mean /= Double(r)
                grand += mean
                for repetition in 0..<r {
                    let deviation = pointer[(repetition * n + stimulus) * t + target] - mean
                    noise += deviation * deviation
                }
            }
            grand /= Double(n)
            for index in 0..<(r * n) {
                let deviation = pointer[index * t + target] - grand
                total += deviation * deviation
            }
            let noiseVariance = noise / Double(n * (r - 1))
            let totalVariance = total / Double(r * n - 1)
            guard noiseVariance > 0 else { continue }
            let value = Swift.max(0, totalVariance - noiseVariance).squareRoot() / noiseVariance.squareRoot()
            snr[target] = value
            ceiling[target] = 100 * value * value / (value * value + 1 / Double(trials))
        }
        return (Tensor(snr), Tensor(ceiling))
    }

    /// Inter-subject noise ceiling, per target, from subjects' responses to the same stimuli `[s, n, t]` (s ≥ 2):
    /// `lower`: mean over subjects of the Pearson r between that subject and the average of the others
    /// (leave-one-subject-out, a lower bound on what a model shared by all subjects can reach);
    /// `upper`: mean over subjects of the r between that subject and the average of all (an upper bound),
    /// as the RSA noise ceilings of Nili et al. (2014) applied to responses. Returns `[t]` float64 each.
    /// Throws as `splitHalf` with "subjects" for "repetitions".
    public static func interSubject(_ subjects: Tensor) throws -> (lower: Tensor, upper: Tensor) {
        let operation = "inter_subject_ceiling"
        guard subjects.rank == 3 && subjects.shape[0] >= 2 else {
            throw AlignmentError(operation, "subjects must be [subjects ≥ 2, stimuli, targets], got shape "
                                    + formatShape(subjects.shape))
        }
        let values = try checkedRepeats(subjects, operation: operation)
        let s = values.shape[0], n = values.shape[1], t = values.shape[2]
        let pointer = values.pointer(Double.self)
        var lower = [Double](repeating: 0, count: t), upper = lower
        for target in 0..<t {
            let series = (0..<s).map { subject in (0..<n).map { pointer[(subject * n + $0) * t + target] } }
            let total = (0..<n).map { stimulus in series.map { $0[stimulus] }.reduce(0, +) }
            for subject in 0..<s {
                let others = (0..<n).map { (total[$0] - series[subject][$0]) / Double(s - 1) }
                lower[target] += pearson(series[subject], others) / Double(s)
                upper[target] += pearson(series[subject], total.map { $0 / Double(s) }) / Double(s)
            }
        }
        return (Tensor(lower), Tensor(upper))
    }

    /// `scores / ceiling` elementwise (both `[t]`, or broadcastable), NaN where the ceiling is ≤ 0 or NaN: the
    /// fraction of the explainable signal a model reaches. Give both on the same scale (r with r, R² with R² or the
    /// NSD percentage divided by 100).
    /// Throws `AlignmentError` when the shapes do not broadcast.
    public static func normalize(_ scores: Tensor, by ceiling: Tensor) throws -> Tensor {
        do {
            let safe = try Tensor.where(ceiling .> 0, ceiling.astype(.float64), Tensor.full([], value: .nan))
            return try scores.astype(.float64) / safe
        } catch let error as TensorError {
            throw AlignmentError("normalize_by_ceiling", "scores \(formatShape(scores.shape)) and ceiling "
                                    + "\(formatShape(ceiling.shape)) do not broadcast (\(error))")
        }
    }

    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        var cross = 0.0, squaresA = 0.0, squaresB = 0.0
        for (x, y) in zip(a, b) {
            cross += (x - meanA) * (y - meanB); squaresA += (x - meanA) * (x - meanA); squaresB += (y - meanB) * (y - meanB)
        }
        return squaresA > 0 && squaresB > 0 ? cross / (squaresA * squaresB).squareRoot() : .nan
    }
}
