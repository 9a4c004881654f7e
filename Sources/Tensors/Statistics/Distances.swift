/// How far apart two vectors u and v of length d are (scipy.spatial.distance names in parentheses).
public enum DistanceMetric: String, Sendable, CaseIterable {
    /// `sqrt(Σ (u - v)²)` (`euclidean`).
    case euclidean
    /// `Σ (u - v)²` (`sqeuclidean`).
    case squaredEuclidean
    /// `1 - (u - ū)·(v - v̄) / (‖u - ū‖ ‖v - v̄‖)`, one minus Pearson's r (`correlation`); NaN for a constant vector.
    case correlation
    /// `1 - u·v / (‖u‖ ‖v‖)` (`cosine`); NaN for a zero vector.
    case cosine
}

extension Statistics {
    /// Distances between every row of `x` and every row of `y` (scipy.spatial.distance.cdist).
    ///
    /// All metrics go through one matrix product (OpenBLAS gemm) in float64. For the Euclidean metrics,
    /// `‖u‖² + ‖v‖² - 2 u·v` cancels badly when u and v are close, so every pair with `‖u - v‖² < 10⁻³ (‖u‖² + ‖v‖²)`
    /// is recomputed directly as `Σ (u - v)²`; the relative error then stays near 10⁻¹² instead of growing without
    /// bound. Correlation and cosine distances are clamped to [0, 2].
    ///
    /// - Parameters: `x` `[n, d]`, `y` `[m, d]`, any dtypes.
    /// - Returns: `[n, m]`; float32 when both inputs are float32, float64 otherwise.
    /// - Throws: `invalidShape` when an input is not 2-D or the feature counts d differ.
    public static func crossDistances(_ x: Tensor, _ y: Tensor, metric: DistanceMetric = .euclidean) throws -> Tensor {
        let operation = "crossDistances"
        guard x.rank == 2 && y.rank == 2 else {
            throw TensorError(.invalidShape, operation,
                              "expects 2-D tensors [n, d] and [m, d], got \(formatShape(x.shape)) and \(formatShape(y.shape))")
        }
        guard x.shape[1] == y.shape[1] else {
            throw TensorError(.invalidShape, operation, "\(formatShape(x.shape)) and \(formatShape(y.shape)): "
                              + "feature counts \(x.shape[1]) and \(y.shape[1]) differ")
        }
        let distances = try distanceMatrix(x, y, metric: metric, operation: operation)
        return distances.astype(resultType(x, y))
    }

    /// Distances between every pair of rows of `x`: `squareform(pdist(x, metric))` in scipy. The result is exactly
    /// symmetric (each pair computed once) with an exact zero diagonal, also for constant or zero rows.
    ///
    /// - Parameters: `x` `[n, d]`, any dtype.
    /// - Returns: `[n, n]`; float32 for float32 input, float64 otherwise.
    /// - Throws: `invalidShape` when `x` is not 2-D.
    public static func pairwiseDistances(_ x: Tensor, metric: DistanceMetric = .euclidean) throws -> Tensor {
        let operation = "pairwiseDistances"
        guard x.rank == 2 else {
            throw TensorError(.invalidShape, operation, "expects a 2-D tensor [n, d], got \(formatShape(x.shape))")
        }
        let distances = try distanceMatrix(x, x, metric: metric, operation: operation)
        let n = x.shape[0]
        let values = distances.mutablePointer(Double.self)
        for row in 0..<n {
            values[row * n + row] = 0
            for column in (row + 1)..<max(row + 1, n) { values[column * n + row] = values[row * n + column] }
        }
        return distances.astype(x.dtype.floatingPointResult)
    }

    /// The float64 `[n, m]` distance matrix of the rows of `x` and `y` (shapes already checked).
    private static func distanceMatrix(_ x: Tensor, _ y: Tensor, metric: DistanceMetric,
                                       operation: String) throws -> Tensor {
        try requireBLASSize([x.shape, y.shape], operation: operation)
        let (n, m, features) = (x.shape[0], y.shape[0], x.shape[1])
        let result = Tensor(uninitializedShape: [n, m], dtype: .float64)
        if n == 0 || m == 0 { return result }
        let output = result.mutablePointer(Double.self)
        if features == 0 {
            // Empty vectors: every Euclidean distance is 0; correlation and cosine are undefined.
            let value: Double = metric == .euclidean || metric == .squaredEuclidean ? 0 : .nan
            output.update(repeating: value, count: n * m)
            return result
        }
        switch metric {
        case .euclidean, .squaredEuclidean:
            let left = float64Contiguous(x), right = float64Contiguous(y)
            let u = left.pointer(Double.self), v = right.pointer(Double.self)
            let leftNorms = squaredRowNorms(u, rows: n, columns: features)
            let rightNorms = squaredRowNorms(v, rows: m, columns: features)
            BLAS.gemm(transposeA: false, transposeB: true, m: n, n: m, k: features, alpha: -2.0, a: u, lda: features,
                      b: v, ldb: features, beta: 0, c: output, ldc: m)
            let squareRoot = metric == .euclidean
            let (first, second, out) = (SendablePointer(u), SendablePointer(v), SendablePointer(output))
            try parallelRanges(n, grain: m, operation: operation) { rows in
                for row in rows {
                    for column in 0..<m {
                        let norms = leftNorms[row] + rightNorms[column]
                        var squared = norms + out.base[row * m + column]
                        if squared < 1e-3 * norms || !squared.isFinite {
                            squared = 0
                            let a = first.base + row * features, b = second.base + column * features
                            for feature in 0..<features {
                                let difference = a[feature] - b[feature]
                                squared += difference * difference
                            }
                        }
                        out.base[row * m + column] = squareRoot ? squared.squareRoot() : squared
                    }
                }
            }
        case .correlation, .cosine:
            // Rows centred (correlation only) and scaled to unit norm: the distance is 1 - their dot product.
            let center = metric == .correlation
            let left = try unitRows(x, center: center, operation: operation)
            let right = try unitRows(y, center: center, operation: operation)
            BLAS.gemm(transposeA: false, transposeB: true, m: n, n: m, k: features, alpha: 1.0,
                      a: left.pointer(Double.self), lda: features, b: right.pointer(Double.self), ldb: features,
                      beta: 0, c: output, ldc: m)
            for index in 0..<(n * m) {
                let distance = 1 - output[index]
                output[index] = distance.isNaN ? distance : Swift.min(2, Swift.max(0, distance))
            }
        }
        return result
    }

    private static func squaredRowNorms(_ values: UnsafePointer<Double>, rows: Int, columns: Int) -> [Double] {
        (0..<rows).map { row in
            var sum = 0.0
            for column in 0..<columns { sum += values[row * columns + column] * values[row * columns + column] }
            return sum
        }
    }

    /// Rows scaled to unit Euclidean norm, first centred when `center`; NaN rows when the norm is zero (a constant
    /// row when centring). A row is constant only when all its values are equal, tested exactly.
    private static func unitRows(_ x: Tensor, center: Bool, operation: String) throws -> Tensor {
        let source = float64Contiguous(x)
        let result = Tensor(uninitializedShape: x.shape, dtype: .float64)
        let (rows, columns) = (x.shape[0], x.shape[1])
        let input = SendablePointer(source.pointer(Double.self))
        let output = SendablePointer(result.mutablePointer(Double.self))
        try parallelRanges(rows, grain: columns, operation: operation) { range in
            for row in range {
                let u = input.base + row * columns, out = output.base + row * columns
                var mean = 0.0
                var constant = true
                if center {
                    for column in 0..<columns {
                        mean += u[column]
                        if u[column] != u[0] { constant = false }
                    }
                    mean /= Double(columns)
                }
                var squares = 0.0
                for column in 0..<columns { squares += (u[column] - mean) * (u[column] - mean) }
                let scale = (center && constant) || squares == 0 ? Double.nan : 1 / squares.squareRoot()
                for column in 0..<columns { out[column] = (u[column] - mean) * scale }
            }
        }
        return result
    }
}
