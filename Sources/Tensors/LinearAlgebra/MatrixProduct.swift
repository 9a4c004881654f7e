extension Tensor {
    /// The matrix product `a @ b` with numpy's `matmul` rules:
    /// `C[..., i, j] = Σ_k A[..., i, k] · B[..., k, j]`.
    ///
    /// - `a`: `[..., m, k]`, or `[k]` (treated as `[1, k]`; that axis is removed from the result).
    /// - `b`: `[..., k, n]`, or `[k]` (treated as `[k, 1]`; that axis is removed). Two vectors give their dot product
    ///   as a 0-d tensor.
    /// - Leading (batch) axes broadcast against each other. The result is `batch + [m, n]`, contiguous.
    /// - dtype: float32 with float32 gives float32 (sgemm); any pair involving float64 or int64 gives float64 (dgemm);
    ///   int64 and bool are converted to float64 first, unlike numpy, which keeps integer products integer.
    ///
    /// Transposed views (strides `(1, rows)`) go to BLAS as transposed operands without a copy; only layouts BLAS
    /// cannot describe (negative, broadcast or doubly strided matrices) are copied first.
    ///
    /// Throws `invalidShape` for a 0-d operand, and `shapeMismatch` when inner dimensions differ
    /// (`matmul: [3, 4] @ [5, 2]: inner dimensions 4 and 5 differ`) or batch axes do not broadcast.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try MatrixProduct.matmul(a, b, operation: "matmul")
    }
}

/// The BLAS-backed product behind `matmul`, `dot`, `inner` and `outer`.
enum MatrixProduct {
    /// How BLAS reads one strided `rows × columns` matrix: as stored (row-major with row stride `leading`) or
    /// transposed (the matrix is the transpose of a row-major `columns × rows` block with row stride `leading`).
    struct Layout {
        var transposed: Bool
        var leading: Int
    }

    /// The BLAS layout of a matrix with these strides, or nil when BLAS cannot read it in place.
    static func layout(rows: Int, columns: Int, rowStride: Int, columnStride: Int) -> Layout? {
        // A single row or column has no meaningful stride along its length-1 axis; choose the tightest legal one.
        if columns == 1 || columnStride == 1 {
            let leading = rows == 1 ? max(columns, 1) : rowStride
            if leading >= max(columns, 1) { return Layout(transposed: false, leading: leading) }
        }
        if rows == 1 || rowStride == 1 {
            let leading = columns == 1 ? max(rows, 1) : columnStride
            if leading >= max(rows, 1) { return Layout(transposed: true, leading: leading) }
        }
        return nil
    }

    /// One operand seen as a batch of matrices: its matrix strides and, per batch axis of the result, the stride
    /// between matrices (0 where it broadcasts).
    struct Operand {
        var tensor: Tensor
        var rows: Int, columns: Int
        var rowStride: Int, columnStride: Int
        var layout: Layout

        /// `tensor` with a vector promoted to a row (`asRow`) or a column. Copies only when BLAS cannot read it.
        init(_ source: Tensor, promoteVectorToRow asRow: Bool) {
            var tensor = source
            for attempt in 0..<2 {
                if tensor.rank == 1 {
                    rows = asRow ? 1 : tensor.shape[0]
                    columns = asRow ? tensor.shape[0] : 1
                    rowStride = asRow ? 0 : tensor.strides[0]
                    columnStride = asRow ? tensor.strides[0] : 0
                } else {
                    rows = tensor.shape[tensor.rank - 2]
                    columns = tensor.shape[tensor.rank - 1]
                    rowStride = tensor.strides[tensor.rank - 2]
                    columnStride = tensor.strides[tensor.rank - 1]
                }
                if let found = MatrixProduct.layout(rows: rows, columns: columns, rowStride: rowStride,
                                                    columnStride: columnStride) {
                    self.tensor = tensor
                    self.layout = found
                    return
                }
                precondition(attempt == 0, "internal: a contiguous matrix must have a BLAS layout")
                tensor = tensor.copy()
            }
            preconditionFailure("unreachable")
        }

        var batchShape: [Int] { tensor.rank <= 2 ? [] : Array(tensor.shape.dropLast(2)) }

        /// Strides between matrices over the broadcast batch shape `batch`.
        func batchStrides(for batch: [Int]) -> [Int] {
            let own = batchShape
            let ownStrides = tensor.rank <= 2 ? [] : Array(tensor.strides.dropLast(2))
            var result = [Int](repeating: 0, count: batch.count)
            let shift = batch.count - own.count
            for axis in own.indices where own[axis] != 1 { result[axis + shift] = ownStrides[axis] }
            return result
        }
    }

    static func matmul(_ a: Tensor, _ b: Tensor, operation: String) throws -> Tensor {
        let description = "\(formatShape(a.shape)) @ \(formatShape(b.shape))"
        guard a.rank >= 1 && b.rank >= 1 else {
            throw TensorError(.invalidShape, operation,
                              "\(description): operands need at least one axis; multiply by a scalar with *")
        }
        let m = a.rank == 1 ? 1 : a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let innerB = b.rank == 1 ? b.shape[0] : b.shape[b.rank - 2], n = b.rank == 1 ? 1 : b.shape[b.rank - 1]
        guard k == innerB else {
            throw TensorError(.shapeMismatch, operation, "\(description): inner dimensions \(k) and \(innerB) differ")
        }
        let batchA = Array(a.shape.dropLast(2)), batchB = b.rank <= 2 ? [] : Array(b.shape.dropLast(2))
        let batch: [Int]
        do {
            batch = try Shapes.broadcast(batchA, batchB, operation: operation)
        } catch {
            throw TensorError(.shapeMismatch, operation,
                              "\(description): batch dimensions \(formatShape(batchA)) and "
                                  + "\(formatShape(batchB)) cannot be broadcast together")
        }
        try Linalg.checkIndexRange([m, n, k], subject: description, operation: operation)
        let dtype = DType.promote(a.dtype, b.dtype).floatingPointResult
        let left = Operand(a.astype(dtype), promoteVectorToRow: true)
        let right = Operand(b.astype(dtype), promoteVectorToRow: false)
        try Linalg.checkIndexRange([left.layout.leading, right.layout.leading], subject: description,
                                   operation: operation)
        let result = Tensor(uninitializedShape: batch + [m, n], dtype: dtype)
        if dtype == .float32 {
            try multiply(Float.self, left, right, batch: batch, into: result, operation: operation)
        } else {
            try multiply(Double.self, left, right, batch: batch, into: result, operation: operation)
        }
        var shape = batch
        if a.rank > 1 { shape.append(m) }
        if b.rank > 1 { shape.append(n) }
        return Tensor(storage: result.storage, dtype: dtype, shape: shape,
                      strides: Tensor.contiguousStrides(for: shape), offset: 0)
    }

    /// Writes `left @ right` for every batch index into the contiguous `result` (`batch + [m, n]`).
    static func multiply<T: TensorFloat>(_: T.Type, _ left: Operand, _ right: Operand, batch: [Int],
                                         into result: Tensor, operation: String) throws {
        let m = left.rows, n = right.columns, k = left.columns
        let count = batch.reduce(1, *)
        let output = result.mutablePointer(T.self)
        if count == 0 || m == 0 || n == 0 { return }
        if k == 0 {
            output.update(repeating: 0, count: count * m * n)
            return
        }
        let leftBase = UnsafePointer(left.tensor.storage.bytes.assumingMemoryBound(to: T.self))
        let rightBase = UnsafePointer(right.tensor.storage.bytes.assumingMemoryBound(to: T.self))
        let leftStrides = left.batchStrides(for: batch), rightStrides = right.batchStrides(for: batch)

        // A shared right operand and left matrices whose rows follow each other at one stride: one tall product
        // (`[batch·m, k] @ [k, n]`) instead of many small ones, which is how a layer applies its weights.
        if count > 1 && rightStrides.allSatisfy({ $0 == 0 }) && !left.layout.transposed {
            var expected = m * left.layout.leading
            var rowsFollow = true
            for axis in stride(from: batch.count - 1, through: 0, by: -1) where batch[axis] != 1 {
                if leftStrides[axis] != expected { rowsFollow = false; break }
                expected *= batch[axis]
            }
            if rowsFollow && count * m <= Int(Int32.max) {
                try Cancellation.check(operation)
                product(m: count * m, n: n, k: k, left, leftBase + left.tensor.offset, right,
                        rightBase + right.tensor.offset, output, ldc: n)
                return
            }
        }
        let leftOffsets = elementOffsets(shape: batch, strides: leftStrides, base: left.tensor.offset)
        let rightOffsets = elementOffsets(shape: batch, strides: rightStrides, base: right.tensor.offset)
        for index in 0..<count {
            try Cancellation.check(operation)
            product(m: m, n: n, k: k, left, leftBase + leftOffsets[index], right, rightBase + rightOffsets[index],
                    output + index * m * n, ldc: n)
        }
    }

    /// One `m × k` by `k × n` product into `output` (row stride `ldc`): dot for 1×1, gemv for a single row or
    /// column when the vector operand has a positive stride, gemm otherwise.
    static func product<T: TensorFloat>(m: Int, n: Int, k: Int, _ left: Operand, _ a: UnsafePointer<T>,
                                        _ right: Operand, _ b: UnsafePointer<T>, _ output: UnsafeMutablePointer<T>,
                                        ldc: Int) {
        // Steps along k of A's single row and of B's single column.
        let rowStep = k == 1 ? 1 : left.columnStride
        let columnStep = k == 1 ? 1 : right.rowStride
        if m == 1 && n == 1 && rowStep >= 1 && columnStep >= 1 {
            output[0] = BLAS.dot(count: k, x: a, incx: rowStep, y: b, incy: columnStep)
        } else if n == 1 && ldc == 1 && columnStep >= 1 {
            // y = A x
            if left.layout.transposed {
                BLAS.gemv(transpose: true, rows: k, columns: m, a: a, lda: left.layout.leading, x: b,
                          incx: columnStep, y: output)
            } else {
                BLAS.gemv(transpose: false, rows: m, columns: k, a: a, lda: left.layout.leading, x: b,
                          incx: columnStep, y: output)
            }
        } else if m == 1 && rowStep >= 1 {
            // yᵀ = xᵀ B, i.e. y = Bᵀ x
            if right.layout.transposed {
                BLAS.gemv(transpose: false, rows: n, columns: k, a: b, lda: right.layout.leading, x: a,
                          incx: rowStep, y: output)
            } else {
                BLAS.gemv(transpose: true, rows: k, columns: n, a: b, lda: right.layout.leading, x: a,
                          incx: rowStep, y: output)
            }
        } else {
            BLAS.gemm(transposeA: left.layout.transposed, transposeB: right.layout.transposed, m: m, n: n, k: k,
                      alpha: 1, a: a, lda: left.layout.leading, b: b, ldb: right.layout.leading, beta: 0,
                      c: output, ldc: ldc)
        }
    }
}

extension Linalg {
    /// `C = alpha · op(A) · op(B) + beta · C` on caller-owned row-major buffers, `T` float32 (sgemm) or float64
    /// (dgemm); `op` transposes when asked; `lda`, `ldb`, `ldc` are the row strides as stored, so a block of columns
    /// inside a wider matrix (one attention head's queries inside the fused qkv rows) is read in place.
    /// No checks: for fused kernels whose callers own the sizes (all within 32 bits). Must not be called from inside
    /// a `parallelRanges` body (OpenBLAS has its own threads).
    @inlinable
    public static func gemm<T: TensorFloat>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
        b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        rawGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    @usableFromInline
    static func rawGEMM<T: TensorFloat>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
        b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// The bare BLAS call `C = A · B` on caller-owned row-major buffers (A m×k, B k×n, C m×n, float32), with no
    /// checks and no allocation: the floor that `matmul` is measured against in `scripts/bench tensors`.
    public static func rawSGEMM(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                c: UnsafeMutablePointer<Float>) {
        BLAS.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                  beta: 0, c: c, ldc: n)
    }
}
