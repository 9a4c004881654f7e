/// Products of vectors and tensors other than `matmul`, with numpy's rules. All run on BLAS; dtypes follow `matmul`
/// (float32 stays float32, everything else computes in float64).
extension Linalg {
    /// numpy's `dot`:
    /// - either operand 0-d: the elementwise product `a · b`;
    /// - both 1-D `[k]`: the inner product `Σ_i a[i] · b[i]` as a 0-d tensor;
    /// - `b` 1-D or both at most 2-D: `matmul(a, b)`;
    /// - otherwise `a: [..., k]`, `b: [..., k, n]` give `dot[i..., j..., l] = Σ_k a[i..., k] · b[j..., k, l]`
    ///   of shape `a.shape[:-1] + b.shape[:-2] + [n]` (no batch broadcasting, unlike `matmul`).
    ///
    /// Throws `shapeMismatch` when the summed lengths differ: `linalg.dot: [2, 3] · [4]: summed dimensions 3 and 4 differ`.
    public static func dot(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let operation = "linalg.dot"
        if a.rank == 0 || b.rank == 0 { return try scaled(a, b, operation: operation) }
        let summedB = b.rank == 1 ? b.shape[0] : b.shape[b.rank - 2]
        let summedA = a.shape[a.rank - 1]
        guard summedA == summedB else {
            throw TensorError(.shapeMismatch, operation,
                              "\(formatShape(a.shape)) · \(formatShape(b.shape)): summed dimensions \(summedA) and \(summedB) differ")
        }
        if b.rank == 1 || (a.rank <= 2 && b.rank <= 2) { return try MatrixProduct.matmul(a, b, operation: operation) }
        let description = "\(formatShape(a.shape)) · \(formatShape(b.shape))"
        try checkIndexRange([a.count / max(summedA, 1), summedA, b.shape[b.rank - 1], b.count / max(summedB, 1)],
                            subject: description, operation: operation)
        // a as `[P, k]`, each matrix of b as `[k, n]`; each product lands in columns `j·n ..< (j+1)·n` of a
        // `[P, J·n]` result, which is `a.shape[:-1] + b.shape[:-2] + [n]` in row-major order.
        let dtype = DType.promote(a.dtype, b.dtype).floatingPointResult
        let left = rowsView(a.astype(dtype))
        let right = MatrixProduct.Operand(b.astype(dtype), promoteVectorToRow: false)
        let outerShape = Array(a.shape.dropLast()), batchB = Array(b.shape.dropLast(2))
        let n = b.shape[b.rank - 1]
        let result = Tensor(uninitializedShape: outerShape + batchB + [n], dtype: dtype)
        if dtype == .float32 {
            try dotBatches(Float.self, left, right, batchB: batchB, into: result, operation: operation)
        } else {
            try dotBatches(Double.self, left, right, batchB: batchB, into: result, operation: operation)
        }
        return result
    }

    private static func dotBatches<T: TensorFloat>(_: T.Type, _ a: Tensor, _ b: MatrixProduct.Operand,
                                                   batchB: [Int], into result: Tensor, operation: String) throws {
        let left = MatrixProduct.Operand(a, promoteVectorToRow: true)
        let p = left.rows, k = left.columns, n = b.columns
        let j = batchB.reduce(1, *)
        let output = result.mutablePointer(T.self)
        if result.count == 0 { return }
        if k == 0 {
            output.update(repeating: 0, count: result.count)
            return
        }
        let leftBase = UnsafePointer(left.tensor.storage.bytes.assumingMemoryBound(to: T.self)) + left.tensor.offset
        let rightBase = UnsafePointer(b.tensor.storage.bytes.assumingMemoryBound(to: T.self))
        let offsets = elementOffsets(shape: batchB, strides: b.batchStrides(for: batchB), base: b.tensor.offset)
        for index in 0..<j {
            try Cancellation.check(operation)
            MatrixProduct.product(m: p, n: n, k: k, left, leftBase, b, rightBase + offsets[index],
                                  output + index * n, ldc: j * n)
        }
    }

    /// numpy's `inner`: `inner[i..., j...] = Σ_k a[i..., k] · b[j..., k]`, of shape `a.shape[:-1] + b.shape[:-1]`;
    /// the plain inner product for two vectors, the elementwise product when either is 0-d. `inner(X, Y)` of two
    /// `[samples, features]` matrices is `X · Yᵀ`, computed without transposing Y.
    /// Throws `shapeMismatch` when the last dimensions differ.
    public static func inner(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let operation = "linalg.inner"
        if a.rank == 0 || b.rank == 0 { return try scaled(a, b, operation: operation) }
        guard a.shape[a.rank - 1] == b.shape[b.rank - 1] else {
            throw TensorError(.shapeMismatch, operation,
                              "\(formatShape(a.shape)) and \(formatShape(b.shape)): last dimensions "
                                  + "\(a.shape[a.rank - 1]) and \(b.shape[b.rank - 1]) differ")
        }
        let dtype = DType.promote(a.dtype, b.dtype).floatingPointResult
        if a.rank == 1 && b.rank == 1 { return try MatrixProduct.matmul(a, b, operation: operation) }
        let last = a.shape[a.rank - 1]
        try checkIndexRange([a.count / max(last, 1), b.count / max(last, 1), last],
                            subject: "\(formatShape(a.shape)) and \(formatShape(b.shape))", operation: operation)
        let left = rowsView(a.astype(dtype)), right = rowsView(b.astype(dtype))
        // Bᵀ as a view: BLAS reads it as a transposed operand.
        let product = try MatrixProduct.matmul(left, transposedView(of: right), operation: operation)
        let shape = Array(a.shape.dropLast()) + Array(b.shape.dropLast())
        return Tensor(storage: product.storage, dtype: dtype, shape: shape,
                      strides: Tensor.contiguousStrides(for: shape), offset: 0)
    }

    /// numpy's `outer`: both operands are flattened, `outer[i, j] = a[i] · b[j]`, shape `[a.count, b.count]`.
    public static func outer(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try checkIndexRange([a.count, b.count], subject: "\(formatShape(a.shape)) and \(formatShape(b.shape))",
                            operation: "linalg.outer")
        let dtype = DType.promote(a.dtype, b.dtype).floatingPointResult
        let column = flattened(a.astype(dtype)), row = flattened(b.astype(dtype))
        let left = Tensor(storage: column.storage, dtype: dtype, shape: [column.count, 1],
                          strides: [column.strides[0], 1], offset: column.offset)
        let right = Tensor(storage: row.storage, dtype: dtype, shape: [1, row.count], strides: [1, row.strides[0]],
                           offset: row.offset)
        return try MatrixProduct.matmul(left, right, operation: "linalg.outer")
    }

    /// `a · b` elementwise with broadcasting, for the scalar cases of `dot` and `inner`.
    private static func scaled(_ a: Tensor, _ b: Tensor, operation: String) throws -> Tensor {
        let dtype = DType.promote(a.dtype, b.dtype).floatingPointResult
        if dtype == .float32 {
            return try Tensor.zip(a.astype(dtype), b.astype(dtype), Float.self, Float.self, to: Float.self,
                                  operation: operation) { $0 * $1 }
        }
        return try Tensor.zip(a.astype(dtype), b.astype(dtype), Double.self, Double.self, to: Double.self,
                              operation: operation) { $0 * $1 }
    }

    /// `tensor` as a 1-D view when its elements lie at one stride, otherwise as a contiguous copy.
    static func flattened(_ tensor: Tensor) -> Tensor {
        if tensor.rank == 1 { return tensor }
        let longAxes = tensor.shape.indices.filter { tensor.shape[$0] != 1 }
        if longAxes.count == 1 {
            return Tensor(storage: tensor.storage, dtype: tensor.dtype, shape: [tensor.count],
                          strides: [tensor.strides[longAxes[0]]], offset: tensor.offset)
        }
        let source = longAxes.isEmpty || tensor.isContiguous ? tensor : tensor.copy()
        return Tensor(storage: source.storage, dtype: source.dtype, shape: [source.count], strides: [1],
                      offset: source.offset)
    }

    /// `tensor` (rank ≥ 1) as a `[rows, last]` matrix: a view when its leading axes merge into one strided axis,
    /// otherwise a contiguous copy.
    static func rowsView(_ tensor: Tensor) -> Tensor {
        let last = tensor.shape[tensor.rank - 1]
        let rowCount = tensor.shape.dropLast().reduce(1, *)
        // Walk the leading axes from the innermost: each must step exactly over the one inside it.
        var rowStride: Int? = nil
        var span: Int? = nil
        var mergeable = true
        for axis in stride(from: tensor.rank - 2, through: 0, by: -1) where tensor.shape[axis] != 1 {
            if let span, tensor.strides[axis] != span { mergeable = false; break }
            if rowStride == nil { rowStride = tensor.strides[axis] }
            span = tensor.strides[axis] * tensor.shape[axis]
        }
        if !mergeable {
            let copy = tensor.copy()
            return Tensor(storage: copy.storage, dtype: copy.dtype, shape: [rowCount, last],
                          strides: [max(last, 1), 1], offset: 0)
        }
        return Tensor(storage: tensor.storage, dtype: tensor.dtype, shape: [rowCount, last],
                      strides: [rowStride ?? max(last, 1), tensor.strides[tensor.rank - 1]], offset: tensor.offset)
    }
}
