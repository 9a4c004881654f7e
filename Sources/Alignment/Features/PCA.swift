import Tensors

/// Principal component analysis of features, fitted on training rows and applied to any rows.
public struct PCA: Sendable {
    /// How the components are computed.
    public enum Method: Sendable, Equatable {
        /// Thin SVD of the centred data (LAPACK gesdd): exact.
        case exact
        /// Randomised range finder (Halko, Martinsson & Tropp 2011, Alg. 4.4 with QR re-orthonormalisation):
        /// a Gaussian test matrix of `k + oversamples` columns (seeded), `powerIterations` rounds of `X Xᵀ`, then
        /// the SVD of the small projected matrix. Accurate when the spectrum decays; far cheaper for k ≪ p.
        case randomized(oversamples: Int = 10, powerIterations: Int = 4, seed: UInt64 = 0)
    }

    /// `[k, p]`: unit principal axes, rows in decreasing variance; each row's largest-magnitude entry is positive
    /// (a deterministic sign).
    public let components: Tensor
    /// `[p]`: training means.
    public let mean: Tensor
    /// `[k]` float64: variance along each axis (singular value² / (n − 1)), as scikit-learn.
    public let explainedVariance: Tensor
    /// `[k]` float64: `explainedVariance / total variance` of the training data.
    public let explainedVarianceRatio: Tensor

    /// Fits `components` axes to `x` `[n, p]` (rows `rows`, all when nil). Computed in x's float dtype.
    /// Throws `AlignmentError` for x not 2-d, fewer than 2 rows, `components` outside `1...min(n, p)`, bad
    /// randomised settings, or non-finite values.
    public static func fit(_ x: Tensor, components: Int, rows: [Int]? = nil, method: Method = .exact) throws -> PCA {
        let operation = "pca"
        guard x.rank == 2 else { throw AlignmentError(operation, "X must be [n, features], got shape \(formatShape(x.shape))") }
        let dtype: DType = x.dtype == .float32 ? .float32 : .float64
        let source = x.astype(dtype)
        let chosen = rows ?? Array(0..<x.shape[0])
        let n = chosen.count, p = x.shape[1]
        guard n >= 2 else { throw AlignmentError(operation, "needs at least 2 rows, got \(n)") }
        guard components >= 1 && components <= Swift.min(n, p) else {
            throw AlignmentError(operation, "components must be in 1...\(Swift.min(n, p)) (min of rows and features), "
                                    + "got \(components)")
        }
        guard try source.isFinite().all().item() != 0 else {
            throw AlignmentError(operation, "X has non-finite values")
        }
        let means = dtype == .float32 ? RidgeKernels.columnMeans(Float.self, source, rows: chosen)
            : RidgeKernels.columnMeans(Double.self, source, rows: chosen)
        let centred = dtype == .float32 ? RidgeKernels.gatherRows(Float.self, source, rows: chosen, subtracting: means)
            : RidgeKernels.gatherRows(Double.self, source, rows: chosen, subtracting: means)
        let singular: [Double], axes: Tensor
        switch method {
        case .exact:
            let (_, s, vt) = try Linalg.svd(centred)
            singular = s.astype(.float64).scalars(as: Double.self)
            axes = try vt.sliced(axis: 0, 0..<components)
        case .randomized(let oversamples, let powerIterations, let seed):
            guard oversamples >= 0 && powerIterations >= 0 else {
                throw AlignmentError(operation, "oversamples and powerIterations must be ≥ 0, got \(oversamples) and "
                                        + "\(powerIterations)")
            }
            let width = Swift.min(components + oversamples, Swift.min(n, p))
            let test = try Tensor.randomNormal([p, width], seed: seed, dtype: dtype)
            var basis = try Linalg.qr(try Tensor.matmul(centred, test)).q
            for _ in 0..<powerIterations {
                let back = try Linalg.qr(try Tensor.matmul(centred.transposed(), basis)).q
                basis = try Linalg.qr(try Tensor.matmul(centred, back)).q
            }
            let small = try Tensor.matmul(basis.transposed(), centred)
            let (_, s, vt) = try Linalg.svd(small)
            singular = s.astype(.float64).scalars(as: Double.self)
            axes = try vt.sliced(axis: 0, 0..<components)
        }
        // Deterministic signs: the largest-magnitude entry of each axis positive.
        let values = axes.astype(.float64).contiguous().scalars(as: Double.self)
        var signs = [Double](repeating: 1, count: components)
        for component in 0..<components {
            let row = values[(component * p)..<((component + 1) * p)]
            let largest = row.indices.max { abs(row[$0]) < abs(row[$1]) }!
            if row[largest] < 0 { signs[component] = -1 }
        }
        let signed = try axes * (try Tensor(signs).astype(dtype).reshaped([components, 1]))
        let total = try centred.astype(.float64).pow(Tensor(scalar: 2.0)).sum().item() / Double(n - 1)
        let variance = singular.prefix(components).map { $0 * $0 / Double(n - 1) }
        return PCA(components: signed.contiguous(), mean: Tensor(means).astype(dtype),
                   explainedVariance: Tensor(Array(variance)),
                   explainedVarianceRatio: Tensor(variance.map { total > 0 ? $0 / total : .nan }))
    }

    /// `(x − mean) · componentsᵀ`: `[m, p]` → `[m, k]`. Throws `AlignmentError` for a width other than the fit's.
    public func transform(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2 && x.shape[1] == mean.shape[0] else {
            throw AlignmentError("pca", "X must be [n, \(mean.shape[0])] as in the fit, got shape \(formatShape(x.shape))")
        }
        return try Tensor.matmul(x.astype(mean.dtype) - mean, components.transposed())
    }

    /// `scores · components + mean`: `[m, k]` → `[m, p]`. Throws `AlignmentError` for a width other than k.
    public func inverseTransform(_ scores: Tensor) throws -> Tensor {
        guard scores.rank == 2 && scores.shape[1] == components.shape[0] else {
            throw AlignmentError("pca", "scores must be [n, \(components.shape[0])], got shape \(formatShape(scores.shape))")
        }
        return try Tensor.matmul(scores.astype(mean.dtype), components) + mean
    }
}
