/// Determinants from the LU factorisation (?getrf), as numpy's `det` and `slogdet`.
extension Linalg {
    /// The sign and the log of the absolute value of the determinant of each square matrix in `a` (numpy's
    /// `slogdet`): `det(A) = sign · exp(logAbsDet)`, which stays representable where `det` would overflow or
    /// underflow (`log|det| = Σ_i log|U_ii|` of the LU factors).
    /// - `a`: `[..., n, n]`; `sign` and `logAbsDet`: `[...]` (0-d for one matrix), float32 for float32 input,
    ///   float64 otherwise. A matrix whose LU factorisation meets an exactly zero pivot gives sign 0 and
    ///   logAbsDet −∞; an empty one sign 1 and logAbsDet 0. The row-major buffer is factored as LAPACK's Aᵀ
    ///   (det Aᵀ = det A), so for a matrix that is singular only up to rounding the tiny result may differ from
    ///   numpy's, which factors A.
    /// Throws `invalidShape` for non-square input, `invalidArgument` for NaN or infinity.
    public static func slogdet(_ a: Tensor) throws -> (sign: Tensor, logAbsDet: Tensor) {
        try logDeterminant(a, operation: "linalg.slogdet")
    }

    /// The determinant of each square matrix in `a` (numpy's `det`), computed as `sign · exp(logAbsDet)` from
    /// `slogdet`, as numpy does. `a`: `[..., n, n]`; result `[...]`. Throws as `slogdet`.
    public static func det(_ a: Tensor) throws -> Tensor {
        let (sign, logAbsDet) = try logDeterminant(a, operation: "linalg.det")
        if sign.dtype == .float32 {
            return try Tensor.zip(sign, logAbsDet, Float.self, Float.self, to: Float.self, operation: "linalg.det") {
                $0 * Float.exp($1)
            }
        }
        return try Tensor.zip(sign, logAbsDet, Double.self, Double.self, to: Double.self, operation: "linalg.det") {
            $0 * Double.exp($1)
        }
    }

    private static func logDeterminant(_ a: Tensor, operation: String) throws -> (sign: Tensor, logAbsDet: Tensor) {
        let (batch, n, _) = try matrixShape(a, operation: operation, square: true)
        let input = try lapackInput(a, operation: operation)
        let sign = Tensor(uninitializedShape: batch, dtype: input.dtype)
        let logAbsDet = Tensor(uninitializedShape: batch, dtype: input.dtype)
        if input.dtype == .float32 {
            try luDeterminants(Float.self, input, sign, logAbsDet, n: n, operation: operation)
        } else {
            try luDeterminants(Double.self, input, sign, logAbsDet, n: n, operation: operation)
        }
        return (sign, logAbsDet)
    }

    private static func luDeterminants<T: TensorFloat>(_: T.Type, _ input: Tensor, _ signs: Tensor,
                                                       _ logarithms: Tensor, n: Int, operation: String) throws {
        let matrices = input.mutablePointer(T.self)
        let signOutput = signs.mutablePointer(T.self), logOutput = logarithms.mutablePointer(T.self)
        try withScratch(Int32.self, count: n) { pivots in
            for index in 0..<signs.count {
                try Cancellation.check(operation)
                if n == 0 {
                    signOutput[index] = 1
                    logOutput[index] = 0
                    continue
                }
                let matrix = matrices + index * n * n
                let info = LAPACK.getrf(m: n, n: n, a: matrix, lda: n, ipiv: pivots)
                if info < 0 {
                    throw lapackFailure(routine("getrf", T.self), info: info, rows: n, columns: n, operation: operation)
                }
                if info > 0 {
                    // An exactly zero pivot: the matrix is singular.
                    signOutput[index] = 0
                    logOutput[index] = -.infinity
                    continue
                }
                // det(Aᵀ) = det(A): the row-major buffer's LU is as good as A's. Each row swap flips the sign.
                var negative = false
                var logarithm = 0.0
                for position in 0..<n {
                    let pivot = matrix[position * n + position]
                    if pivot < 0 { negative.toggle() }
                    if Int(pivots[position]) != position + 1 { negative.toggle() }
                    logarithm += Double.log(Swift.abs(pivot.doubleValue))
                }
                signOutput[index] = negative ? -1 : 1
                logOutput[index] = T(fromDouble: logarithm)
            }
        }
    }
}
