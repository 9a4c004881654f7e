/// Diagonals, traces and norms.
extension Linalg {
    /// The diagonal `d[..., i] = a[..., i, i + offset]` of each matrix in the last two axes (numpy's
    /// `linalg.diagonal`): a view sharing `a`'s storage, shape `batch + [length]`.
    /// `offset > 0` selects a diagonal above the main one, `offset < 0` one below; a diagonal that misses the
    /// matrix has length 0. Throws `invalidShape` when `a` has rank below 2.
    public static func diagonal(_ a: Tensor, offset: Int = 0) throws -> Tensor {
        try diagonalView(a, offset: offset, operation: "linalg.diagonal")
    }

    private static func diagonalView(_ a: Tensor, offset: Int, operation: String) throws -> Tensor {
        let (batch, rows, columns) = try matrixShape(a, operation: operation)
        let rowStride = a.strides[a.rank - 2], columnStride = a.strides[a.rank - 1]
        let length: Int
        let start: Int
        if offset >= 0 {
            length = max(0, min(rows, columns - offset))
            start = length > 0 ? offset * columnStride : 0
        } else {
            length = max(0, min(rows + offset, columns))
            start = length > 0 ? -offset * rowStride : 0
        }
        return Tensor(storage: a.storage, dtype: a.dtype, shape: batch + [length],
                      strides: Array(a.strides.dropLast(2)) + [rowStride + columnStride], offset: a.offset + start)
    }

    /// `trace[...] = Σ_i a[..., i, i + offset]` over the last two axes (numpy's `linalg.trace`), shape `batch`.
    /// float32 and float64 keep their dtype (summed in double precision); int64 and bool give int64.
    /// Throws `invalidShape` when `a` has rank below 2.
    public static func trace(_ a: Tensor, offset: Int = 0) throws -> Tensor {
        let diagonal = try diagonalView(a, offset: offset, operation: "linalg.trace")
        switch a.dtype {
        case .float32: return sumLastAxis(diagonal, Float.self, initial: 0.0) { $0 + Double($1) } result: { Float($0) }
        case .float64: return sumLastAxis(diagonal, Double.self, initial: 0.0) { $0 + $1 } result: { $0 }
        case .int64: return sumLastAxis(diagonal, Int64.self, initial: Int64(0)) { $0 &+ $1 } result: { $0 }
        case .bool:
            return sumLastAxis(diagonal.astype(.int64), Int64.self, initial: Int64(0)) { $0 &+ $1 } result: { $0 }
        }
    }

    /// Reduces the last axis of `values` with `combine`, starting each row from `initial`.
    private static func sumLastAxis<T: TensorScalar, Accumulator>(
        _ values: Tensor, _: T.Type, initial: Accumulator, _ combine: (Accumulator, T) -> Accumulator,
        result convert: (Accumulator) -> T
    ) -> Tensor {
        let batch = Array(values.shape.dropLast())
        let length = values.shape[values.rank - 1], step = values.strides[values.rank - 1]
        let result = Tensor(uninitializedShape: batch, dtype: T.dtype)
        let output = result.mutablePointer(T.self)
        let base = values.storage.bytes.assumingMemoryBound(to: T.self)
        let offsets = elementOffsets(shape: batch, strides: Array(values.strides.dropLast()), base: values.offset)
        for (index, start) in offsets.enumerated() {
            var total = initial
            for position in 0..<length { total = combine(total, base[start + position * step]) }
            output[index] = convert(total)
        }
        return result
    }

    /// The Frobenius / Euclidean norm `sqrt(Σ a²)` over all elements (numpy's `linalg.norm(a)` without `ord` or
    /// `axis`), as a 0-d tensor: float32 for float32 input, float64 otherwise. Computed with BLAS's scaled ?nrm2,
    /// so it neither overflows nor underflows where the norm itself is representable.
    public static func norm(_ a: Tensor) -> Tensor {
        let dtype = a.dtype.floatingPointResult
        let values = flattened(a.astype(dtype))
        if dtype == .float32 {
            return Tensor(scalar: vectorNorm(values, Float.self))
        }
        return Tensor(scalar: vectorNorm(values, Double.self))
    }

    /// The Euclidean norm over `axes`: `sqrt(Σ a²)` along them (numpy's `linalg.norm(a, axis=…)` with the default
    /// `ord`): the vector 2-norm for one axis, the Frobenius norm for two.
    /// - `a`: any shape; `axes`: at least one axis, negative values count from the end. The result drops those axes
    ///   (or keeps them with length 1 when `keepDims`); float32 for float32 input, float64 otherwise.
    /// Computed as numpy does, by summing squares, so values beyond about 1e154 (float64) overflow.
    /// Throws `invalidAxis` for an empty, out-of-range or repeated axis.
    public static func norm(_ a: Tensor, axes: [Int], keepDims: Bool = false) throws -> Tensor {
        let operation = "linalg.norm"
        guard !axes.isEmpty else {
            throw TensorError(.invalidAxis, operation, "axes must name at least one axis")
        }
        let normalized = try Shapes.normalizeAxes(axes, rank: a.rank, operation: operation)
        let values = a.astype(a.dtype.floatingPointResult)
        return try (values * values).sum(axes: normalized, keepDims: keepDims).sqrt()
    }

    private static func vectorNorm<T: TensorFloat>(_ vector: Tensor, _: T.Type) -> T {
        let count = vector.count
        if count == 0 { return 0 }
        var step = vector.strides[0]
        var start = vector.pointer(T.self)
        if count == 1 { step = 1 }
        if step < 0 {
            // BLAS reads negative increments from the far end; walking the same elements forwards is simpler.
            start += (count - 1) * step
            step = -step
        }
        if step == 0 { return Swift.abs(start[0]) * T.sqrt(T(count)) }
        return BLAS.norm2(count: count, x: start, incx: step)
    }
}
