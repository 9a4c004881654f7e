/// Means, variances and the numerically careful composites built on sums and extrema.
extension Tensor {
    /// Arithmetic mean over `axes`: Σx / n. float32 stays float32; int64 and bool give float64.
    /// An empty reduction gives NaN, as numpy does.
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let reduced = try Shapes.normalizeAxes(axes, rank: rank, operation: "mean")
        let n = reduced.map { shape[$0] }.reduce(1, *)
        let source = dtype.isFloatingPoint ? self : astype(.float64)
        return try source.sum(axes: axes, keepDims: keepDims) / Double(n)
    }

    /// Variance over `axes`: Σ(x − mean)² / (n − ddof), computed in two passes for accuracy.
    /// Throws `invalidArgument` for a negative `ddof`; gives NaN (as numpy) when n − ddof ≤ 0.
    public func variance(axes: [Int]? = nil, ddof: Int = 0, keepDims: Bool = false) throws -> Tensor {
        guard ddof >= 0 else { throw TensorError(.invalidArgument, "var", "ddof must be >= 0, got \(ddof)") }
        let reduced = try Shapes.normalizeAxes(axes, rank: rank, operation: "var")
        let n = reduced.map { shape[$0] }.reduce(1, *)
        let source = dtype.isFloatingPoint ? self : astype(.float64)
        let deviations = try source - source.mean(axes: axes, keepDims: true)
        let squares = try deviations.square().sum(axes: axes, keepDims: keepDims)
        let divisor = n - ddof
        return try squares / (divisor > 0 ? Double(divisor) : .nan)
    }

    /// Standard deviation over `axes`: √variance (same `ddof` convention as numpy).
    public func standardDeviation(axes: [Int]? = nil, ddof: Int = 0, keepDims: Bool = false) throws -> Tensor {
        try variance(axes: axes, ddof: ddof, keepDims: keepDims).sqrt()
    }

    /// log Σ exp(x) over `axes`, shifted by the maximum so that it neither overflows nor underflows.
    /// A slice of all −∞ gives −∞. Throws for an empty reduction.
    public func logsumexp(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let source = dtype.isFloatingPoint ? self : astype(.float64)
        let maximum = try source.max(axes: axes, keepDims: true)
        // An infinite maximum would give inf − inf = NaN: shift by zero there instead.
        let shift = try Tensor.where(maximum.isFinite(), maximum, Tensor.weakScalar(0, partner: maximum.dtype))
        let total = try (source - shift).exp().sum(axes: axes, keepDims: true)
        var result = try total.log() + shift
        if !keepDims {
            let reduced = try Shapes.normalizeAxes(axes, rank: rank, operation: "logsumexp")
            let shapeOut = (0..<rank).filter { !reduced.contains($0) }.map { shape[$0] }
            result = Tensor(storage: result.storage, dtype: result.dtype, shape: shapeOut,
                            strides: Tensor.contiguousStrides(for: shapeOut), offset: result.offset)
        }
        return result
    }

    /// exp(x − max) / Σ exp(x − max) along `axis` (default the last), so rows sum to 1.
    public func softmax(axis: Int = -1) throws -> Tensor {
        let normalized = try Shapes.normalizeAxis(axis, rank: rank, operation: "softmax")
        let source = dtype.isFloatingPoint ? self : astype(.float64)
        let exponentials = try (source - source.max(axes: [normalized], keepDims: true)).exp()
        return try exponentials / exponentials.sum(axes: [normalized], keepDims: true)
    }

    /// Σ over `axes` ignoring NaN (numpy's `nansum`); integer input behaves as `sum`.
    public func nanSum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else { return try sum(axes: axes, keepDims: keepDims) }
        return try Tensor.where(isNaN(), Tensor.weakScalar(0, partner: dtype), self).sum(axes: axes, keepDims: keepDims)
    }

    /// Mean over `axes` of the non-NaN elements (numpy's `nanmean`); NaN where a slice has none.
    public func nanMean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else { return try mean(axes: axes, keepDims: keepDims) }
        let present = try isNaN().logicalNot()
        let counts = try present.sum(axes: axes, keepDims: keepDims).astype(dtype)
        return try nanSum(axes: axes, keepDims: keepDims) / counts
    }

    /// Running sum along `axis` (of the flattened tensor when nil): out[i] = Σ_{j ≤ i} x[j].
    /// bool and int64 give int64; float types accumulate in their own precision, as numpy does.
    public func cumsum(axis: Int? = nil) throws -> Tensor {
        let source: Tensor
        let along: Int
        if let axis {
            along = try Shapes.normalizeAxis(axis, rank: rank, operation: "cumsum")
            source = self
        } else {
            let flat = contiguous()
            source = Tensor(storage: flat.storage, dtype: dtype, shape: [count], strides: [1], offset: flat.offset)
            along = 0
        }
        let typed = source.dtype == .bool ? source.astype(.int64) : source
        switch typed.dtype {
        case .float32: return try typed.runningSum(along: along, Float.self)
        case .float64: return try typed.runningSum(along: along, Double.self)
        default: return try typed.runningSum(along: along, Int64.self)
        }
    }

    private func runningSum<T: TensorNumeric>(along axis: Int, _: T.Type) throws -> Tensor {
        // Move the axis last, make it contiguous, scan each row, then move it back.
        let order = (0..<rank).filter { $0 != axis } + [axis]
        let moved = Tensor(storage: storage, dtype: dtype, shape: order.map { shape[$0] },
                           strides: order.map { strides[$0] }, offset: offset).copy()
        let length = shape[axis]
        let rows = length == 0 ? 0 : moved.count / length
        let data = SendablePointer(moved.mutablePointer(T.self))
        try parallelRanges(rows, grain: Swift.max(length, 1), operation: "cumsum") { range in
            for row in range {
                let base = data.base + row * length
                var total = T.zero
                for index in 0..<length {
                    total = total.addingWrapping(base[index])
                    base[index] = total
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axisIndex) in order.enumerated() { inverse[axisIndex] = position }
        return Tensor(storage: moved.storage, dtype: dtype, shape: shape, strides: inverse.map { moved.strides[$0] },
                      offset: 0).contiguous()
    }
}

extension TensorNumeric {
    /// `+` that wraps for integers (numpy semantics) and is ordinary addition for floats.
    @inlinable
    func addingWrapping(_ other: Self) -> Self {
        if let a = self as? Int64, let b = other as? Int64 { return (a &+ b) as! Self }
        return self + other
    }
}
