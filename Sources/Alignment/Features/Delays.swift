import Tensors

/// Finite-impulse-response time delays of features, as the `Delayer` of the voxelwise-modelling tutorials
/// (himalaya / Gallant lab): one shifted copy of X per delay, concatenated along features, zero-padded.
public enum Delays {
    /// `[n, p · d]`: block j (columns `j·p ..< (j+1)·p`) is X delayed by `delays[j]` samples,
    /// `out[t, j·p + i] = x[t − delays[j], i]` (0 where `t − delays[j]` is outside `0..<n`); a negative delay shifts
    /// the other way. Delays in the given order (the tutorials use `[1, 2, 3, 4]` at a TR of 2 s).
    /// Throws `AlignmentError` for x not 2-d or an empty delay list.
    public static func delays(_ x: Tensor, _ delays: [Int]) throws -> Tensor {
        let operation = "delays"
        guard x.rank == 2 else { throw AlignmentError(operation, "X must be [n, features], got shape \(formatShape(x.shape))") }
        guard !delays.isEmpty else { throw AlignmentError(operation, "delays is empty") }
        let n = x.shape[0], p = x.shape[1]
        let dtype: DType = x.dtype == .float32 ? .float32 : .float64
        var result = try Tensor.zeros([n, p * delays.count], dtype: dtype)
        for (block, delay) in delays.enumerated() {
            let lower = Swift.max(0, delay), upper = Swift.min(n, n + delay)   // destination rows
            guard lower < upper else { continue }
            let source = try x.sliced(axis: 0, (lower - delay)..<(upper - delay)).astype(dtype)
            try result.set([.slice(start: lower, stop: upper, step: 1),
                            .slice(start: block * p, stop: (block + 1) * p, step: 1)], to: source)
        }
        return result
    }
}
