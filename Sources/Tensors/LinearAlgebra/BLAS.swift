import CBLAS

/// The one file that calls OpenBLAS and LAPACKE. Everything here is a thin typed wrapper; shape checks, error messages
/// and layout decisions live in the callers.
enum BLAS {
    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// `C = alpha · op(A) · op(B) + beta · C` for row-major matrices, where `op` transposes when asked.
    /// `lda`, `ldb`, `ldc` are the row strides (in elements) of A, B and C as stored.
    static func gemm<T: TensorFloat>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: T,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        _ = Threads.applyToBLASOnce
        let ta = transposeA ? CblasTrans : CblasNoTrans
        let tb = transposeB ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha.doubleValue),
                        UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                        UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb), Float(beta.doubleValue),
                        UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
        } else {
            cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha.doubleValue,
                        UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                        UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb), beta.doubleValue,
                        UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
        }
    }
}
