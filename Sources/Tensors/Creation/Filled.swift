/// Constant and evenly spaced tensors.
extension Tensor {
    /// A tensor of `shape` with every element `value`. Throws `invalidShape` for negative lengths.
    public static func full(_ shape: [Int], value: Double, dtype: DType = .float64) throws -> Tensor {
        try validate(shape: shape, operation: "full")
        var result = Tensor(uninitializedShape: shape, dtype: dtype)
        result.fill(with: value)
        return result
    }

    /// Zeros of `shape` (float64 unless `dtype` says otherwise).
    public static func zeros(_ shape: [Int], dtype: DType = .float64) throws -> Tensor {
        try full(shape, value: 0, dtype: dtype)
    }

    /// Ones of `shape`.
    public static func ones(_ shape: [Int], dtype: DType = .float64) throws -> Tensor {
        try full(shape, value: 1, dtype: dtype)
    }

    /// Sets every element to `value` converted to the dtype. Makes the storage unique first.
    public mutating func fill(with value: Double) {
        makeUniqueContiguous()
        let total = count
        switch dtype {
        case .bool: mutablePointer(Bool.self).update(repeating: value != 0, count: total)
        case .int64: mutablePointer(Int64.self).update(repeating: Int64(fromDouble: value), count: total)
        case .float32: mutablePointer(Float.self).update(repeating: Float(value), count: total)
        case .float64: mutablePointer(Double.self).update(repeating: value, count: total)
        }
    }

    /// `start, start + step, …` below `stop` (numpy's `arange`): int64 when all three are whole numbers and no
    /// dtype is given, float64 otherwise. Throws `invalidArgument` for a zero step.
    public static func arange(_ start: Double, _ stop: Double, step: Double = 1, dtype: DType? = nil) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, stop.isFinite else {
            throw TensorError(.invalidArgument, "arange", "step must be finite and nonzero, bounds finite")
        }
        let steps = ((stop - start) / step).rounded(.up)
        guard steps < Double(Int32.max) else {
            throw TensorError(.invalidShape, "arange", "\(steps) elements is too many")
        }
        let length = Swift.max(0, Int(steps))
        let whole = start == start.rounded() && step == step.rounded() && stop == stop.rounded()
        let values = (0..<length).map { start + Double($0) * step }
        return try Tensor(shape: [length], scalars: values).astype(dtype ?? (whole ? .int64 : .float64))
    }

    /// `arange(0, stop)`.
    public static func arange(_ stop: Double, dtype: DType? = nil) throws -> Tensor {
        try arange(0, stop, dtype: dtype)
    }

    /// `count` evenly spaced values from `start` to `stop` (inclusive unless `endpoint` is false), as numpy's
    /// `linspace`. Throws `invalidArgument` for a negative count.
    public static func linspace(_ start: Double, _ stop: Double, count: Int, endpoint: Bool = true,
                                dtype: DType = .float64) throws -> Tensor {
        guard count >= 0 else { throw TensorError(.invalidArgument, "linspace", "count must be >= 0, got \(count)") }
        try validate(shape: [count], operation: "linspace")
        let divisions = endpoint ? count - 1 : count
        let step = divisions > 0 ? (stop - start) / Double(divisions) : 0
        var values = (0..<count).map { start + Double($0) * step }
        if endpoint && count > 1 { values[count - 1] = stop }
        return try Tensor(shape: [count], scalars: values).astype(dtype)
    }

    /// `base ** linspace(start, stop, count)` (numpy's `logspace`).
    public static func logspace(_ start: Double, _ stop: Double, count: Int, endpoint: Bool = true,
                                base: Double = 10, dtype: DType = .float64) throws -> Tensor {
        let exponents = try linspace(start, stop, count: count, endpoint: endpoint)
        let values = exponents.scalars(as: Double.self).map { Double.pow(base, $0) }
        return try Tensor(shape: [count], scalars: values).astype(dtype)
    }

    /// The `rows × columns` identity (ones on diagonal `k`; above it for k > 0). Throws for negative sizes.
    public static func eye(_ rows: Int, _ columns: Int? = nil, k: Int = 0, dtype: DType = .float64) throws -> Tensor {
        let width = columns ?? rows
        try validate(shape: [rows, width], operation: "eye")
        var values = [Double](repeating: 0, count: rows * width)
        for row in 0..<rows where row + k >= 0 && row + k < width { values[row * width + row + k] = 1 }
        return try Tensor(shape: [rows, width], scalars: values).astype(dtype)
    }

}
