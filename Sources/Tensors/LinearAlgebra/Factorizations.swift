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
    /// A row-major buffer is the column-major Aᵀ, and the LQ factorisation `Aᵀ = L · Q'` (?gelqf, ?orglq) is the
    /// transpose of `A = Q'ᵀ · Lᵀ`, so no transposing copy is made.
    /// Throws `invalidShape` for rank below 2, `invalidArgument` for NaN or infinity.
    public static func qr(_ a: Tensor) throws -> (q: Tensor, r: Tensor) {
        let operation = "linalg.qr"
        let (batch, m, n) = try matrixShape(a, operation: operation)
        let input = try lapackInput(a, operation: operation)
        if input.dtype == .float32 {
            return try orthogonalTriangular(Float.self, input, batch: batch, m: m, n: n, operation: operation)
        }
        return try orthogonalTriangular(Double.self, input, batch: batch, m: m, n: n, operation: operation)
    }

    private static func orthogonalTriangular<T: TensorFloat>(
        _: T.Type, _ input: Tensor, batch: [Int], m: Int, n: Int, operation: String
    ) throws -> (q: Tensor, r: Tensor) {
        let k = min(m, n)
        let count = batch.reduce(1, *)
        let r = Tensor(uninitializedShape: batch + [k, n], dtype: T.dtype)
        // When m ≥ n, Q fills the whole input buffer; otherwise it is the first m columns of each row.
        let q = k == n ? input : Tensor(uninitializedShape: batch + [m, k], dtype: T.dtype)
        if count == 0 { return (q, r) }
        if k == 0 {
            r.mutablePointer(T.self).update(repeating: 0, count: r.count)
            if k != n { q.mutablePointer(T.self).update(repeating: 0, count: q.count) }
            return (q, r)
        }
        let matrices = input.mutablePointer(T.self)
        let triangles = r.mutablePointer(T.self)
        let gelqf = routine("gelqf", T.self), orglq = routine("orglq", T.self)
        // Column-major Aᵀ is n × m with leading dimension n.
        var factorQuery = T.zero, generateQuery = T.zero, unusedTau = T.zero
        var info = LAPACK.gelqf(m: n, n: m, a: matrices, lda: n, tau: &unusedTau, work: &factorQuery, lwork: -1)
        guard info == 0 else { throw lapackFailure(gelqf, info: info, rows: m, columns: n, operation: operation) }
        info = LAPACK.orglq(m: k, n: m, k: k, a: matrices, lda: n, tau: &unusedTau, work: &generateQuery,
                            lwork: -1)
        guard info == 0 else { throw lapackFailure(orglq, info: info, rows: m, columns: n, operation: operation) }
        let workSize = max(workspaceSize(factorQuery), workspaceSize(generateQuery))
        try withScratch(T.self, count: workSize + k) { scratch in
            let tau = scratch, work = scratch + k
            for index in 0..<count {
                try Cancellation.check(operation)
                let matrix = matrices + index * m * n
                info = LAPACK.gelqf(m: n, n: m, a: matrix, lda: n, tau: tau, work: work, lwork: workSize)
                guard info == 0 else { throw lapackFailure(gelqf, info: info, rows: m, columns: n, operation: operation) }
                // L (n × k, column-major) read row-major is R = Lᵀ: the first k rows of the buffer, upper part.
                let triangle = triangles + index * k * n
                for row in 0..<k {
                    for column in 0..<n {
                        triangle[row * n + column] = column >= row ? matrix[row * n + column] : 0
                    }
                }
                info = LAPACK.orglq(m: k, n: m, k: k, a: matrix, lda: n, tau: tau, work: work, lwork: workSize)
                guard info == 0 else { throw lapackFailure(orglq, info: info, rows: m, columns: n, operation: operation) }
                if k != n {
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
