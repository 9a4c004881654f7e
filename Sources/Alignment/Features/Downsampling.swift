import Tensors

/// Bringing feature time series (one row per stimulus frame or word) to the fMRI sampling (one row per TR).
public enum Downsampling {
    /// Averages the rows whose time falls in each TR bin: `out[i] = mean{ x[r] : i·tr ≤ times[r] − start < (i+1)·tr }`.
    ///
    /// Averaging within the bin is a box filter: it removes most of the frequencies above the TR's Nyquist limit that
    /// plain subsampling would alias, and is exact for events (word onsets) that do not lie on a regular grid. The
    /// voxelwise tutorials' Lanczos interpolation is smoother in frequency but needs a regular input grid; bin
    /// averaging was chosen for that generality. A bin that holds no rows is NaN (there is no feature value for it):
    /// callers decide whether that means 0 (no word) or interpolation.
    ///
    /// - `x`: `[m, p]`; `times`: `[m]` seconds (any order); `tr` > 0; `count`: number of TRs; `start`: time of the
    ///   first TR bin's left edge. Rows outside `[start, start + count·tr)` are ignored.
    /// Returns `[count, p]` float64 (float32 for float32 input).
    /// Throws `AlignmentError` for x not 2-d, `times` of another length or non-finite, tr ≤ 0, count < 0.
    public static func averageToTR(_ x: Tensor, times: [Double], tr: Double, count: Int, start: Double = 0) throws
        -> Tensor
    {
        let operation = "downsample"
        guard x.rank == 2 else { throw AlignmentError(operation, "X must be [n, features], got shape \(formatShape(x.shape))") }
        guard times.count == x.shape[0] else {
            throw AlignmentError(operation, "times has \(times.count) entries for \(x.shape[0]) rows")
        }
        guard times.allSatisfy(\.isFinite) else { throw AlignmentError(operation, "times must be finite") }
        guard tr > 0 && tr.isFinite else { throw AlignmentError(operation, "tr must be > 0, got \(tr)") }
        guard count >= 0 else { throw AlignmentError(operation, "count must be ≥ 0, got \(count)") }
        let p = x.shape[1]
        let values = x.astype(.float64).contiguous()
        let input = values.pointer(Double.self)
        var sums = [Double](repeating: 0, count: count * p)
        var members = [Int](repeating: 0, count: count)
        for (row, time) in times.enumerated() {
            let bin = ((time - start) / tr).rounded(.down)
            guard bin >= 0 && bin < Double(count) else { continue }
            let index = Int(bin)
            members[index] += 1
            for column in 0..<p { sums[index * p + column] += input[row * p + column] }
        }
        for index in 0..<count {
            for column in 0..<p {
                sums[index * p + column] = members[index] > 0 ? sums[index * p + column] / Double(members[index]) : .nan
            }
        }
        return try Tensor(shape: [count, p], scalars: sums).astype(x.dtype == .float32 ? .float32 : .float64)
    }
}
