/// Joining tensors along an axis and splitting one into pieces (numpy's concatenate, stack, split).
extension Tensor {
    /// The tensors laid end to end along `axis` (numpy's `concatenate`). The result's dtype is the promotion of all
    /// dtypes (`DType.promote`); its length on `axis` is the sum of theirs.
    /// - Parameters:
    ///   - tensors: at least one tensor; all of the same rank ≥ 1 and the same shape except on `axis`.
    ///   - axis: the joining axis, negative counting from the end.
    /// - Throws: `invalidArgument` for an empty list; `invalidShape` for 0-d tensors or mixed ranks;
    ///   `shapeMismatch` (naming all shapes) when the shapes differ off `axis`; `invalidAxis`; `cancelled`.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        let operation = "concatenate"
        guard let first = tensors.first else {
            throw TensorError(.invalidArgument, operation, "needs at least one tensor")
        }
        let shapes = tensors.map { formatShape($0.shape) }.joined(separator: ", ")
        guard first.rank > 0 else {
            throw TensorError(.invalidShape, operation, "0-d tensors cannot be concatenated, got shapes \(shapes)")
        }
        guard tensors.allSatisfy({ $0.rank == first.rank }) else {
            throw TensorError(.invalidShape, operation, "tensors must have the same rank, got shapes \(shapes)")
        }
        let joined = try Shapes.normalizeAxis(axis, rank: first.rank, operation: operation)
        for tensor in tensors {
            for other in 0..<first.rank where other != joined && tensor.shape[other] != first.shape[other] {
                throw TensorError(.shapeMismatch, operation,
                                  "shapes \(shapes) must agree on every axis except axis \(joined)")
            }
        }
        let dtype = tensors.dropFirst().reduce(first.dtype) { DType.promote($0, $1.dtype) }
        var shape = first.shape
        shape[joined] = tensors.reduce(0) { $0 + $1.shape[joined] }
        try validate(shape: shape, operation: operation)
        let result = Tensor(uninitializedShape: shape, dtype: dtype)
        var start = 0
        for tensor in tensors {
            try copyElements(from: tensor.astype(dtype), into: result.storage, strides: result.strides,
                             offset: start * result.strides[joined], operation: operation)
            start += tensor.shape[joined]
        }
        return result
    }

    /// The tensors joined along a new axis `axis` of the result (numpy's `stack`): result shape is the common shape
    /// with `tensors.count` inserted at `axis`, dtype the promotion of all dtypes.
    /// - Parameters: `tensors`: at least one, all of one shape; `axis` in `-(rank + 1)...rank`.
    /// - Throws: `invalidArgument` for an empty list; `shapeMismatch` naming all shapes when they differ;
    ///   `invalidAxis`; `cancelled`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        let operation = "stack"
        guard let first = tensors.first else {
            throw TensorError(.invalidArgument, operation, "needs at least one tensor")
        }
        guard tensors.allSatisfy({ $0.shape == first.shape }) else {
            let shapes = tensors.map { formatShape($0.shape) }.joined(separator: ", ")
            throw TensorError(.shapeMismatch, operation, "all tensors must have the same shape, got \(shapes)")
        }
        let position = try Shapes.normalizeAxis(axis, rank: first.rank + 1, operation: operation)
        return try concatenate(tensors.map { try $0.unsqueezed(axis: position) }, axis: position)
    }

    /// `sections` equal pieces along `axis` (numpy's `split` with an integer), each a view.
    /// - Throws: `invalidArgument` when `sections` < 1 or does not divide the axis length; `invalidAxis`.
    public func split(sections: Int, axis: Int = 0) throws -> [Tensor] {
        let operation = "split"
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: operation)
        guard sections >= 1 else {
            throw TensorError(.invalidArgument, operation, "sections must be at least 1, got \(sections)")
        }
        let length = shape[position]
        guard length % sections == 0 else {
            throw TensorError(.invalidArgument, operation,
                              "axis \(position) of length \(length) in a tensor of shape \(formatShape(shape)) "
                              + "does not divide into \(sections) equal sections")
        }
        let piece = length / sections
        return try (0..<sections).map { try sliced(axis: position, ($0 * piece)..<(($0 + 1) * piece)) }
    }

    /// Pieces `self[:i0], self[i0:i1], …, self[ik:]` along `axis` (numpy's `split` with indices): `indices.count + 1`
    /// views. Indices follow Python slice rules: negative ones count from the end, out-of-range ones are clipped, and
    /// decreasing ones give empty pieces. Throws `invalidAxis`.
    public func split(at indices: [Int], axis: Int = 0) throws -> [Tensor] {
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "split")
        let bounds: [Int?] = [0] + indices.map { Optional($0) } + [nil]
        let prefix = [TensorIndex](repeating: .all, count: position)
        return try (0..<(bounds.count - 1)).map { piece in
            try get(prefix + [.slice(start: bounds[piece], stop: bounds[piece + 1], step: nil)])
        }
    }
}
