/// Views: new shapes and strides over the same storage, without copying (numpy's reshape, transpose, squeeze,
/// expand_dims, flip, ravel). Writes still never leak between a view and its base: every write goes through
/// `makeUniqueContiguous`, which copies shared storage first.
extension Tensor {
    /// This tensor's elements in row-major order under a new `shape` (numpy's `reshape`).
    ///
    /// One length may be `-1`; it is inferred from the element count. The result is a view when the strides allow
    /// (numpy's no-copy rule: every group of merged or split axes must be laid out contiguously), otherwise a copy.
    /// - Parameter shape: the new shape; its product must equal `count`.
    /// - Throws: `invalidShape` when the counts differ (naming both shapes), for more than one `-1`, a `-1` that
    ///   cannot be inferred (other lengths multiply to 0) or a negative length other than `-1`.
    public func reshaped(_ shape: [Int]) throws -> Tensor {
        let target = try inferShape(shape)
        if target == self.shape { return self }
        if count == 0 {
            return Tensor(storage: storage, dtype: dtype, shape: target,
                          strides: Tensor.contiguousStrides(for: target), offset: offset)
        }
        if let strides = Tensor.viewStrides(shape: self.shape, strides: self.strides, target: target) {
            return Tensor(storage: storage, dtype: dtype, shape: target, strides: strides, offset: offset)
        }
        var result = try contiguousCopy(operation: "reshape")
        result.shape = target
        result.strides = Tensor.contiguousStrides(for: target)
        return result
    }

    /// `shape` with its `-1` resolved. Throws as `reshaped` describes.
    private func inferShape(_ shape: [Int]) throws -> [Int] {
        let unknown = shape.indices.filter { shape[$0] == -1 }
        guard unknown.count <= 1 else {
            throw TensorError(.invalidShape, "reshape",
                              "only one length can be -1, got shape \(formatShape(shape))")
        }
        if let bad = shape.first(where: { $0 < -1 }) {
            throw TensorError(.invalidShape, "reshape", "negative length \(bad) in shape \(formatShape(shape))")
        }
        let mismatch = TensorError(.invalidShape, "reshape",
                                   "cannot reshape a tensor of shape \(formatShape(self.shape)) (\(count) elements) "
                                   + "into shape \(formatShape(shape))")
        var known = 1
        for length in shape where length != -1 {
            let (product, overflow) = known.multipliedReportingOverflow(by: length)
            guard !overflow else { throw mismatch }
            known = product
        }
        guard let position = unknown.first else {
            guard known == count else { throw mismatch }
            return shape
        }
        guard known != 0, count % known == 0 else { throw mismatch }
        var result = shape
        result[position] = count / known
        return result
    }

    /// Strides presenting a tensor of `shape`/`strides` as `target` without copying, or nil when impossible
    /// (numpy's `_attempt_nocopy_reshape`). Both shapes have the same nonzero element count.
    static func viewStrides(shape: [Int], strides: [Int], target: [Int]) -> [Int]? {
        // Axes of length 1 carry no layout information.
        let kept = shape.indices.filter { shape[$0] != 1 }
        let oldShape = kept.map { shape[$0] }, oldStrides = kept.map { strides[$0] }
        var result = [Int](repeating: 0, count: target.count)
        var oldStart = 0, oldEnd = 1, newStart = 0, newEnd = 1
        while newStart < target.count && oldStart < oldShape.count {
            var newProduct = target[newStart], oldProduct = oldShape[oldStart]
            while newProduct != oldProduct {
                if newProduct < oldProduct {
                    newProduct *= target[newEnd]; newEnd += 1
                } else {
                    oldProduct *= oldShape[oldEnd]; oldEnd += 1
                }
            }
            // The old axes of this group must step through memory as one axis.
            for axis in oldStart..<(oldEnd - 1) where oldStrides[axis] != oldShape[axis + 1] * oldStrides[axis + 1] {
                return nil
            }
            result[newEnd - 1] = oldStrides[oldEnd - 1]
            var axis = newEnd - 1
            while axis > newStart {
                result[axis - 1] = result[axis] * target[axis]
                axis -= 1
            }
            newStart = newEnd; newEnd += 1
            oldStart = oldEnd; oldEnd += 1
        }
        // Trailing axes of length 1.
        let last = newStart >= 1 ? result[newStart - 1] : 1
        for axis in newStart..<target.count { result[axis] = last }
        return result
    }

    /// The elements as one axis of length `count`, in row-major order (numpy's `ravel`): a view when the layout
    /// allows, otherwise a copy.
    public func flattened() -> Tensor {
        // Cannot throw: [-1] always fits.
        try! reshaped([-1])
    }

    /// The axes in reverse order (numpy's `transpose()`): `result[i, j, k] = self[k, j, i]`. A view.
    public func transposed() -> Tensor {
        Tensor(storage: storage, dtype: dtype, shape: shape.reversed(), strides: strides.reversed(), offset: offset)
    }

    /// numpy's `.T`: all axes reversed (the matrix transpose for rank 2, the tensor itself for rank 0 and 1). A view.
    public var T: Tensor { transposed() }

    /// The axes reordered: axis `i` of the result is axis `axes[i]` of this tensor (numpy's `transpose(axes)`).
    /// Negative axes count from the end. A view.
    /// - Throws: `invalidAxis` when `axes` is not a permutation of `0..<rank`.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
        guard normalized.count == rank, normalized.sorted() == Array(0..<rank) else {
            throw TensorError(.invalidAxis, "permute", "axes \(axes) are not a permutation of the axes of a tensor "
                              + "of shape \(formatShape(shape))")
        }
        return Tensor(storage: storage, dtype: dtype, shape: normalized.map { shape[$0] },
                      strides: normalized.map { strides[$0] }, offset: offset)
    }

    /// Axes `first` and `second` exchanged (numpy's `swapaxes`). A view. Throws `invalidAxis` for an axis out of range.
    public func swappingAxes(_ first: Int, _ second: Int) throws -> Tensor {
        let a = try Shapes.normalizeAxis(first, rank: rank, operation: "swapaxes")
        let b = try Shapes.normalizeAxis(second, rank: rank, operation: "swapaxes")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permuted(order)
    }

    /// Axes of length 1 removed: all of them when `axes` is nil, otherwise the named ones (numpy's `squeeze`). A view.
    /// - Throws: `invalidAxis` for an axis out of range or repeated; `invalidShape` when a named axis is not of
    ///   length 1.
    public func squeezed(axes: [Int]? = nil) throws -> Tensor {
        let removed: [Int]
        if let axes {
            removed = try Shapes.normalizeAxes(axes, rank: rank, operation: "squeeze")
            if let bad = removed.first(where: { shape[$0] != 1 }) {
                throw TensorError(.invalidShape, "squeeze",
                                  "cannot squeeze axis \(bad) of length \(shape[bad]) in a tensor of shape "
                                  + formatShape(shape))
            }
        } else {
            removed = shape.indices.filter { shape[$0] == 1 }
        }
        let kept = shape.indices.filter { !removed.contains($0) }
        return Tensor(storage: storage, dtype: dtype, shape: kept.map { shape[$0] }, strides: kept.map { strides[$0] },
                      offset: offset)
    }

    /// A new axis of length 1 inserted so that it becomes axis `axis` of the result (numpy's `expand_dims`);
    /// `axis` lies in `-(rank + 1)...rank`, negative counting from the end of the result. A view.
    /// - Throws: `invalidAxis` when `axis` is out of that range.
    public func unsqueezed(axis: Int) throws -> Tensor {
        let position = try Shapes.normalizeAxis(axis, rank: rank + 1, operation: "unsqueeze")
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: position)
        newStrides.insert(0, at: position)
        return Tensor(storage: storage, dtype: dtype, shape: newShape, strides: newStrides, offset: offset)
    }

    /// The order of elements reversed along `axes` (all axes when nil), numpy's `flip`:
    /// `result[i] = self[n - 1 - i]` on each flipped axis. A view with negative strides.
    /// - Throws: `invalidAxis` for an axis out of range or repeated.
    public func flipped(axes: [Int]? = nil) throws -> Tensor {
        let flippedAxes = try Shapes.normalizeAxes(axes, rank: rank, operation: "flip")
        var newStrides = strides, newOffset = offset
        for axis in flippedAxes where shape[axis] > 0 {
            newOffset += (shape[axis] - 1) * strides[axis]
            newStrides[axis] = -strides[axis]
        }
        return Tensor(storage: storage, dtype: dtype, shape: shape, strides: newStrides, offset: newOffset)
    }
}
