/// Singular value and symmetric eigenvalue decompositions (LAPACK ?gesdd and ?syevd, as numpy uses).
extension Linalg {
    /// The singular value decomposition `A = U · diag(S) · Vᵀ` of each matrix in `a`, with numpy's
    /// `svd(a, full_matrices=…)` shapes:
    /// - `a`: `[..., m, n]`, any dtype (int64/bool computed in float64); `k = min(m, n)`.
    /// - thin (`fullMatrices: false`, the default): `u [..., m, k]`, `s [..., k]`, `vt [..., k, n]`.
    /// - full: `u [..., m, m]`, `s [..., k]`, `vt [..., n, n]`.
    /// - `s` is non-negative and descending; the signs of paired singular vectors are arbitrary (as in LAPACK).
    ///
    /// Runs ?gesdd, numpy's routine, which is fastest on a tall matrix. For a wide or square `a`, the row-major
    /// buffer already is the tall column-major Aᵀ, whose SVD `V · S · Uᵀ` gives `u` and `vt` contiguous without any
    /// transposition; a tall `a` is copied transposed (as numpy copies every input) and its factors are returned as
    /// transposed views. Either way the input is copied once, because LAPACK overwrites it.
    /// Throws `invalidShape` for rank below 2, `invalidArgument` for NaN or infinity, `lapack` when ?gesdd does not
    /// converge.
    public static func svd(_ a: Tensor, fullMatrices: Bool = false) throws -> (u: Tensor, s: Tensor, vt: Tensor) {
        try singularValueDecomposition(a, job: fullMatrices ? "A" : "S", operation: "linalg.svd")
    }

    /// The singular values of each matrix in `a` (`[..., m, n]` → `[..., min(m, n)]`, descending), as numpy's
    /// `svdvals`; cheaper than `svd` because no vectors are formed. Throws as `svd`.
    public static func svdvals(_ a: Tensor) throws -> Tensor {
        try singularValueDecomposition(a, job: "N", operation: "linalg.svdvals").s
    }

    static func singularValueDecomposition(_ a: Tensor, job: Character, operation: String) throws
        -> (u: Tensor, s: Tensor, vt: Tensor)
    {
        let (batch, m, n) = try matrixShape(a, operation: operation)
        let direct = m > n
        let input = try lapackInput(direct ? transposedView(of: a) : a, operation: operation)
        if input.dtype == .float32 {
            return try singularValueDecomposition(Float.self, input, direct: direct, batch: batch, m: m, n: n, job: job,
                                                  operation: operation)
        }
        return try singularValueDecomposition(Double.self, input, direct: direct, batch: batch, m: m, n: n, job: job,
                                              operation: operation)
    }

    /// `input` is A in column-major order when `direct`, otherwise the row-major A (LAPACK's Aᵀ).
    private static func singularValueDecomposition<T: TensorFloat>(
        _: T.Type, _ input: Tensor, direct: Bool, batch: [Int], m: Int, n: Int, job: Character, operation: String
    ) throws -> (u: Tensor, s: Tensor, vt: Tensor) {
        let k = min(m, n)
        let full = job == "A", vectors = job != "N"
        let count = batch.reduce(1, *)
        // LAPACK factors its M × N matrix as U · S · VT, with U: M × leftColumns and VT: rightRows × N.
        let rows = direct ? m : n, columns = direct ? n : m
        let leftColumns = full ? rows : k, rightRows = full ? columns : k
        // Column-major U and VT, each read row-major as its transpose.
        let left = Tensor(uninitializedShape: batch + (vectors ? [leftColumns, rows] : [0]), dtype: T.dtype)
        let right = Tensor(uninitializedShape: batch + (vectors ? [columns, rightRows] : [0]), dtype: T.dtype)
        let s = Tensor(uninitializedShape: batch + [k], dtype: T.dtype)
        // A = (LAPACK's matrix)ᵀ when not direct, so then U and V trade places.
        func factors() -> (u: Tensor, s: Tensor, vt: Tensor) {
            guard vectors else { return (left, s, right) }
            return direct ? (transposedView(of: left), s, transposedView(of: right)) : (right, s, left)
        }
        if count == 0 { return factors() }
        if k == 0 {
            // No singular values; full factors of an empty matrix are identities, as numpy returns.
            if vectors {
                fillIdentity(left, T.self, rows: leftColumns, columns: rows)
                fillIdentity(right, T.self, rows: columns, columns: rightRows)
            }
            return factors()
        }
        let matrix = input.mutablePointer(T.self)
        let values = s.mutablePointer(T.self)
        let leftBase: UnsafeMutablePointer<T>? = vectors ? left.mutablePointer(T.self) : nil
        let rightBase: UnsafeMutablePointer<T>? = vectors ? right.mutablePointer(T.self) : nil
        let leftLeading = vectors ? rows : 1, rightLeading = vectors ? rightRows : 1
        let name = routine("gesdd", T.self)
        try withScratch(Int32.self, count: 8 * k) { integerWork in
            var query = T.zero
            let queryInfo = LAPACK.gesdd(job: job, m: rows, n: columns, a: matrix, lda: rows, s: values, u: leftBase,
                                         ldu: leftLeading, vt: rightBase, ldvt: rightLeading, work: &query,
                                         lwork: -1, iwork: integerWork)
            guard queryInfo == 0 else {
                throw lapackFailure(name, info: queryInfo, rows: m, columns: n, operation: operation)
            }
            let workSize = workspaceSize(query)
            try withScratch(T.self, count: workSize) { work in
                for index in 0..<count {
                    try Cancellation.check(operation)
                    let info = LAPACK.gesdd(job: job, m: rows, n: columns, a: matrix + index * m * n, lda: rows,
                                            s: values + index * k, u: leftBase.map { $0 + index * rows * leftColumns },
                                            ldu: leftLeading, vt: rightBase.map { $0 + index * rightRows * columns },
                                            ldvt: rightLeading, work: work, lwork: workSize, iwork: integerWork)
                    if info > 0 {
                        throw TensorError(.lapack, operation,
                                          "singular value decomposition did not converge for a matrix of shape "
                                              + formatShape([m, n]))
                    }
                    if info < 0 { throw lapackFailure(name, info: info, rows: m, columns: n, operation: operation) }
                }
            }
        }
        return factors()
    }

    /// Eigenvalues and eigenvectors of each symmetric matrix in `a` (numpy's `eigh`): `A · V = V · diag(λ)`.
    /// - `a`: `[..., n, n]`; only the lower triangle is read (the upper one when `lowerTriangle` is false, numpy's
    ///   `UPLO='U'`), so the other triangle need not be filled.
    /// - `values`: `[..., n]`, ascending; `vectors`: `[..., n, n]`, column `j` is the unit eigenvector of
    ///   `values[j]` (signs arbitrary). `vectors` is a transposed view of LAPACK's column-major output.
    /// Throws `invalidShape` for non-square input, `invalidArgument` for NaN or infinity, `lapack` when ?syevd does
    /// not converge.
    public static func eigh(_ a: Tensor, lowerTriangle: Bool = true) throws -> (values: Tensor, vectors: Tensor) {
        let operation = "linalg.eigh"
        let (batch, n, _) = try matrixShape(a, operation: operation, square: true)
        let input = try lapackInput(a, operation: operation)
        if input.dtype == .float32 {
            return try symmetricEigen(Float.self, input, batch: batch, n: n, vectors: true,
                                      lowerTriangle: lowerTriangle, operation: operation)
        }
        return try symmetricEigen(Double.self, input, batch: batch, n: n, vectors: true,
                                  lowerTriangle: lowerTriangle, operation: operation)
    }

    /// `eigh` without the copy of its input, for a matrix the caller gives up: `a` (`[..., n, n]`) is made unique and
    /// contiguous (copied only if its storage is shared, so other tensors never change) and LAPACK overwrites it
    /// with the eigenvectors; the returned `vectors` is a view of that storage and `a` is left holding it, so the
    /// caller should drop `a` afterwards. This saves one matrix of memory (8 MB at n = 1024 in float64) where the
    /// input is a temporary. Reads one triangle and throws as `eigh`; inputs other than float32 and float64 are
    /// converted (a copy) as `eigh` converts them.
    public static func eigh(overwriting a: inout Tensor, lowerTriangle: Bool = true) throws
        -> (values: Tensor, vectors: Tensor)
    {
        let operation = "linalg.eigh"
        let (batch, n, _) = try matrixShape(a, operation: operation, square: true)
        guard a.dtype == .float32 || a.dtype == .float64 else { return try eigh(a, lowerTriangle: lowerTriangle) }
        a.makeUniqueContiguous()
        try requireFinite(a, operation: operation)
        if a.dtype == .float32 {
            return try symmetricEigen(Float.self, a, batch: batch, n: n, vectors: true, lowerTriangle: lowerTriangle,
                                      operation: operation)
        }
        return try symmetricEigen(Double.self, a, batch: batch, n: n, vectors: true, lowerTriangle: lowerTriangle,
                                  operation: operation)
    }

    /// The ascending eigenvalues of each symmetric matrix in `a` (`[..., n, n]` → `[..., n]`), numpy's `eigvalsh`.
    /// Reads one triangle as `eigh` does and throws as `eigh`.
    public static func eigvalsh(_ a: Tensor, lowerTriangle: Bool = true) throws -> Tensor {
        let operation = "linalg.eigvalsh"
        let (batch, n, _) = try matrixShape(a, operation: operation, square: true)
        let input = try lapackInput(a, operation: operation)
        if input.dtype == .float32 {
            return try symmetricEigen(Float.self, input, batch: batch, n: n, vectors: false,
                                      lowerTriangle: lowerTriangle, operation: operation).values
        }
        return try symmetricEigen(Double.self, input, batch: batch, n: n, vectors: false,
                                  lowerTriangle: lowerTriangle, operation: operation).values
    }

    private static func symmetricEigen<T: TensorFloat>(
        _: T.Type, _ input: Tensor, batch: [Int], n: Int, vectors: Bool, lowerTriangle: Bool, operation: String
    ) throws -> (values: Tensor, vectors: Tensor) {
        let values = Tensor(uninitializedShape: batch + [n], dtype: T.dtype)
        let count = batch.reduce(1, *)
        if count == 0 || n == 0 { return (values, input) }
        // The row-major lower triangle is the column-major upper one.
        let uplo: Character = lowerTriangle ? "U" : "L"
        let job: Character = vectors ? "V" : "N"
        let matrix = input.mutablePointer(T.self)
        let eigenvalues = values.mutablePointer(T.self)
        let name = routine("syevd", T.self)
        var query = T.zero
        var integerQuery: Int32 = 0
        let queryInfo = LAPACK.syevd(job: job, uplo: uplo, n: n, a: matrix, lda: n, w: eigenvalues, work: &query,
                                     lwork: -1, iwork: &integerQuery, liwork: -1)
        guard queryInfo == 0 else { throw lapackFailure(name, info: queryInfo, rows: n, columns: n, operation: operation) }
        let workSize = workspaceSize(query), integerSize = max(1, Int(integerQuery))
        try withScratch(T.self, count: workSize) { work in
            try withScratch(Int32.self, count: integerSize) { integerWork in
                for index in 0..<count {
                    try Cancellation.check(operation)
                    let info = LAPACK.syevd(job: job, uplo: uplo, n: n, a: matrix + index * n * n, lda: n,
                                            w: eigenvalues + index * n, work: work, lwork: workSize,
                                            iwork: integerWork, liwork: integerSize)
                    if info > 0 {
                        throw TensorError(.lapack, operation,
                                          "eigenvalue computation did not converge for a matrix of shape "
                                              + formatShape([n, n]))
                    }
                    if info < 0 { throw lapackFailure(name, info: info, rows: n, columns: n, operation: operation) }
                }
            }
        }
        // Column-major eigenvectors (column j = vector j) read row-major are Vᵀ; swapping strides gives V.
        return (values, vectors ? transposedView(of: input) : input)
    }
}
