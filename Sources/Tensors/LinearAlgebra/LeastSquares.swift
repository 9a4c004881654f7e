/// Least squares by ?gelsd, as numpy's `lstsq`.
extension Linalg {
    /// The minimum-norm `X` minimising `‖A · X − B‖₂` (numpy's `lstsq`), computed from the SVD of `A`
    /// (LAPACK ?gelsd); singular values `≤ rcond · s_max` count as zero.
    /// - `a`: `[m, n]`; `b`: `[m]` or `[m, k]`. `rcond`: default `eps · max(m, n)` of the working dtype, as numpy 2.
    /// - `solution`: `[n]` or `[n, k]`.
    /// - `residuals`: `Σ_i (B − A·X)[i, j]²` per column, shape `[k]` (`[1]` for a vector `b`), when `A` has full
    ///   column rank `n < m`; otherwise empty `[0]`, as numpy.
    /// - `rank`: the effective rank of `A`; `singularValues`: `[min(m, n)]`, descending.
    /// Throws `invalidShape` unless `a` is 2-D, `shapeMismatch` when `b` has a different number of rows,
    /// `invalidArgument` for NaN or infinity, `lapack` when the SVD does not converge.
    public static func lstsq(_ a: Tensor, _ b: Tensor, rcond: Double? = nil) throws
        -> (solution: Tensor, residuals: Tensor, rank: Int, singularValues: Tensor)
    {
        let operation = "linalg.lstsq"
        guard a.rank == 2 else {
            throw TensorError(.invalidShape, operation, "a must be a matrix [m, n], got shape \(formatShape(a.shape))")
        }
        let m = a.shape[0], n = a.shape[1]
        guard (b.rank == 1 || b.rank == 2), b.shape[0] == m else {
            throw TensorError(.shapeMismatch, operation,
                              "\(formatShape(a.shape)) and \(formatShape(b.shape)): b must be [\(m)] or [\(m), k]")
        }
        let columns = b.rank == 1 ? 1 : b.shape[1]
        let leading = max(m, n, 1)
        try checkIndexRange([m, n, columns], subject: "\(formatShape(a.shape)) and \(formatShape(b.shape))",
                            operation: operation)
        let dtype = DType.promote(a.dtype, b.dtype).floatingPointResult
        // Column-major A (m × n, leading dimension m) is the row-major transpose of A.
        let matrix = try lapackInput(transposedView(of: a), dtype: dtype, operation: operation)
        let matrixB = b.rank == 1
            ? Tensor(storage: b.storage, dtype: b.dtype, shape: [m, 1], strides: [b.strides[0], 0], offset: b.offset)
            : b
        // Column-major B padded to `leading` rows, since LAPACK writes the n-row solution over it; at least one
        // column, since LAPACK needs one.
        var rightHandSides = try lapackInput(transposedView(of: matrixB), dtype: dtype, operation: operation)
        if leading != m || columns == 0 {
            let padded = try Tensor.zeros([max(columns, 1), leading], dtype: dtype)
            if m > 0 && columns > 0 {
                switch dtype {
                case .float32: copyRows(Float.self, from: rightHandSides, into: padded, rows: columns, width: m)
                default: copyRows(Double.self, from: rightHandSides, into: padded, rows: columns, width: m)
                }
            }
            rightHandSides = padded
        }
        let singularValues = Tensor(uninitializedShape: [min(m, n)], dtype: dtype)
        let rank: Int
        if dtype == .float32 {
            rank = try leastSquares(Float.self, matrix, rightHandSides, singularValues, m: m, n: n, columns: columns,
                                    rcond: rcond, operation: operation)
        } else {
            rank = try leastSquares(Double.self, matrix, rightHandSides, singularValues, m: m, n: n,
                                    columns: columns, rcond: rcond, operation: operation)
        }
        let solution = b.rank == 1
            ? Tensor(storage: rightHandSides.storage, dtype: dtype, shape: [n], strides: [1], offset: 0)
            : Tensor(storage: rightHandSides.storage, dtype: dtype, shape: [n, columns], strides: [1, leading],
                     offset: 0)
        let residuals: Tensor
        if rank == n && m > n {
            residuals = dtype == .float32
                ? sumOfSquares(Float.self, rightHandSides, rows: n..<m, columns: columns)
                : sumOfSquares(Double.self, rightHandSides, rows: n..<m, columns: columns)
        } else {
            residuals = Tensor(uninitializedShape: [0], dtype: dtype)
        }
        return (solution, residuals, rank, singularValues)
    }

    /// `Σ_{i ∈ rows} B[i, j]²` for each column j of the column-major `buffer` (`[columns, leading]` row-major),
    /// which after ?gelsd holds the residual components of `B − A·X` in rows n..<m.
    private static func sumOfSquares<T: TensorFloat>(_: T.Type, _ buffer: Tensor, rows: Range<Int>, columns: Int)
        -> Tensor
    {
        let result = Tensor(uninitializedShape: [columns], dtype: T.dtype)
        let input = buffer.pointer(T.self), output = result.mutablePointer(T.self)
        let leading = buffer.shape[1]
        for column in 0..<columns {
            var total = 0.0
            for row in rows {
                let value = input[column * leading + row].doubleValue
                total += value * value
            }
            output[column] = T(fromDouble: total)
        }
        return result
    }

    private static func copyRows<T: TensorFloat>(_: T.Type, from source: Tensor, into destination: Tensor, rows: Int,
                                                 width: Int) {
        let input = source.pointer(T.self), output = destination.mutablePointer(T.self)
        let leading = destination.shape[1]
        for row in 0..<rows { (output + row * leading).update(from: input + row * width, count: width) }
    }

    private static func leastSquares<T: TensorFloat>(
        _: T.Type, _ matrix: Tensor, _ rightHandSides: Tensor, _ singularValues: Tensor, m: Int, n: Int,
        columns: Int, rcond: Double?, operation: String
    ) throws -> Int {
        if m == 0 || n == 0 { return 0 }
        let threshold = T(fromDouble: rcond ?? (T.ulpOfOne.doubleValue * Double(max(m, n))))
        let a = matrix.mutablePointer(T.self), b = rightHandSides.mutablePointer(T.self)
        let s = singularValues.mutablePointer(T.self)
        let leading = max(m, n, 1)
        let name = routine("gelsd", T.self)
        // ?gelsd rejects zero right-hand sides (its ?lalsd requires one), so a zero column stands in, as in numpy.
        let columns = max(columns, 1)
        var rank = 0
        var query = T.zero
        var integerQuery: Int32 = 0
        var info = LAPACK.gelsd(m: m, n: n, nrhs: columns, a: a, lda: m, b: b, ldb: leading, s: s, rcond: threshold,
                                rank: &rank, work: &query, lwork: -1, iwork: &integerQuery)
        guard info == 0 else { throw lapackFailure(name, info: info, rows: m, columns: n, operation: operation) }
        let workSize = workspaceSize(query)
        // Some LAPACKs leave the integer query at 0; LAPACK's documented minimum is 3·k·nlvl + 11·k.
        let k = min(m, n)
        var levels = 0
        var subproblem = Double(k) / 26
        while subproblem >= 1 { levels += 1; subproblem /= 2 }
        let integerSize = max(Int(integerQuery), 3 * k * levels + 11 * k, 1)
        try Cancellation.check(operation)
        withScratch(T.self, count: workSize) { work in
            withScratch(Int32.self, count: integerSize) { integerWork in
                info = LAPACK.gelsd(m: m, n: n, nrhs: columns, a: a, lda: m, b: b, ldb: leading, s: s,
                                    rcond: threshold, rank: &rank, work: work, lwork: workSize, iwork: integerWork)
            }
        }
        if info > 0 {
            throw TensorError(.lapack, operation,
                              "singular value decomposition did not converge for a matrix of shape \(formatShape([m, n]))")
        }
        if info < 0 { throw lapackFailure(name, info: info, rows: m, columns: n, operation: operation) }
        return rank
    }
}
