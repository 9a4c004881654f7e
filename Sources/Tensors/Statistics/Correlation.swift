extension Statistics {
    /// Standard scores along `axis`: `(x - mean) / std`, with `std = sqrt(Σ(x - mean)² / (n - ddof))` and n the
    /// length of `axis` (scipy.stats.zscore).
    ///
    /// - Parameters: `x` of any shape of rank ≥ 1; `axis` (negative counts from the end); `ddof` ≥ 0.
    /// - Returns: the shape of `x`; float32 for float32 input, float64 otherwise. A lane along `axis` whose values
    ///   are all equal, or with `n - ddof <= 0`, gives NaN throughout (its scale is undefined).
    /// - Throws: `invalidAxis` for an axis out of range (a 0-d tensor has none), `invalidArgument` for `ddof < 0`.
    public static func zscore(_ x: Tensor, axis: Int = 0, ddof: Int = 0) throws -> Tensor {
        let operation = "zscore"
        let axis = try Shapes.normalizeAxis(axis, rank: x.rank, operation: operation)
        guard ddof >= 0 else {
            throw TensorError(.invalidArgument, operation, "ddof must be >= 0, got \(ddof)")
        }
        let source = float64Contiguous(x)
        var result = Tensor(uninitializedShape: x.shape, dtype: .float64)
        let rows = x.shape[axis]
        try standardize(source.pointer(Double.self), into: result.mutablePointer(Double.self),
                        blocks: x.shape[..<axis].reduce(1, *), rows: rows,
                        columns: x.shape[(axis + 1)...].reduce(1, *), divisor: Double(rows - ddof),
                        operation: operation)
        result = result.astype(x.dtype.floatingPointResult)
        return result
    }

    /// Pearson's correlation of each column of `a` with the same column of `b`:
    /// `r = Σ(a - ā)(b - b̄) / sqrt(Σ(a - ā)² · Σ(b - b̄)²)`, clamped to [-1, 1] (scipy.stats.pearsonr column by
    /// column).
    ///
    /// - Parameters: `a` and `b` both `[n, p]`, or both `[n]`; n ≥ 2.
    /// - Returns: `[p]`, or a 0-d tensor for vectors. NaN for a constant column.
    /// - Throws: `invalidShape` when a tensor is not 1-D or 2-D, when ranks, row counts or column counts differ,
    ///   or when there are fewer than 2 rows.
    public static func pearson(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let operation = "pearson"
        let (rows, columns) = try pairedShape(a, b, operation: operation)
        let values = try columnCorrelations(float64Contiguous(a), float64Contiguous(b), rows: rows, columns: columns,
                                            operation: operation)
        return try Tensor(shape: a.rank == 1 ? [] : [columns], scalars: values).astype(resultType(a, b))
    }

    /// Spearman's rank correlation of each column of `a` with the same column of `b`: Pearson's r of the ranks
    /// (ties share their average rank), as scipy.stats.spearmanr column by column.
    ///
    /// - Parameters, returns and throws: as `pearson`. A column holding NaN gives NaN.
    public static func spearman(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let operation = "spearman"
        let (rows, columns) = try pairedShape(a, b, operation: operation)
        let values = try columnCorrelations(try ranks(a, axis: 0), try ranks(b, axis: 0), rows: rows,
                                            columns: columns, operation: operation)
        return try Tensor(shape: a.rank == 1 ? [] : [columns], scalars: values).astype(resultType(a, b))
    }

    /// Every column of `a` correlated with every column of `b`: `C[i, j] = pearson(a[:, i], b[:, j])`, computed as
    /// one matrix product of the standardised columns (OpenBLAS gemm), clamped to [-1, 1].
    ///
    /// - Parameters: `a` `[n, p]`, `b` `[n, q]`, n ≥ 2.
    /// - Returns: `[p, q]`. Rows and columns of constant columns are NaN.
    /// - Throws: `invalidShape` when an input is not 2-D, when row counts differ or when n < 2.
    public static func correlationMatrix(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let operation = "correlationMatrix"
        guard a.rank == 2 && b.rank == 2 else {
            throw TensorError(.invalidShape, operation,
                              "expects 2-D tensors [n, p] and [n, q], got \(formatShape(a.shape)) and \(formatShape(b.shape))")
        }
        try requireRows(a, b, operation: operation)
        try requireBLASSize([a.shape, b.shape], operation: operation)
        let (rows, p, q) = (a.shape[0], a.shape[1], b.shape[1])
        var result = Tensor(uninitializedShape: [p, q], dtype: .float64)
        if p > 0 && q > 0 {
            let left = try unitColumns(a, operation: operation), right = try unitColumns(b, operation: operation)
            let output = result.mutablePointer(Double.self)
            BLAS.gemm(transposeA: true, transposeB: false, m: p, n: q, k: rows, alpha: 1.0,
                      a: left.pointer(Double.self), lda: p, b: right.pointer(Double.self), ldb: q, beta: 0,
                      c: output, ldc: q)
            for index in 0..<(p * q) { output[index] = clampCorrelation(output[index]) }
        }
        result = result.astype(resultType(a, b))
        return result
    }

    /// `correlationMatrix(a, a)`: the `[p, p]` correlation matrix of the columns of `a` (numpy's
    /// `corrcoef(a, rowvar=False)`).
    public static func correlationMatrix(_ a: Tensor) throws -> Tensor {
        try correlationMatrix(a, a)
    }

    // MARK: Helpers

    /// Validates two `[n, p]` (or `[n]`) inputs of equal shape with n ≥ 2; returns n and p (1 for vectors).
    static func pairedShape(_ a: Tensor, _ b: Tensor, operation: String) throws -> (rows: Int, columns: Int) {
        let shapes = "\(formatShape(a.shape)) and \(formatShape(b.shape))"
        guard (1...2).contains(a.rank) && (1...2).contains(b.rank) else {
            throw TensorError(.invalidShape, operation, "expects 1-D [n] or 2-D [n, p] tensors, got \(shapes)")
        }
        guard a.rank == b.rank else {
            throw TensorError(.invalidShape, operation, "\(shapes): ranks \(a.rank) and \(b.rank) differ")
        }
        try requireRows(a, b, operation: operation)
        if a.rank == 2 && a.shape[1] != b.shape[1] {
            throw TensorError(.invalidShape, operation,
                              "\(shapes): column counts \(a.shape[1]) and \(b.shape[1]) differ")
        }
        return (a.shape[0], a.rank == 2 ? a.shape[1] : 1)
    }

    /// Equal row counts, at least 2 of them.
    static func requireRows(_ a: Tensor, _ b: Tensor, operation: String) throws {
        let shapes = "\(formatShape(a.shape)) and \(formatShape(b.shape))"
        guard a.shape[0] == b.shape[0] else {
            throw TensorError(.invalidShape, operation, "\(shapes): row counts \(a.shape[0]) and \(b.shape[0]) differ")
        }
        guard a.shape[0] >= 2 else {
            throw TensorError(.invalidShape, operation, "\(shapes): at least 2 rows (observations) are needed")
        }
    }

    /// Columns centred and scaled to unit Euclidean norm (NaN for constant columns), as float64 `[n, p]`.
    static func unitColumns(_ x: Tensor, operation: String) throws -> Tensor {
        let source = float64Contiguous(x)
        let result = Tensor(uninitializedShape: x.shape, dtype: .float64)
        let rows = x.shape[0]
        try standardize(source.pointer(Double.self), into: result.mutablePointer(Double.self), blocks: 1, rows: rows,
                        columns: x.count / max(rows, 1), divisor: 1, operation: operation)
        return result
    }

    /// `Σ_rows u · v` per column of the unit-norm columns of `a` and `b` (contiguous float64, `[n, p]` or `[n]`).
    private static func columnCorrelations(_ a: Tensor, _ b: Tensor, rows: Int, columns: Int,
                                           operation: String) throws -> [Double] {
        let left = try unitColumns(a, operation: operation), right = try unitColumns(b, operation: operation)
        let x = left.pointer(Double.self), y = right.pointer(Double.self)
        var sums = [Double](repeating: 0, count: columns)
        for row in 0..<rows {
            if row % 4096 == 0 { try Cancellation.check(operation) }
            let u = x + row * columns, v = y + row * columns
            for column in 0..<columns { sums[column] += u[column] * v[column] }
        }
        return sums.map(clampCorrelation)
    }

    /// Rounding can push |r| of nearly collinear columns just past 1.
    static func clampCorrelation(_ value: Double) -> Double {
        value.isNaN ? value : Swift.min(1, Swift.max(-1, value))
    }
}
