/// Products, extrema, truth reductions and arg-extrema.
extension Tensor {
    /// Π over `axes` (int64 for bool/int64 input, wrapping on overflow).
    public func prod(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let source = dtype == .bool ? astype(.int64) : self
        let plan = try source.reductionPlan(axes: axes, keepDims: keepDims, operation: "prod")
        switch source.dtype {
        case .float32: return try reduceRows(plan, Float.self, to: Float.self, operation: "prod") { product($0, $1) }
        case .float64: return try reduceRows(plan, Double.self, to: Double.self, operation: "prod") { product($0, $1) }
        default:
            return try reduceRows(plan, Int64.self, to: Int64.self, operation: "prod") { base, count in
                var total: Int64 = 1
                for index in 0..<count { total = total &* base[index] }
                return total
            }
        }
    }

    /// Largest element over `axes`; NaN propagates. Throws `invalidShape` for an empty reduction.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        try extremum(axes: axes, keepDims: keepDims, operation: "max", largest: true)
    }

    /// Smallest element over `axes`; NaN propagates. Throws `invalidShape` for an empty reduction.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        try extremum(axes: axes, keepDims: keepDims, operation: "min", largest: false)
    }

    private func extremum(axes: [Int]?, keepDims: Bool, operation: String, largest: Bool) throws -> Tensor {
        let plan = try reductionPlan(axes: axes, keepDims: keepDims, operation: operation)
        if plan.innerCount == 0 && plan.outerCount > 0 {
            throw TensorError(.invalidShape, operation,
                              "zero-size reduction over shape \(formatShape(shape)) has no identity")
        }
        switch dtype {
        case .float32: return try reduceRows(plan, Float.self, to: Float.self, operation: operation) { extreme($0, $1, largest) }
        case .float64: return try reduceRows(plan, Double.self, to: Double.self, operation: operation) { extreme($0, $1, largest) }
        case .int64: return try reduceRows(plan, Int64.self, to: Int64.self, operation: operation) { extreme($0, $1, largest) }
        case .bool:
            return try reduceRows(plan, Bool.self, to: Bool.self, operation: operation) { base, count in
                largest ? (0..<count).contains { base[$0] } : (0..<count).allSatisfy { base[$0] }
            }
        }
    }

    /// True where any element over `axes` is nonzero.
    public func any(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let plan = try astype(.bool).reductionPlan(axes: axes, keepDims: keepDims, operation: "any")
        return try reduceRows(plan, Bool.self, to: Bool.self, operation: "any") { base, count in
            (0..<count).contains { base[$0] }
        }
    }

    /// True where every element over `axes` is nonzero (true for an empty reduction).
    public func all(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let plan = try astype(.bool).reductionPlan(axes: axes, keepDims: keepDims, operation: "all")
        return try reduceRows(plan, Bool.self, to: Bool.self, operation: "all") { base, count in
            (0..<count).allSatisfy { base[$0] }
        }
    }

    /// Index of the largest element along `axis` (int64), or in the flattened tensor when `axis` is nil.
    /// The first occurrence wins; a NaN counts as largest, as in numpy. Throws for an empty tensor.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try argExtremum(axis: axis, keepDims: keepDims, operation: "argmax", largest: true)
    }

    /// Index of the smallest element along `axis` (int64), or in the flattened tensor when `axis` is nil.
    public func argmin(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try argExtremum(axis: axis, keepDims: keepDims, operation: "argmin", largest: false)
    }

    private func argExtremum(axis: Int?, keepDims: Bool, operation: String, largest: Bool) throws -> Tensor {
        let flat = axis == nil ? Tensor(storage: contiguous().storage, dtype: dtype, shape: [count], strides: [1],
                                         offset: contiguous().offset) : self
        let axes = [axis ?? 0]
        var plan = try flat.reductionPlan(axes: axes, keepDims: keepDims && axis != nil, operation: operation)
        if axis == nil && keepDims { plan.outputShape = [Int](repeating: 1, count: rank) }
        if plan.innerCount == 0 {
            throw TensorError(.invalidShape, operation, "attempt to get \(operation) of an empty sequence")
        }
        let numeric = dtype == .bool ? plan.view.astype(.int64) : plan.view
        plan.view = numeric
        switch numeric.dtype {
        case .float32: return try reduceRows(plan, Float.self, to: Int64.self, operation: operation) { extremeIndex($0, $1, largest) }
        case .float64: return try reduceRows(plan, Double.self, to: Int64.self, operation: operation) { extremeIndex($0, $1, largest) }
        default: return try reduceRows(plan, Int64.self, to: Int64.self, operation: operation) { extremeIndex($0, $1, largest) }
        }
    }
}

@inlinable
func product<T: TensorFloat>(_ base: UnsafePointer<T>, _ count: Int) -> T {
    var total: T = 1
    for index in 0..<count { total *= base[index] }
    return total
}

@inlinable
func extreme<T: TensorNumeric>(_ base: UnsafePointer<T>, _ count: Int, _ largest: Bool) -> T {
    var best = base[0]
    for index in 1..<Swift.max(count, 1) {
        let value = base[index]
        if value != value { return value }  // NaN propagates
        if largest ? value > best : value < best { best = value }
    }
    return best
}

@inlinable
func extremeIndex<T: TensorNumeric>(_ base: UnsafePointer<T>, _ count: Int, _ largest: Bool) -> Int64 {
    var best = base[0], bestIndex = 0
    if best != best { return 0 }
    for index in 1..<Swift.max(count, 1) {
        let value = base[index]
        if value != value { return Int64(index) }
        if largest ? value > best : value < best { best = value; bestIndex = index }
    }
    return Int64(bestIndex)
}
