import Tensors

/// Column centring and scaling learned on training rows only and applied unchanged to any rows, so that test
/// statistics never leak into a model: `transform(x) = (x − mean) / scale`.
///
/// `scale` is the training standard deviation (with `ddof`), replaced by 1 for constant columns (scikit-learn's
/// `StandardScaler` convention: such columns are centred, not blown up).
public struct Standardizer: Sendable {
    /// `[p]` float64: training means (zeros when not centring).
    public let mean: Tensor
    /// `[p]` float64: training standard deviations (ones when not scaling, or for constant columns).
    public let scale: Tensor

    /// Learns means and standard deviations of `x` `[n, p]` over `rows` (all rows when nil).
    /// - `center`, `scale`: whether to subtract the mean and divide by the standard deviation.
    /// - `ddof`: delta degrees of freedom of the standard deviation (0 as scikit-learn, 1 for the sample estimate).
    /// Throws `AlignmentError` for `x` not 2-d, an empty or out-of-range row list, non-finite values in the
    /// training rows, or `ddof` ≥ the number of rows.
    public static func fit(_ x: Tensor, rows: [Int]? = nil, center: Bool = true, scale: Bool = true, ddof: Int = 0)
        throws -> Standardizer
    {
        let operation = "standardize"
        guard x.rank == 2 else { throw AlignmentError(operation, "X must be [n, features], got shape \(formatShape(x.shape))") }
        let n = x.shape[0], p = x.shape[1]
        let chosen = rows ?? Array(0..<n)
        guard !chosen.isEmpty else { throw AlignmentError(operation, "no training rows") }
        if let bad = chosen.first(where: { $0 < 0 || $0 >= n }) {
            throw AlignmentError(operation, "training row \(bad) is outside 0..<\(n)")
        }
        guard ddof >= 0 && ddof < chosen.count else {
            throw AlignmentError(operation, "ddof must be in 0..<\(chosen.count) (the training rows), got \(ddof)")
        }
        let values = x.astype(.float64)
        let means = RidgeKernels.columnMeans(Double.self, values, rows: chosen)
        if let column = means.firstIndex(where: { !$0.isFinite }) {
            throw AlignmentError(operation, "X has a non-finite value in column \(column) of the training rows")
        }
        var deviations = [Double](repeating: 1, count: p)
        if scale {
            let centred = RidgeKernels.gatherRows(Double.self, values, rows: chosen, subtracting: means)
            let pointer = centred.pointer(Double.self)
            var squares = [Double](repeating: 0, count: p)
            for row in 0..<chosen.count {
                for column in 0..<p { squares[column] += pointer[row * p + column] * pointer[row * p + column] }
            }
            deviations = squares.map { sum in
                let deviation = (sum / Double(chosen.count - ddof)).squareRoot()
                return deviation > 0 ? deviation : 1
            }
        }
        return Standardizer(mean: Tensor(center ? means : [Double](repeating: 0, count: p)), scale: Tensor(deviations))
    }

    /// `(x − mean) / scale` for `x` `[m, p]`, in x's float dtype (float64 for integer input).
    /// Throws `AlignmentError` when x is not 2-d or has a different number of columns than the fit.
    public func transform(_ x: Tensor) throws -> Tensor {
        try check(x)
        let dtype: DType = x.dtype == .float32 ? .float32 : .float64
        return try (x.astype(dtype) - mean.astype(dtype)) / scale.astype(dtype)
    }

    /// `x · scale + mean`: undoes `transform`. Throws as `transform`.
    public func inverseTransform(_ x: Tensor) throws -> Tensor {
        try check(x)
        let dtype: DType = x.dtype == .float32 ? .float32 : .float64
        return try x.astype(dtype) * scale.astype(dtype) + mean.astype(dtype)
    }

    private func check(_ x: Tensor) throws {
        guard x.rank == 2 && x.shape[1] == mean.shape[0] else {
            throw AlignmentError("standardize",
                                 "X must be [n, \(mean.shape[0])] as in the fit, got shape \(formatShape(x.shape))")
        }
    }
}
