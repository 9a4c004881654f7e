/// Quantities derived from the singular value decomposition: pseudo-inverse, rank, condition number.
extension Linalg {
    /// The Moore–Penrose pseudo-inverse `A⁺ = V · diag(s⁺) · Uᵀ` of each matrix in `a` (numpy's `pinv`), where
    /// `s⁺ᵢ = 1 / sᵢ` for `sᵢ > rcond · max(s)` and 0 otherwise.
    /// - `a`: `[..., m, n]`; result `[..., n, m]`, float32 for float32 input, float64 otherwise.
    /// - `rcond`: relative cutoff, numpy's default `1e-15`.
    /// Throws as `svd` (`invalidShape`, `invalidArgument` for NaN or infinity, `lapack`), naming `linalg.pinv`.
    public static func pinv(_ a: Tensor, rcond: Double = 1e-15) throws -> Tensor {
        let operation = "linalg.pinv"
        let (u, s, vt) = try singularValueDecomposition(a, job: "S", operation: operation)
        let scaled = s.dtype == .float32
            ? scaledTranspose(Float.self, u, s, rcond: rcond)
            : scaledTranspose(Double.self, u, s, rcond: rcond)
        return try MatrixProduct.matmul(transposedView(of: vt), scaled, operation: operation)
    }

    /// `diag(s⁺) · Uᵀ` for each matrix: `[..., k, m]`, contiguous.
    private static func scaledTranspose<T: TensorFloat>(_: T.Type, _ u: Tensor, _ s: Tensor, rcond: Double) -> Tensor {
        let m = u.shape[u.rank - 2], k = u.shape[u.rank - 1]
        let batch = Array(u.shape.dropLast(2))
        let result = Tensor(uninitializedShape: batch + [k, m], dtype: T.dtype)
        let output = result.mutablePointer(T.self)
        let vectors = u.pointer(T.self), values = s.pointer(T.self)
        let rowStride = u.strides[u.rank - 2], columnStride = u.strides[u.rank - 1]
        let offsets = elementOffsets(shape: batch, strides: Array(u.strides.dropLast(2)), base: 0)
        for (index, start) in offsets.enumerated() {
            let singular = values + index * k
            let largest = (0..<k).map { singular[$0] }.max() ?? 0
            let cutoff = T(fromDouble: rcond) * largest
            for column in 0..<k {
                let inverse = singular[column] > cutoff ? 1 / singular[column] : 0
                for row in 0..<m {
                    output[(index * k + column) * m + row] =
                        vectors[start + row * rowStride + column * columnStride] * inverse
                }
            }
        }
        return result
    }

    /// The rank of each matrix in `a`: how many singular values exceed `tolerance` (numpy's `matrix_rank`).
    /// - `a`: `[..., m, n]` (a vector has rank 1 unless it is all zeros); result int64 of shape `[...]`.
    /// - `tolerance`: absolute; by default `max(s) · max(m, n) · eps` of the working dtype, as numpy.
    /// Throws as `svd`, naming `linalg.matrixRank`.
    public static func matrixRank(_ a: Tensor, tolerance: Double? = nil) throws -> Tensor {
        let operation = "linalg.matrixRank"
        if a.rank < 2 {
            let anyNonzero = a.astype(.float64).scalars(as: Double.self).contains { $0 != 0 }
            return Tensor(scalar: Int64(anyNonzero ? 1 : 0))
        }
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = min(m, n)
        let values = try singularValueDecomposition(a, job: "N", operation: operation).s
        let epsilon = values.dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        let singular = values.scalars(as: Double.self)
        let batch = Array(a.shape.dropLast(2))
        let ranks = (0..<batch.reduce(1, *)).map { index -> Int64 in
            let matrix = singular[(index * k)..<((index + 1) * k)]
            let threshold = tolerance ?? ((matrix.max() ?? 0) * Double(max(m, n)) * epsilon)
            return Int64(matrix.filter { $0 > threshold }.count)
        }
        return try Tensor(shape: batch, scalars: ranks)
    }

    /// The 2-norm condition number `max(s) / min(s)` of each matrix in `a` (numpy's `cond` with `p=None`):
    /// `[..., m, n]` → `[...]`; infinity for a singular matrix. Throws as `svd`, naming `linalg.cond`.
    public static func cond(_ a: Tensor) throws -> Tensor {
        let operation = "linalg.cond"
        let m = a.rank >= 2 ? a.shape[a.rank - 2] : 0, n = a.rank >= 2 ? a.shape[a.rank - 1] : 0
        let values = try singularValueDecomposition(a, job: "N", operation: operation).s
        guard min(m, n) > 0 else {
            throw TensorError(.invalidShape, operation,
                              "the condition number of an empty matrix is undefined, got shape \(formatShape(a.shape))")
        }
        let k = min(m, n)
        let singular = values.scalars(as: Double.self)
        let batch = Array(a.shape.dropLast(2))
        let ratios = (0..<batch.reduce(1, *)).map { index -> Double in
            let largest = singular[index * k], smallest = singular[index * k + k - 1]
            return smallest == 0 ? .infinity : largest / smallest
        }
        return try Tensor(shape: batch, scalars: ratios).astype(values.dtype)
    }
}
