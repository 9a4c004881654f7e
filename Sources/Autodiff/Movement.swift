import Tensors

/// Shape and indexing operations on variables, mirroring `Tensor`'s names. Each gradient is the inverse movement
/// (reshape back, inverse permutation, scatter of a selection, split of a concatenation, …).
extension Variable {
    /// The same elements in row-major order under `shape` (one entry may be -1).
    /// Throws `invalidShape` when the element counts differ.
    public func reshaped(_ shape: [Int]) throws -> Variable {
        Variable.record(.reshape, [self], value: try value.reshaped(shape))
    }
    /// All elements as one axis.
    public func flattened() throws -> Variable { try reshaped([count]) }
    /// Axes of length 1 removed (all of them when `axes` is nil).
    /// Throws `invalidAxis`, and `invalidShape` for a named axis that is not of length 1.
    public func squeezed(axes: [Int]? = nil) throws -> Variable {
        Variable.record(.reshape, [self], value: try value.squeezed(axes: axes))
    }
    /// A new axis of length 1 at `axis` of the result. Throws `invalidAxis`.
    public func unsqueezed(axis: Int) throws -> Variable {
        Variable.record(.reshape, [self], value: try value.unsqueezed(axis: axis))
    }

    /// Axes reordered: result axis i is input axis `axes[i]`. Throws `invalidAxis` for an invalid permutation.
    public func permuted(_ axes: [Int]) throws -> Variable {
        let result = try value.permuted(axes)
        let normalized = try axes.map { try Shapes.normalizeAxis($0, rank: rank, operation: "permute") }
        return Variable.record(.permute(axes: normalized), [self], value: result)
    }
    /// All axes reversed (the matrix transpose for rank 2).
    public func transposed() throws -> Variable { try permuted(Array((0..<rank).reversed())) }
    /// Two axes exchanged. Throws `invalidAxis`.
    public func swappingAxes(_ first: Int, _ second: Int) throws -> Variable {
        var order = Array(0..<rank)
        order.swapAt(try Shapes.normalizeAxis(first, rank: rank, operation: "swapaxes"),
                     try Shapes.normalizeAxis(second, rank: rank, operation: "swapaxes"))
        return try permuted(order)
    }
    /// This variable broadcast to `shape` (numpy's `broadcast_to`); the gradient is summed back.
    /// Throws `shapeMismatch`.
    public func broadcast(to shape: [Int]) throws -> Variable {
        Variable.record(.broadcast, [self], value: try value.broadcast(to: shape))
    }

    /// `self[indices]` with numpy's meaning (ints, slices, new axes, ellipsis, int64 index arrays, bool masks).
    /// The gradient is scattered back to the positions read, accumulating where an index array repeats a position.
    /// Throws what `Tensor.get` throws (`index` for out-of-bounds positions, …).
    public func get(_ indices: [TensorIndex]) throws -> Variable {
        Variable.record(.get(indices: indices), [self], value: try value.get(indices))
    }

    /// `self[..., range, ...]`: positions `range` along `axis` (clipped to the axis). Throws `invalidAxis`.
    public func sliced(axis: Int, _ range: Range<Int>) throws -> Variable {
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "slice")
        return try get(Array(repeating: .all, count: position)
                       + [.slice(start: range.lowerBound, stop: range.upperBound, step: 1)])
    }
    /// Position `index` along `axis`, that axis removed. Throws `invalidAxis`, and `index` when out of bounds.
    public func selecting(_ index: Int, axis: Int) throws -> Variable {
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "select")
        return try get(Array(repeating: .all, count: position) + [.index(index)])
    }
    /// Elements at int64 `indices` along `axis` (numpy's `take`; the flattened variable when `axis` is nil), of shape
    /// `shape[..<axis] + indices.shape + shape[(axis + 1)...]`. Repeated indices accumulate their gradients.
    /// Throws `dtype` for indices that are not int64, `index` for an index out of bounds, `invalidAxis`.
    public func take(_ indices: Tensor, axis: Int? = nil) throws -> Variable {
        guard indices.dtype == .int64 else {
            throw TensorError(.dtype, "take", "indices must be int64, got \(indices.dtype)")
        }
        guard let axis else { return try flattened().take(indices, axis: 0) }
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "take")
        return try get(Array(repeating: .all, count: position) + [.array(indices)])
    }

    /// The variables joined along the existing `axis`; the others' shapes must agree off that axis.
    /// Throws what `Tensor.concatenate` throws (`invalidArgument` for an empty list, `shapeMismatch`, `invalidAxis`).
    public static func concatenate(_ variables: [Variable], axis: Int = 0) throws -> Variable {
        let result = try Tensor.concatenate(variables.map(\.value), axis: axis)
        let normalized = try Shapes.normalizeAxis(axis, rank: variables[0].rank, operation: "concatenate")
        return record(.concatenate(axis: normalized), variables, value: result)
    }
    /// The variables (all of one shape) joined along a new `axis`.
    /// Throws what `Tensor.stack` throws (`invalidArgument` for an empty list, `shapeMismatch`, `invalidAxis`).
    public static func stack(_ variables: [Variable], axis: Int = 0) throws -> Variable {
        let result = try Tensor.stack(variables.map(\.value), axis: axis)
        let normalized = try Shapes.normalizeAxis(axis, rank: result.rank, operation: "stack")
        return record(.stack(axis: normalized), variables, value: result)
    }
    /// `sections` equal pieces along `axis`, each differentiable on its own.
    /// Throws `invalidArgument` when `sections` < 1 or does not divide the axis; `invalidAxis`.
    public func split(sections: Int, axis: Int = 0) throws -> [Variable] {
        let tensors = try value.split(sections: sections, axis: axis)
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "split")
        let piece = shape[position] / sections
        return try split(at: (1..<tensors.count).map { $0 * piece }, axis: position)
    }
    /// The pieces `self[:i0], self[i0:i1], …, self[ik:]` along `axis` (numpy's rules: negative indices count from
    /// the end, out-of-range ones are clipped, decreasing ones give empty pieces), each recorded as the slice it is
    /// so that its gradient lands in its own range. Throws `invalidAxis`.
    public func split(at indices: [Int], axis: Int = 0) throws -> [Variable] {
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "split")
        let bounds: [Int?] = [0] + indices.map { Optional($0) } + [nil]
        let prefix = [TensorIndex](repeating: .all, count: position)
        return try (0..<(bounds.count - 1)).map { piece in
            try get(prefix + [.slice(start: bounds[piece], stop: bounds[piece + 1], step: nil)])
        }
    }
}
