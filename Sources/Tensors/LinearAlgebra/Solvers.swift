/// Linear systems: `solve`, `inv` (LU with partial pivoting) and `lstsq` (SVD-based least squares).
extension Linalg {
    /// The solution `X` of `A · X = B` for each square matrix in `a` (numpy's `solve`).
    /// - `a`: `[..., n, n]`.
    /// - `b`: `[n]` (one right-hand side, result `[..., n]`) or `[..., n, k]` (result `[..., n, k]`); batch axes of
    ///   `a` and `b` broadcast, and each distinct matrix of `a` is factorised once.
    /// Factorises the row-major buffer, i.e. Aᵀ in LAPACK's column-major view, with ?getrf and solves with
    /// ?getrs(`trans = T`), so `a` is copied once and never transposed.
    /// Throws `singularMatrix` (`linalg.solve: matrix is singular`) when an LU pivot is exactly zero, `shapeMismatch`
    /// when the shapes do not fit, `invalidShape` for non-square `a`, `invalidArgument` for NaN or infinity.
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let operation = "linalg.solve"
        let (batchA, n, _) = try matrixShape(a, operation: operation, square: true)
        let vector = b.rank == 1
        guard b.rank >= 1, (vector ? b.shape[0] : (b.rank >= 2 ? b.shape[b.rank - 2] : -1)) == n else {
            throw TensorError(.shapeMismatch, operation,
                              "\(formatShape(a.shape)) and \(formatShape(b.shape)): b must be [\(n)] or [..., \(n), k]")
        }
        let batchB = vector ? [] : Array(b.shape.dropLast(2))
        let batch: [Int]
        do {
            batch = try Shapes.broadcast(batchA, batchB, operation: operation)
        } catch {
            throw TensorError(.shapeMismatch, operation,
                              "\(formatShape(a.shape)) and \(formatShape(b.shape)): batch dimensions "
                                  + "\(formatShape(batchA)) and \(formatShape(batchB)) cannot be broadcast together")
        }
        let dtype = DType.promote(a.dtype, b.dtype).floatingPointResult
        let columns = vector ? 1 : b.shape[b.rank - 1]
        try checkIndexRange([columns], subject: formatShape(b.shape), operation: operation)
        let factors = try lapackInput(a, dtype: dtype, operation: operation)
        // Right-hand sides in column-major order: the row-major `[..., k, n]` transpose of B, broadcast to `batch`.
        let matrixB = vector
            ? Tensor(storage: b.storage, dtype: b.dtype, shape: [n, 1], strides: [b.strides[0], 0], offset: b.offset)
            : b
        let broadcastB = try matrixB.broadcast(to: batch + [n, columns])
        let rightHandSides = try lapackInput(transposedView(of: broadcastB), dtype: dtype, operation: operation)
        if dtype == .float32 {
            try luSolve(Float.self, factors, rightHandSides, batchA: batchA, batch: batch, n: n, columns: columns,
                        operation: operation)
        } else {
            try luSolve(Double.self, factors, rightHandSides, batchA: batchA, batch: batch, n: n, columns: columns,
                        operation: operation)
        }
        if vector {
            return Tensor(storage: rightHandSides.storage, dtype: dtype, shape: batch + [n],
                          strides: Tensor.contiguousStrides(for: batch + [n]), offset: 0)
        }
        return transposedView(of: rightHandSides)
    }

    private static func luSolve<T: TensorFloat>(_: T.Type, _ factors: Tensor, _ rightHandSides: Tensor,
                                                batchA: [Int], batch: [Int], n: Int, columns: Int,
                                                operation: String) throws {
        let countA = batchA.reduce(1, *), count = batch.reduce(1, *)
        if count == 0 || n == 0 || columns == 0 { return }
        let matrices = factors.mutablePointer(T.self)
        let solutions = rightHandSides.mutablePointer(T.self)
        try withScratch(Int32.self, count: countA * n) { pivots in
            for index in 0..<countA {
                try Cancellation.check(operation)
                let info = LAPACK.getrf(m: n, n: n, a: matrices + index * n * n, lda: n, ipiv: pivots + index * n)
                if info > 0 { throw TensorError(.singularMatrix, operation, "matrix is singular") }
                if info < 0 {
                    throw lapackFailure(routine("getrf", T.self), info: info, rows: n, columns: n, operation: operation)
                }
            }
            // Which factorised matrix each output batch index uses (0 strides where `a` broadcasts).
            let ownStrides = Tensor.contiguousStrides(for: batchA)
            var stridesA = [Int](repeating: 0, count: batch.count)
            for axis in batchA.indices where batchA[axis] != 1 {
                stridesA[axis + batch.count - batchA.count] = ownStrides[axis]
            }
            let matrixIndices = elementOffsets(shape: batch, strides: stridesA, base: 0)
            for index in 0..<count {
                try Cancellation.check(operation)
                let matrix = matrixIndices[index]
                let info = LAPACK.getrs(transpose: true, n: n, nrhs: columns, a: matrices + matrix * n * n, lda: n,
                                        ipiv: pivots + matrix * n, b: solutions + index * n * columns, ldb: n)
                if info != 0 {
                    throw lapackFailure(routine("getrs", T.self), info: info, rows: n, columns: n, operation: operation)
                }
            }
        }
    }

    /// The inverse of each square matrix in `a` (numpy's `inv`): `A · inv(A) = I`. `a`: `[..., n, n]`.
    /// LU of the row-major buffer (Aᵀ to LAPACK) by ?getrf, then ?getri: inv(Aᵀ) read row-major is inv(A).
    /// Throws `singularMatrix` (`linalg.inv: matrix is singular`), `invalidShape` for non-square input,
    /// `invalidArgument` for NaN or infinity.
    public static func inv(_ a: Tensor) throws -> Tensor {
        let operation = "linalg.inv"
        let (batch, n, _) = try matrixShape(a, operation: operation, square: true)
        let input = try lapackInput(a, operation: operation)
        if input.dtype == .float32 {
            try invertInPlace(Float.self, input, count: batch.reduce(1, *), n: n, operation: operation)
        } else {
            try invertInPlace(Double.self, input, count: batch.reduce(1, *), n: n, operation: operation)
        }
        return input
    }

    private static func invertInPlace<T: TensorFloat>(_: T.Type, _ input: Tensor, count: Int, n: Int,
                                                      operation: String) throws {
        if count == 0 || n == 0 { return }
        let matrices = input.mutablePointer(T.self)
        let getrf = routine("getrf", T.self), getri = routine("getri", T.self)
        try withScratch(Int32.self, count: n) { pivots in
            var query = T.zero
            let queryInfo = LAPACK.getri(n: n, a: matrices, lda: n, ipiv: pivots, work: &query, lwork: -1)
            guard queryInfo == 0 else { throw lapackFailure(getri, info: queryInfo, rows: n, columns: n, operation: operation) }
            let workSize = workspaceSize(query)
            try withScratch(T.self, count: workSize) { work in
                for index in 0..<count {
                    try Cancellation.check(operation)
                    let matrix = matrices + index * n * n
                    var info = LAPACK.getrf(m: n, n: n, a: matrix, lda: n, ipiv: pivots)
                    if info > 0 { throw TensorError(.singularMatrix, operation, "matrix is singular") }
                    if info < 0 { throw lapackFailure(getrf, info: info, rows: n, columns: n, operation: operation) }
                    info = LAPACK.getri(n: n, a: matrix, lda: n, ipiv: pivots, work: work, lwork: workSize)
                    if info > 0 { throw TensorError(.singularMatrix, operation, "matrix is singular") }
                    if info < 0 { throw lapackFailure(getri, info: info, rows: n, columns: n, operation: operation) }
                }
            }
        }
    }
}
