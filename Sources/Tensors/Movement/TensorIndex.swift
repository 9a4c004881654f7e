/// One entry of an index expression `t[i, a:b:c, None, ..., idx]`, with numpy's meaning.
public enum TensorIndex: Sendable {
    /// One position along an axis (negative counts from the end); the axis disappears.
    case index(Int)
    /// Python's `start:stop:step`: nil bounds mean the whole axis in the step's direction; negative bounds count from
    /// the end and out-of-range bounds are clipped; the step may be negative but not zero.
    case slice(start: Int?, stop: Int?, step: Int?)
    /// A new axis of length 1 (numpy's `None` / `np.newaxis`).
    case newAxis
    /// As many whole axes as needed to index every axis (`...`); at most one per expression.
    case ellipsis
    /// An int64 tensor of positions along one axis (a gather), or a bool mask over as many axes as its rank
    /// (the positions where it is true).
    case array(Tensor)

    /// The whole axis (`:`).
    public static let all = TensorIndex.slice(start: nil, stop: nil, step: nil)
}

/// An index expression resolved against one tensor: the basic indices applied as a view, the advanced ones
/// (index arrays, masks) listed against the view's axes.
struct IndexPlan {
    /// One advanced index: the view axis it selects along, the input axis it stood for (for error messages) and
    /// its int64 positions.
    struct Advanced {
        var viewAxis: Int
        var inputAxis: Int
        var positions: Tensor
    }

    /// Ints, slices, new axes and the ellipsis applied; axes under advanced indices left whole.
    var view: Tensor
    var advanced: [Advanced]
    /// numpy puts the broadcast advanced axes first when advanced indices (ints count, once an array is present)
    /// are separated by a slice, a new axis or an ellipsis; otherwise where the first of them stood.
    var advancedFirst: Bool
}

/// Python's slice arithmetic (`PySlice_AdjustIndices`): the first position, the number of positions and the step
/// of `start:stop:step` over an axis of `length` (bounds clipped, negative ones counted from the end).
/// Throws `index` naming `operation` for a zero step.
public func resolveSlice(start: Int?, stop: Int?, step: Int?, length: Int, operation: String) throws
    -> (start: Int, count: Int, step: Int) {
    let step = step ?? 1
    guard step != 0 else { throw TensorError(.index, operation, "slice step cannot be zero") }
    // A step of Int.min behaves as any step larger than the axis; this keeps `-step` from overflowing.
    let safeStep = step == Int.min ? -max(length, 1) : step
    func adjust(_ bound: Int?, default defaultValue: Int) -> Int {
        guard var value = bound else { return defaultValue }
        if value < 0 {
            value = value < -length ? (safeStep < 0 ? -1 : 0) : value + length
        } else if value >= length {
            value = safeStep < 0 ? length - 1 : length
        }
        return value
    }
    let first = adjust(start, default: safeStep < 0 ? length - 1 : 0)
    let end = adjust(stop, default: safeStep < 0 ? -1 : length)
    let count: Int
    if safeStep < 0 {
        count = end < first ? (first - end - 1) / (-safeStep) + 1 : 0
    } else {
        count = first < end ? (end - first - 1) / safeStep + 1 : 0
    }
    return (first, count, safeStep)
}

extension Tensor {
    /// Applies the basic part of `indices` and lists the advanced part (see `IndexPlan`).
    /// - Throws: `index` for more than one ellipsis, too many indices, an int out of range, a zero slice step, an
    ///   index array that is neither int64 nor bool, or a mask whose shape differs from the axes it covers.
    func planIndex(_ indices: [TensorIndex], operation: String) throws -> IndexPlan {
        var consumed = 0, ellipses = 0, hasArray = false
        for index in indices {
            switch index {
            case .index, .slice: consumed += 1
            case .newAxis: break
            case .ellipsis: ellipses += 1
            case .array(let array):
                hasArray = true
                switch array.dtype {
                case .int64: consumed += 1
                case .bool: consumed += array.rank
                case .float32, .float64:
                    throw TensorError(.index, operation,
                                      "index arrays must be int64 or bool, got \(array.dtype)")
                }
            }
        }
        guard ellipses <= 1 else { throw TensorError(.index, operation, "an index can only have a single ellipsis") }
        guard consumed <= rank else {
            throw TensorError(.index, operation,
                              "too many indices: tensor of shape \(formatShape(shape)) is \(rank)-dimensional, "
                              + "but \(consumed) were indexed")
        }

        var viewShape: [Int] = [], viewStrides: [Int] = [], viewOffset = offset
        var advanced: [IndexPlan.Advanced] = []
        var axis = 0
        // Positions in `indices` of advanced entries, to apply numpy's adjacency rule.
        var advancedEntries: [Int] = []
        func keepWholeAxis() {
            viewShape.append(shape[axis]); viewStrides.append(strides[axis]); axis += 1
        }
        for (entry, index) in indices.enumerated() {
            switch index {
            case .index(let position):
                let length = shape[axis]
                let normalized = position < 0 ? position + length : position
                guard normalized >= 0 && normalized < length else {
                    throw TensorError(.index, operation,
                                      "index \(position) is out of bounds for axis \(axis) with size \(length)")
                }
                viewOffset += normalized * strides[axis]
                axis += 1
                if hasArray { advancedEntries.append(entry) }
            case .slice(let start, let stop, let step):
                let resolved = try resolveSlice(start: start, stop: stop, step: step, length: shape[axis],
                                                operation: operation)
                if resolved.count > 0 { viewOffset += resolved.start * strides[axis] }
                viewShape.append(resolved.count)
                viewStrides.append(strides[axis] * resolved.step)
                axis += 1
            case .newAxis:
                viewShape.append(1); viewStrides.append(0)
            case .ellipsis:
                for _ in 0..<(rank - consumed) { keepWholeAxis() }
            case .array(let array) where array.dtype == .int64:
                advancedEntries.append(entry)
                advanced.append(.init(viewAxis: viewShape.count, inputAxis: axis, positions: array))
                keepWholeAxis()
            case .array(let mask):
                advancedEntries.append(entry)
                if mask.rank == 0 {
                    // A 0-d mask adds an axis of length 1 and keeps it (true) or selects nothing from it (false).
                    let selected: [Int64] = mask.scalars(as: Bool.self)[0] ? [0] : []
                    advanced.append(.init(viewAxis: viewShape.count, inputAxis: axis, positions: Tensor(selected)))
                    viewShape.append(1); viewStrides.append(0)
                    continue
                }
                let covered = Array(shape[axis..<(axis + mask.rank)])
                guard mask.shape == covered else {
                    throw TensorError(.index, operation,
                                      "boolean mask of shape \(formatShape(mask.shape)) does not match axes "
                                      + "\(axis)..<\(axis + mask.rank) of shape \(formatShape(covered)) "
                                      + "in a tensor of shape \(formatShape(shape))")
                }
                for positions in Tensor.nonzeroPositions(mask) {
                    advanced.append(.init(viewAxis: viewShape.count, inputAxis: axis, positions: positions))
                    keepWholeAxis()
                }
            }
        }
        while axis < rank { keepWholeAxis() }

        let adjacent = advancedEntries.isEmpty
            || advancedEntries.last! - advancedEntries.first! == advancedEntries.count - 1
        return IndexPlan(view: Tensor(storage: storage, dtype: dtype, shape: viewShape, strides: viewStrides,
                                      offset: viewOffset),
                         advanced: advanced, advancedFirst: !adjacent)
    }

    /// numpy's `nonzero` for a bool tensor: one int64 tensor of positions per axis, in row-major order of the trues.
    static func nonzeroPositions(_ mask: Tensor) -> [Tensor] {
        precondition(mask.dtype == .bool && mask.rank > 0, "internal: nonzero of \(mask.dtype) \(mask.shape)")
        let values = mask.storage.bytes.assumingMemoryBound(to: Bool.self)
        // Count first, so that each axis's positions are written once into a tensor of the right length.
        var trueCount = 0
        mask.forEachElementOffset { _, offset in if values[offset] { trueCount += 1 } }
        let results = (0..<mask.rank).map { _ in Tensor(uninitializedShape: [trueCount], dtype: .int64) }
        let destinations = results.map { $0.mutablePointer(Int64.self) }
        var written = 0
        if mask.rank == 1 {
            let destination = destinations[0]
            mask.forEachElementOffset { index, offset in
                if values[offset] { destination[written] = Int64(index); written += 1 }
            }
            return results
        }
        var current = [Int64](repeating: 0, count: mask.rank)
        let lengths = mask.shape.map { Int64($0) }
        mask.forEachElementOffset { _, offset in
            if values[offset] {
                for axis in 0..<current.count { destinations[axis][written] = current[axis] }
                written += 1
            }
            // forEachElementOffset walks in row-major order: advance our own odometer in step.
            var axis = current.count - 1
            while axis >= 0 {
                current[axis] += 1
                if current[axis] < lengths[axis] { break }
                current[axis] = 0
                axis -= 1
            }
        }
        return results
    }
}
