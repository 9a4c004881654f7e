/// Cholesky and QR factorisations.
extension Linalg {
    /// The Cholesky factor of each symmetric positive definite matrix in `a` (numpy's `cholesky`):
    /// lower-triangular `L` with `A = L · Lᵀ` (or, with `upper`, upper-triangular `U` with `A = Uᵀ · U`).
    /// - `a`: `[..., n, n]`; only the lower triangle is read (the upper one with `upper`). Result: `[..., n, n]` with
    ///   zeros in the other triangle.
    /// Throws `notPositiveDefinite` (`linalg.cholesky: matrix is not positive definite`), `invalidShape` for
    /// non-square input, `invalidArgument` for NaN or infinity.
    public static func cholesky(_ a: Tensor, upper: Bool = false) throws -> Tensor {
        let operation = "linalg.cholesky"
        let (batch, n, _) = try matrixShape(a, operation: operation, square: true)
        let input = try lapackInput(a, operation: operation)
        if input.dtype == .float32 {
            try choleskyInPlace(Float.self, input, count: batch.reduce(1, *), n: n, upper: upper, operation: operation)
        } else {
            try choleskyInPlace(Double.self, input, count: batch.reduce(1, *), n: n, upper: upper, operation: operation)
        }
        return input
    }

    private static func choleskyInPlace<T: TensorFloat>(_: T.Type, _ input: Tensor, count: Int, n: Int,
                                                        upper: Bool, operation: String) throws {
        guard n > 0 else { return }
        // The row-major lower triangle is the column-major upper one: ?potrf("U") of Aᵀ = A leaves Uᵀ = L there.
        let uplo: Character = upper ? "L" : "U"
        let matrices = input.mutablePointer(T.self)
        for index in 0..<count {
            try Cancellation.check(operation)
            let matrix = matrices + index * n * n
            let info = LAPACK.potrf(uplo: uplo, n: n, a: matrix, lda: n)
            if info > 0 { throw TensorError(.notPositiveDefinite, operation, "matrix is not positive definite") }
            if info < 0 {
                throw lapackFailure(routine("potrf", T.self), info: info, rows: n, columns: n, operation: operation)
            }
            // ?potrf leaves the other triangle as it was; numpy returns zeros there.
            for row in 0..<n {
                if upper {
                    for column in 0..<row { matrix[row * n + column] = 0 }
                } else {
                    for column in (row + 1)..<n { matrix[row * n + column] = 0 }
                }
            }
        }
    }

    /// The reduced QR decomposition `A = Q · R` of each matrix in `a` (numpy's `qr(a, mode='reduced')`).
    /// - `a`: `[..., m, n]`; `k = min(m, n)`. `q`: `[..., m, k]` with orthonormal columns (`Qᵀ · Q = I`);
    ///   `r`: `[..., k, n]`, upper triangular (diagonal signs as LAPACK leaves them, possibly negative).
    ///
    /// LAPACK's Householder factorisations are fastest on tall matrices. A tall `a` is copied transposed (as numpy
    /// copies every input) and factored by ?geqrf and ?orgqr, `q` being a transposed view of LAPACK's output; for a
    /// wide or square `a` the row-major buffer is the tall column-major Aᵀ, whose LQ factorisation `Aᵀ = L · Q'`
    /// (?gelqf, ?orglq) is the transpose of `A = Q'ᵀ · Lᵀ`, so nothing is transposed.
    /// Throws `invalidShape` for rank below 2, `invalidArgument` for NaN or infinity.
    public static func qr(_ a: Tensor) throws -> (q: Tensor, r: Tensor) {
        let operation = "linalg.qr"
        let (batch, m, n) = try matrixShape(a, operation: operation)
        let direct = m > n
        let input = try lapackInput(direct ? transposedView(of: a) : a, operation: operation)
        if input.dtype == .float32 {
            return try orthogonalTriangular(Float.self, input, direct: direct, batch: batch, m: m, n: n,
                                            operation: operation)
        }
        return try orthogonalTriangular(Double.self, input, direct: direct, batch: batch, m: m, n: n,
                                        operation: operation)
    }

    /// `input` holds column-major A (`direct`, m > n) or row-major A (LAPACK's Aᵀ).
    private static func orthogonalTriangular<T: TensorFloat>(
        _: T.Type, _ input: Tensor, direct: Bool, batch: [Int], m: Int, n: Int, operation: String
    ) throws -> (q: Tensor, r: Tensor) {
        let k = min(m, n)
        let count = batch.reduce(1, *)
        let r = Tensor(uninitializedShape: batch + [k, n], dtype: T.dtype)
        // Q overwrites the input: all of it when direct (k = n) or square; the first m columns of each row otherwise.
        let q = direct ? transposedView(of: input)
            : (k == n ? input : Tensor(uninitializedShape: batch + [m, k], dtype: T.dtype))
        if count == 0 { return (q, r) }
        if k == 0 {
            r.mutablePointer(T.self).update(repeating: 0, count: r.count)
            if !direct && k != n { q.mutablePointer(T.self).update(repeating: 0, count: q.count) }
            return (q, r)
        }
        let matrices = input.mutablePointer(T.self)
        let triangles = r.mutablePointer(T.self)
        // LAPACK's matrix: A (m × n) when direct, otherwise Aᵀ (n × m); leading dimension = its row count.
        let rows = direct ? m : n, columns = direct ? n : m
        let factorName = routine(direct ? "geqrf" : "gelqf", T.self)
        let generateName = routine(direct ? "orgqr" : "orglq", T.self)
        func factor(_ a: UnsafeMutablePointer<T>, _ tau: UnsafeMutablePointer<T>, _ work: UnsafeMutablePointer<T>,
                    _ lwork: Int) -> Int {
            direct ? LAPACK.geqrf(m: rows, n: columns, a: a, lda: rows, tau: tau, work: work, lwork: lwork)
                : LAPACK.gelqf(m: rows, n: columns, a: a, lda: rows, tau: tau, work: work, lwork: lwork)
        }
        func generate(_ a: UnsafeMutablePointer<T>, _ tau: UnsafePointer<T>, _ work: UnsafeMutablePointer<T>,
                      _ lwork: Int) -> Int {
            direct ? LAPACK.orgqr(m: m, n: k, k: k, a: a, lda: rows, tau: tau, work: work, lwork: lwork)
                : LAPACK.orglq(m: k, n: m, k: k, a: a, lda: rows, tau: tau, work: work, lwork: lwork)
        }
        var factorQuery = T.zero, generateQuery = T.zero, unusedTau = T.zero
        var info = factor(matrices, &unusedTau, &factorQuery, -1)
        guard info == 0 else { throw lapackFailure(factorName, info: info, rows: m, columns: n, operation: operation) }
        info = generate(matrices, &unusedTau, &generateQuery, -1)
        guard info == 0 else { throw lapackFailure(generateName, info: info, rows: m, columns: n, operation: operation) }
        let workSize = max(workspaceSize(factorQuery), workspaceSize(generateQuery))
        try withScratch(T.self, count: workSize + k) { scratch in
            let tau = scratch, work = scratch + k
            for index in 0..<count {
                try Cancellation.check(operation)
                let matrix = matrices + index * m * n
                info = factor(matrix, tau, work, workSize)
                guard info == 0 else { throw lapackFailure(factorName, info: info, rows: m, columns: n, operation: operation) }
                let triangle = triangles + index * k * n
                for row in 0..<k {
                    for column in 0..<n {
                        // Direct: R(row, column) is column-major at row + column·m. Otherwise L = Rᵀ (n × k,
                        // column-major) sits row-major as R in the first k rows.
                        let value = direct ? matrix[row + column * m] : matrix[row * n + column]
                        triangle[row * n + column] = column >= row ? value : 0
                    }
                }
                info = generate(matrix, tau, work, workSize)
                guard info == 0 else {
                    throw lapackFailure(generateName, info: info, rows: m, columns: n, operation: operation)
                }
                if !direct && k != n {
                    // Q' (k × m, column-major, leading dimension n) read row-major is Q = Q'ᵀ: m rows, k columns.
                    let destination = q.mutablePointer(T.self) + index * m * k
                    for row in 0..<m {
                        (destination + row * k).update(from: matrix + row * n, count: k)
                    }
                }
            }
        }
        return (q, r)
    }
}
