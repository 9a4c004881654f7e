/// Gathers along one axis and repetition (numpy's take, take_along_axis, repeat, tile).
extension Tensor {
    /// Elements at `indices` along `axis` (numpy's `take`): `result[i…, j…, k…] = self[i…, indices[j…], k…]`, of
    /// shape `shape[..<axis] + indices.shape + shape[(axis + 1)...]`. With `axis` nil, the flattened tensor is indexed.
    /// Negative indices count from the end. Returns a new tensor.
    /// - Throws: `dtype` when `indices` is not int64; `index` for an index out of bounds; `invalidAxis`.
    public func take(_ indices: Tensor, axis: Int? = nil) throws -> Tensor {
        let operation = "take"
        guard indices.dtype == .int64 else {
            throw TensorError(.dtype, operation, "indices must be int64, got \(indices.dtype)")
        }
        guard let axis else { return try flattened().take(indices, axis: 0) }
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: operation)
        return try gather(Array(repeating: .all, count: position) + [.array(indices)], operation: operation)
    }

    /// numpy's `take_along_axis`: `result[i, j, k] = self[i, indices[i, j, k], k]` for `axis` 1 of a rank-3 tensor,
    /// and likewise for any rank. `indices` has this tensor's rank; off `axis` its lengths and this tensor's broadcast
    /// together, giving the result's; on `axis` the result has `indices`' length. Typical use: reordering by
    /// `argsort` or picking by `argmax` with `keepDims`.
    /// - Throws: `dtype` when `indices` is not int64; `invalidShape` for a different rank or lengths that do not
    ///   broadcast; `index` for an index out of bounds; `invalidAxis`.
    public func takeAlongAxis(_ indices: Tensor, axis: Int) throws -> Tensor {
        let operation = "take_along_axis"
        guard indices.dtype == .int64 else {
            throw TensorError(.dtype, operation, "indices must be int64, got \(indices.dtype)")
        }
        guard indices.rank == rank else {
            throw TensorError(.invalidShape, operation,
                              "indices of shape \(formatShape(indices.shape)) must have the rank of the tensor, "
                              + "of shape \(formatShape(shape))")
        }
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: operation)
        for other in 0..<rank where other != position {
            let a = shape[other], b = indices.shape[other]
            guard a == b || a == 1 || b == 1 else {
                throw TensorError(.invalidShape, operation,
                                  "indices of shape \(formatShape(indices.shape)) do not broadcast against a tensor of "
                                  + "shape \(formatShape(shape)) off axis \(position)")
            }
        }
        // Every axis gets an advanced index: a broadcastable range off `axis`, the given indices on it.
        let index: [TensorIndex] = try (0..<rank).map { other in
            if other == position { return .array(indices) }
            var rangeShape = [Int](repeating: 1, count: rank)
            rangeShape[other] = shape[other]
            return .array(try Tensor(shape: rangeShape, scalars: (0..<Int64(shape[other])).map { $0 }))
        }
        return try gather(index, operation: operation)
    }

    /// Each element repeated `repeats` times along `axis` (numpy's `repeat`); with `axis` nil, along the flattened
    /// tensor. `[a, b].repeated(2) = [a, a, b, b]`. Throws `invalidArgument` for negative repeats, `invalidAxis`.
    public func repeated(_ repeats: Int, axis: Int? = nil) throws -> Tensor {
        guard let axis else { return try flattened().repeated(repeats, axis: 0) }
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "repeat")
        return try repeated(Array(repeating: repeats, count: shape[position]), axis: position)
    }

    /// Element `i` along `axis` repeated `counts[i]` times (numpy's `repeat` with an array of counts).
    /// - Throws: `invalidArgument` when `counts.count` differs from the axis length or a count is negative;
    ///   `invalidAxis`.
    public func repeated(_ counts: [Int], axis: Int) throws -> Tensor {
        let operation = "repeat"
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: operation)
        guard counts.count == shape[position] else {
            throw TensorError(.invalidArgument, operation,
                              "\(counts.count) counts for axis \(position) of length \(shape[position]) "
                              + "in a tensor of shape \(formatShape(shape))")
        }
        if let negative = counts.first(where: { $0 < 0 }) {
            throw TensorError(.invalidArgument, operation, "repeats must be >= 0, got \(negative)")
        }
        let (total, overflow) = counts.reduce((0, false)) { sum, count in
            let (next, overflowed) = sum.0.addingReportingOverflow(count)
            return (next, sum.1 || overflowed)
        }
        var resultShape = shape
        resultShape[position] = overflow ? Int.max : total
        try Tensor.validate(shape: resultShape, operation: operation)
        var positions: [Int64] = []
        positions.reserveCapacity(total)
        for (element, count) in counts.enumerated() {
            positions.append(contentsOf: repeatElement(Int64(element), count: count))
        }
        return try gather(Array(repeating: .all, count: position) + [.array(Tensor(positions))],
                          operation: operation)
    }

    /// This tensor repeated `repetitions[i]` times along each axis (numpy's `tile`). When `repetitions` is shorter
    /// than the rank, leading 1s are assumed; when longer, the tensor gains leading axes of length 1.
    /// Result length on each axis: tensor length × repetitions. Throws `invalidArgument` for a negative repetition,
    /// `invalidShape` when the result would be too large.
    public func tiled(_ repetitions: [Int]) throws -> Tensor {
        let operation = "tile"
        if let negative = repetitions.first(where: { $0 < 0 }) {
            throw TensorError(.invalidArgument, operation, "repetitions must be >= 0, got \(negative)")
        }
        let resultRank = Swift.max(rank, repetitions.count)
        let lengths = [Int](repeating: 1, count: resultRank - rank) + shape
        let counts = [Int](repeating: 1, count: resultRank - repetitions.count) + repetitions
        let source = try reshaped(lengths)
        // View as [1, n0, 1, n1, …], broadcast to [r0, n0, r1, n1, …], copy, merge pairs.
        var interleavedShape: [Int] = [], interleavedStrides: [Int] = [], broadcastShape: [Int] = []
        for axis in 0..<resultRank {
            interleavedShape += [1, lengths[axis]]
            interleavedStrides += [0, source.strides[axis]]
            broadcastShape += [counts[axis], lengths[axis]]
        }
        let tooLarge = TensorError(.invalidShape, operation, "tiling shape \(formatShape(shape)) by \(repetitions) "
                                   + "gives too many elements")
        var resultShape: [Int] = []
        for axis in 0..<resultRank {
            let (length, overflow) = counts[axis].multipliedReportingOverflow(by: lengths[axis])
            guard !overflow else { throw tooLarge }
            resultShape.append(length)
        }
        guard (try? Tensor.validate(shape: resultShape, operation: operation)) != nil else { throw tooLarge }
        let expanded = Tensor(storage: source.storage, dtype: dtype, shape: interleavedShape,
                              strides: interleavedStrides, offset: source.offset)
        var result = try expanded.broadcast(to: broadcastShape).contiguousCopy(operation: operation)
        result.shape = resultShape
        result.strides = Tensor.contiguousStrides(for: result.shape)
        return result
    }
}
