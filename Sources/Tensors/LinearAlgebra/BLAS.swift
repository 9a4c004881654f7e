import CBLAS
import Glibc

/// The one file that calls OpenBLAS and LAPACKE. Everything here is a thin typed wrapper; shape checks, error messages
/// and layout decisions live in the callers.
///
/// Callers guarantee that every size passed here fits in 32 bits (`Linalg.checkIndexRange`), since the
/// Debian OpenBLAS and LAPACKE use 32-bit integers.
enum BLAS {
    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// Idle OpenBLAS workers busy-wait (`sched_yield`) for 2^28 cycles, about 0.1 s, after every threaded call before
    /// they sleep. bm's own kernel threads run between BLAS calls (a transformer block alternates GEMMs with
    /// attention, GELU and LayerNorm kernels), so that spinning took cores from them: about 30 % of a small ViT's
    /// forward samples, and forward times that varied 2.6× from run to run on an idle machine. Unless the user set
    /// `OPENBLAS_THREAD_TIMEOUT` (log2 of the cycles), bm sets 2^16 cycles (about 25 µs, still enough for
    /// back-to-back calls): the library reads its environment only when loaded, so it is read again and the pool
    /// restarted with the new limit. Called once, before bm's first BLAS call.
    static func limitIdleSpinning() {
        guard getenv("OPENBLAS_THREAD_TIMEOUT") == nil else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", "16", 0)
        openblas_read_env()
        _ = blas_thread_shutdown_()
    }

    /// The idle workers' spin limit OpenBLAS holds, as log2 of cycles (0 when the environment never set one).
    static var idleSpinLimit: Int { Int(openblas_thread_timeout()) }

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
                        float(a), Int32(lda), float(b), Int32(ldb), Float(beta.doubleValue),
                        float(c), Int32(ldc))
        } else {
            cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha.doubleValue,
                        double(a), Int32(lda), double(b), Int32(ldb), beta.doubleValue,
                        double(c), Int32(ldc))
        }
    }

    /// `C = alpha · op(A) · op(A)ᵀ + beta · C` on one triangle of the row-major `n × n` C (row stride `ldc`):
    /// `op(A) = A` stored `n × k`, or with `transpose` `op(A) = Aᵀ` for A stored `k × n` (row stride `lda` as
    /// stored). Only the `upper` (or lower) triangle, diagonal included, is read and written.
    static func syrk<T: TensorFloat>(
        upper: Bool, transpose: Bool, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int, beta: T,
        c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        _ = Threads.applyToBLASOnce
        let uplo = upper ? CblasUpper : CblasLower
        let trans = transpose ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            cblas_ssyrk(CblasRowMajor, uplo, trans, Int32(n), Int32(k), Float(alpha.doubleValue), float(a),
                        Int32(lda), Float(beta.doubleValue), float(c), Int32(ldc))
        } else {
            cblas_dsyrk(CblasRowMajor, uplo, trans, Int32(n), Int32(k), alpha.doubleValue, double(a), Int32(lda),
                        beta.doubleValue, double(c), Int32(ldc))
        }
    }

    /// `y = op(A) · x` for a row-major `rows × columns` matrix A (row stride `lda`); `x` steps by `incx`, `y` is
    /// contiguous.
    static func gemv<T: TensorFloat>(
        transpose: Bool, rows: Int, columns: Int, a: UnsafePointer<T>, lda: Int,
        x: UnsafePointer<T>, incx: Int, y: UnsafeMutablePointer<T>
    ) {
        _ = Threads.applyToBLASOnce
        let trans = transpose ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            cblas_sgemv(CblasRowMajor, trans, Int32(rows), Int32(columns), 1, float(a), Int32(lda),
                        float(x), Int32(incx), 0, float(y), 1)
        } else {
            cblas_dgemv(CblasRowMajor, trans, Int32(rows), Int32(columns), 1, double(a), Int32(lda),
                        double(x), Int32(incx), 0, double(y), 1)
        }
    }

    /// `Σ x[i·incx] · y[i·incy]` over `count` elements; both increments positive.
    static func dot<T: TensorFloat>(count: Int, x: UnsafePointer<T>, incx: Int, y: UnsafePointer<T>, incy: Int) -> T {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return T(fromDouble: Double(cblas_sdot(Int32(count), float(x), Int32(incx), float(y), Int32(incy))))
        }
        return T(fromDouble: cblas_ddot(Int32(count), double(x), Int32(incx), double(y), Int32(incy)))
    }

    /// `sqrt(Σ x[i·incx]²)` computed without overflow or underflow (scaled, as BLAS's ?nrm2 does).
    static func norm2<T: TensorFloat>(count: Int, x: UnsafePointer<T>, incx: Int) -> T {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return T(fromDouble: Double(cblas_snrm2(Int32(count), float(x), Int32(incx))))
        }
        return T(fromDouble: cblas_dnrm2(Int32(count), double(x), Int32(incx)))
    }
}

/// LAPACK routines through LAPACKE's `_work` interface in column-major layout, which passes straight through to
/// Fortran LAPACK without the transposing copies that LAPACKE's row-major mode makes. Callers lay matrices out so that
/// a row-major buffer is read as its column-major transpose (see `Linalg`). Each function returns LAPACK's `info`:
/// 0 on success, `-i` when argument `i` is invalid, a positive routine-specific code otherwise. Passing `lwork = -1`
/// makes the routine write its optimal workspace size into `work[0]` (and `iwork[0]`) instead of computing.
enum LAPACK {
    /// `A = U · diag(S) · Vᵀ` by divide and conquer (?gesdd). `job`: "A" full, "S" thin, "N" values only.
    static func gesdd<T: TensorFloat>(
        job: Character, m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int, s: UnsafeMutablePointer<T>,
        u: UnsafeMutablePointer<T>?, ldu: Int, vt: UnsafeMutablePointer<T>?, ldvt: Int,
        work: UnsafeMutablePointer<T>, lwork: Int, iwork: UnsafeMutablePointer<Int32>
    ) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_sgesdd_work(columnMajor, char(job), Int32(m), Int32(n), float(a), Int32(lda), float(s),
                                           u.map(float), Int32(ldu), vt.map(float), Int32(ldvt), float(work),
                                           Int32(lwork), iwork))
        }
        return Int(LAPACKE_dgesdd_work(columnMajor, char(job), Int32(m), Int32(n), double(a), Int32(lda), double(s),
                                       u.map(double), Int32(ldu), vt.map(double), Int32(ldvt), double(work),
                                       Int32(lwork), iwork))
    }

    /// Eigenvalues (ascending) and, for `job` "V", eigenvectors of a symmetric matrix (?syevd), reading triangle `uplo`.
    static func syevd<T: TensorFloat>(
        job: Character, uplo: Character, n: Int, a: UnsafeMutablePointer<T>, lda: Int, w: UnsafeMutablePointer<T>,
        work: UnsafeMutablePointer<T>, lwork: Int, iwork: UnsafeMutablePointer<Int32>, liwork: Int
    ) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_ssyevd_work(columnMajor, char(job), char(uplo), Int32(n), float(a), Int32(lda),
                                           float(w), float(work), Int32(lwork), iwork, Int32(liwork)))
        }
        return Int(LAPACKE_dsyevd_work(columnMajor, char(job), char(uplo), Int32(n), double(a), Int32(lda),
                                       double(w), double(work), Int32(lwork), iwork, Int32(liwork)))
    }

    /// Cholesky factor of a symmetric positive definite matrix (?potrf), in place in triangle `uplo`.
    static func potrf<T: TensorFloat>(uplo: Character, n: Int, a: UnsafeMutablePointer<T>, lda: Int) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_spotrf_work(columnMajor, char(uplo), Int32(n), float(a), Int32(lda)))
        }
        return Int(LAPACKE_dpotrf_work(columnMajor, char(uplo), Int32(n), double(a), Int32(lda)))
    }

    /// LU factorisation with partial pivoting (?getrf); `ipiv` is 1-based.
    static func getrf<T: TensorFloat>(m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int,
                                      ipiv: UnsafeMutablePointer<Int32>) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_sgetrf_work(columnMajor, Int32(m), Int32(n), float(a), Int32(lda), ipiv))
        }
        return Int(LAPACKE_dgetrf_work(columnMajor, Int32(m), Int32(n), double(a), Int32(lda), ipiv))
    }

    /// Inverse from an LU factorisation (?getri).
    static func getri<T: TensorFloat>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, ipiv: UnsafePointer<Int32>,
                                      work: UnsafeMutablePointer<T>, lwork: Int) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_sgetri_work(columnMajor, Int32(n), float(a), Int32(lda), ipiv, float(work),
                                           Int32(lwork)))
        }
        return Int(LAPACKE_dgetri_work(columnMajor, Int32(n), double(a), Int32(lda), ipiv, double(work),
                                       Int32(lwork)))
    }

    /// Solves `op(A) · X = B` from an LU factorisation (?getrs); `transpose` selects `op(A) = Aᵀ`.
    static func getrs<T: TensorFloat>(transpose: Bool, n: Int, nrhs: Int, a: UnsafePointer<T>, lda: Int,
                                      ipiv: UnsafePointer<Int32>, b: UnsafeMutablePointer<T>, ldb: Int) -> Int {
        _ = Threads.applyToBLASOnce
        let trans = char(transpose ? "T" : "N")
        if T.self == Float.self {
            return Int(LAPACKE_sgetrs_work(columnMajor, trans, Int32(n), Int32(nrhs), float(a), Int32(lda), ipiv,
                                           float(b), Int32(ldb)))
        }
        return Int(LAPACKE_dgetrs_work(columnMajor, trans, Int32(n), Int32(nrhs), double(a), Int32(lda), ipiv,
                                       double(b), Int32(ldb)))
    }

    /// Minimum-norm least squares by SVD divide and conquer (?gelsd); singular values `<= rcond · s[0]` count as 0.
    static func gelsd<T: TensorFloat>(
        m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<T>, lda: Int, b: UnsafeMutablePointer<T>, ldb: Int,
        s: UnsafeMutablePointer<T>, rcond: T, rank: inout Int, work: UnsafeMutablePointer<T>, lwork: Int,
        iwork: UnsafeMutablePointer<Int32>
    ) -> Int {
        _ = Threads.applyToBLASOnce
        var rank32: Int32 = 0
        let info: Int32
        if T.self == Float.self {
            info = LAPACKE_sgelsd_work(columnMajor, Int32(m), Int32(n), Int32(nrhs), float(a), Int32(lda), float(b),
                                       Int32(ldb), float(s), Float(rcond.doubleValue), &rank32, float(work),
                                       Int32(lwork), iwork)
        } else {
            info = LAPACKE_dgelsd_work(columnMajor, Int32(m), Int32(n), Int32(nrhs), double(a), Int32(lda),
                                       double(b), Int32(ldb), double(s), rcond.doubleValue, &rank32, double(work),
                                       Int32(lwork), iwork)
        }
        rank = Int(rank32)
        return Int(info)
    }

    /// QR factorisation `A = Q · R` (?geqrf): R in the upper trapezoid, Q as reflectors below the diagonal and `tau`.
    static func geqrf<T: TensorFloat>(m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int,
                                      tau: UnsafeMutablePointer<T>, work: UnsafeMutablePointer<T>, lwork: Int) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_sgeqrf_work(columnMajor, Int32(m), Int32(n), float(a), Int32(lda), float(tau),
                                           float(work), Int32(lwork)))
        }
        return Int(LAPACKE_dgeqrf_work(columnMajor, Int32(m), Int32(n), double(a), Int32(lda), double(tau),
                                       double(work), Int32(lwork)))
    }

    /// The `m × n` matrix Q with orthonormal columns from ?geqrf's reflectors (?orgqr).
    static func orgqr<T: TensorFloat>(m: Int, n: Int, k: Int, a: UnsafeMutablePointer<T>, lda: Int,
                                      tau: UnsafePointer<T>, work: UnsafeMutablePointer<T>, lwork: Int) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_sorgqr_work(columnMajor, Int32(m), Int32(n), Int32(k), float(a), Int32(lda),
                                           float(tau), float(work), Int32(lwork)))
        }
        return Int(LAPACKE_dorgqr_work(columnMajor, Int32(m), Int32(n), Int32(k), double(a), Int32(lda),
                                       double(tau), double(work), Int32(lwork)))
    }

    /// LQ factorisation `A = L · Q` (?gelqf): L in the lower trapezoid, Q as reflectors right of the diagonal and `tau`.
    static func gelqf<T: TensorFloat>(m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int,
                                      tau: UnsafeMutablePointer<T>, work: UnsafeMutablePointer<T>, lwork: Int) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_sgelqf_work(columnMajor, Int32(m), Int32(n), float(a), Int32(lda), float(tau),
                                           float(work), Int32(lwork)))
        }
        return Int(LAPACKE_dgelqf_work(columnMajor, Int32(m), Int32(n), double(a), Int32(lda), double(tau),
                                       double(work), Int32(lwork)))
    }

    /// The `m × n` matrix Q with orthonormal rows from ?gelqf's reflectors (?orglq).
    static func orglq<T: TensorFloat>(m: Int, n: Int, k: Int, a: UnsafeMutablePointer<T>, lda: Int,
                                      tau: UnsafePointer<T>, work: UnsafeMutablePointer<T>, lwork: Int) -> Int {
        _ = Threads.applyToBLASOnce
        if T.self == Float.self {
            return Int(LAPACKE_sorglq_work(columnMajor, Int32(m), Int32(n), Int32(k), float(a), Int32(lda),
                                           float(tau), float(work), Int32(lwork)))
        }
        return Int(LAPACKE_dorglq_work(columnMajor, Int32(m), Int32(n), Int32(k), double(a), Int32(lda),
                                       double(tau), double(work), Int32(lwork)))
    }

    private static let columnMajor = Int32(LAPACK_COL_MAJOR)
    private static func char(_ value: Character) -> CChar { CChar(bitPattern: value.asciiValue!) }
}

// Reinterpretations for the dispatch above: `T` is `Float` or `Double`, checked at the call.
@inline(__always) private func float<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}
@inline(__always) private func float<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}
@inline(__always) private func double<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Double> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Double.self)
}
@inline(__always) private func double<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
}
