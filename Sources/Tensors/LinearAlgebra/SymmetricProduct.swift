extension Linalg {
    /// The symmetric rank-k update `C = alpha · op(A) · op(A)ᵀ + beta · C` (BLAS ?syrk) on caller-owned row-major
    /// buffers, `T` float32 (ssyrk) or float64 (dsyrk): the Gram matrix `A Aᵀ` (A stored `n × k`), or with
    /// `transpose` the Gram matrix `AᵀA` (A stored `k × n`), for about half the multiplications of the GEMM.
    ///
    /// - `c`: `n × n` with row stride `ldc ≥ n`. Only its `upper` (or lower) triangle, diagonal included, is read
    ///   (when `beta ≠ 0`) and written; the other triangle is left as it was.
    /// - `a`: row stride `lda` as stored (`≥ k`, or `≥ n` with `transpose`), so a block of columns inside a wider
    ///   matrix is read in place.
    ///
    /// No checks: for kernels whose callers own the sizes (all within 32 bits). Must not be called from inside a
    /// `parallelRanges` body (OpenBLAS has its own threads).
    @inlinable
    public static func syrk<T: TensorFloat>(
        upper: Bool = true, transpose: Bool, n: Int, k: Int, alpha: T = 1, a: UnsafePointer<T>, lda: Int,
        beta: T = 0, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        rawSYRK(upper: upper, transpose: transpose, n: n, k: k, alpha: alpha, a: a, lda: lda, beta: beta, c: c,
                ldc: ldc)
    }

    @usableFromInline
    static func rawSYRK<T: TensorFloat>(
        upper: Bool, transpose: Bool, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int, beta: T,
        c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        guard n > 0 else { return }
        BLAS.syrk(upper: upper, transpose: transpose, n: n, k: k, alpha: alpha, a: a, lda: lda, beta: beta, c: c,
                  ldc: ldc)
    }
}
