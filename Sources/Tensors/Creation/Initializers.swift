/// Building tensors from Swift values and reading them back.
extension Tensor {
    /// A tensor of `shape` holding `scalars` in row-major order.
    /// Throws `invalidShape` when a length is negative or `scalars.count` is not the product of `shape`.
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) throws {
        try Tensor.validate(shape: shape, operation: "tensor")
        guard shape.reduce(1, *) == scalars.count else {
            throw TensorError(.invalidShape, "tensor",
                              "\(scalars.count) values do not fill shape \(formatShape(shape))")
        }
        self.init(uninitializedShape: shape, dtype: T.dtype)
        let destination = mutablePointer(T.self)
        scalars.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { destination.update(from: base, count: source.count) }
        }
    }

    /// A 1-D tensor.
    public init<T: TensorScalar>(_ scalars: [T]) {
        try! self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A 2-D tensor from rows of equal length. Throws `invalidShape` for ragged rows.
    public init<T: TensorScalar>(_ rows: [[T]]) throws {
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else {
            throw TensorError(.invalidShape, "tensor", "rows have different lengths \(rows.map(\.count))")
        }
        try self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// A 3-D tensor from equal blocks of equal rows. Throws `invalidShape` for ragged input.
    public init<T: TensorScalar>(_ blocks: [[[T]]]) throws {
        let matrices = try blocks.map { try Tensor($0) }
        let inner = matrices.first?.shape ?? [0, 0]
        guard matrices.allSatisfy({ $0.shape == inner }) else {
            throw TensorError(.invalidShape, "tensor", "blocks have different shapes \(matrices.map(\.shape))")
        }
        try self.init(shape: [blocks.count] + inner, scalars: blocks.flatMap { $0.flatMap { $0 } })
    }

    /// A 0-d tensor holding one value.
    public init<T: TensorScalar>(scalar: T) {
        try! self.init(shape: [], scalars: [scalar])
    }

    /// Throws `invalidShape` for negative lengths or a total that overflows.
    static func validate(shape: [Int], operation: String) throws {
        var total = 1
        for length in shape {
            guard length >= 0 else {
                throw TensorError(.invalidShape, operation, "negative length in shape \(formatShape(shape))")
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: length)
            guard !overflow, product <= Int(Int32.max) * 64 else {
                throw TensorError(.invalidShape, operation, "shape \(formatShape(shape)) is too large")
            }
            total = product
        }
    }

    /// The elements in row-major order, converted to `T` with `astype` semantics.
    public func scalars<T: TensorScalar>(as _: T.Type = T.self) -> [T] {
        let source = (dtype == T.dtype ? self : self.astype(T.dtype)).contiguous()
        return Array(UnsafeBufferPointer(start: source.pointer(T.self), count: source.count))
    }

    /// The single element of a one-element tensor as a Double. Throws `invalidShape` otherwise.
    public func item() throws -> Double {
        guard count == 1 else {
            throw TensorError(.invalidShape, "item",
                              "only a one-element tensor converts to a number, this one has shape \(formatShape(shape))")
        }
        return element(atOffset: offset)
    }

    /// The element at storage position `offset` as a Double.
    @usableFromInline
    func element(atOffset offset: Int) -> Double {
        switch dtype {
        case .bool: return storage.bytes.assumingMemoryBound(to: Bool.self)[offset].doubleValue
        case .int64: return storage.bytes.assumingMemoryBound(to: Int64.self)[offset].doubleValue
        case .float32: return storage.bytes.assumingMemoryBound(to: Float.self)[offset].doubleValue
        case .float64: return storage.bytes.assumingMemoryBound(to: Double.self)[offset]
        }
    }

    /// The element at a full index (negative entries count from the end) as a Double.
    /// Throws `index` for a wrong number of indices or one out of range.
    public func scalar(at index: [Int]) throws -> Double {
        guard index.count == rank else {
            throw TensorError(.index, "index", "\(index.count) indices for a tensor of rank \(rank)")
        }
        var position = offset
        for axis in 0..<rank {
            let value = index[axis] < 0 ? index[axis] + shape[axis] : index[axis]
            guard value >= 0 && value < shape[axis] else {
                throw TensorError(.index, "index",
                                  "index \(index[axis]) is out of bounds for axis \(axis) with size \(shape[axis])")
            }
            position += value * strides[axis]
        }
        return element(atOffset: position)
    }

    /// A copy converted to `dtype` (numpy's `astype`): floats truncate toward zero into int64, nonzero is `true`.
    public func astype(_ target: DType) -> Tensor {
        if target == dtype { return self }
        switch (dtype, target) {
        case (.float32, .float64): return converted(Float.self, Double.self)
        case (.float64, .float32): return converted(Double.self, Float.self)
        case (.int64, .float64): return converted(Int64.self, Double.self)
        case (.int64, .float32): return converted(Int64.self, Float.self)
        case (.bool, .float32): return converted(Bool.self, Float.self)
        case (.bool, .float64): return converted(Bool.self, Double.self)
        case (.bool, .int64): return converted(Bool.self, Int64.self)
        case (.float32, .int64): return converted(Float.self, Int64.self)
        case (.float64, .int64): return converted(Double.self, Int64.self)
        case (.float32, .bool): return converted(Float.self, Bool.self)
        case (.float64, .bool): return converted(Double.self, Bool.self)
        case (.int64, .bool): return converted(Int64.self, Bool.self)
        default: preconditionFailure("internal: astype \(dtype) -> \(target)")
        }
    }

    private func converted<S: TensorScalar, D: TensorScalar>(_: S.Type, _: D.Type) -> Tensor {
        // Conversion cannot fail and is never interrupted: it is as cheap as a copy.
        try! map(S.self, to: D.self, operation: "astype") { D(fromDouble: $0.doubleValue) }
    }
}
