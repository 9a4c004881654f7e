/// Reading and writing through numpy index expressions: `t[...]` and `t[...] = value`.
///
/// Basic indices (ints, slices, new axes, the ellipsis) select a view; integer arrays and bool masks ("advanced"
/// indices) gather a copy on read and scatter on write. Several advanced indices broadcast together into one block of
/// axes, placed where the first advanced index stood when they are adjacent, and first otherwise (numpy's rule; an
/// int counts as advanced once any array is present).
extension Tensor {
    /// `self[indices]` with numpy's meaning (see `TensorIndex`).
    ///
    /// Result shape: for basic indices, one axis per slice and new axis, none per int, the remaining axes after;
    /// advanced indices add the broadcast shape of their arrays (a mask adds one axis, its number of trues).
    /// Only basic indices: a view sharing storage. Any advanced index: a new contiguous tensor.
    /// - Throws: `index` for an int or index-array entry out of bounds (`index 5 is out of bounds for axis 0 with
    ///   size 3`), too many indices, more than one ellipsis, a zero slice step, a float index array, a mask whose
    ///   shape differs from the axes it covers, or index arrays whose shapes do not broadcast; `cancelled`.
    public func get(_ indices: [TensorIndex]) throws -> Tensor {
        try gather(indices, operation: "index")
    }

    /// `self[indices] = value` with numpy's meaning: `value` (any dtype, converted to this tensor's dtype) is
    /// broadcast to the shape `get(indices)` would have and written to the selected elements. Where an index array
    /// repeats a position, the last write wins. Views and copies sharing this tensor's storage never change: the
    /// storage is made unique first (copy-on-write).
    /// - Throws: what `get` throws, and `shapeMismatch` when `value` does not broadcast to the selection.
    public mutating func set(_ indices: [TensorIndex], to value: Tensor) throws {
        let operation = "index"
        makeUniqueContiguous()
        let plan = try planIndex(indices, operation: operation)
        let geometry = plan.advanced.isEmpty ? nil : try advancedGeometry(plan, operation: operation)
        let selection = geometry?.resultShape ?? plan.view.shape
        var source = value.astype(dtype)
        // numpy accepts extra leading axes of length 1 in the value.
        while source.rank > selection.count, source.shape[0] == 1 { source = try source.squeezed(axes: [0]) }
        guard let broadcastValue = try? source.broadcast(to: selection) else {
            throw TensorError(.shapeMismatch, operation,
                              "cannot assign a value of shape \(formatShape(value.shape)) to a selection of shape "
                              + formatShape(selection))
        }
        guard let geometry else {
            try Tensor.copyElements(from: broadcastValue, into: storage, strides: plan.view.strides,
                                    offset: plan.view.offset, operation: operation)
            return
        }
        let view = plan.view
        let valueStrides = broadcastValue.strides
        let preCount = geometry.preAxes.count, blockRank = geometry.blockShape.count
        let valueSide = BlockSide(
            base: broadcastValue.storage.bytes,
            outerOffsets: elementOffsets(shape: geometry.preAxes.map { view.shape[$0] },
                                         strides: Array(valueStrides[0..<preCount]), base: broadcastValue.offset),
            blockOffsets: blockOffsets(shape: geometry.blockShape,
                                       strides: Array(valueStrides[preCount..<(preCount + blockRank)])),
            innerStrides: Array(valueStrides[(preCount + blockRank)...]))
        let viewSide = BlockSide(
            base: view.storage.bytes,
            outerOffsets: elementOffsets(shape: geometry.preAxes.map { view.shape[$0] },
                                         strides: geometry.preAxes.map { view.strides[$0] }, base: view.offset),
            blockOffsets: geometry.blockOffsets,
            innerStrides: geometry.postAxes.map { view.strides[$0] })
        try Tensor.transferBlocks(dtype: dtype, innerShape: geometry.postAxes.map { view.shape[$0] },
                                  blockCount: geometry.blockCount, source: valueSide, destination: viewSide,
                                  parallel: false, operation: operation)
    }

    /// `self[..., range, ...]`: positions `range` along `axis` (clipped to the axis, as a Python slice). A view.
    /// Throws `invalidAxis` for an axis out of range.
    public func sliced(axis: Int, _ range: Range<Int>) throws -> Tensor {
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "slice")
        return try get(Array(repeating: .all, count: position)
                       + [.slice(start: range.lowerBound, stop: range.upperBound, step: 1)])
    }

    /// `self[..., index, ...]`: position `index` (negative counts from the end) along `axis`, which disappears. A view.
    /// Throws `invalidAxis` for an axis out of range and `index` for an index out of bounds.
    public func selecting(_ index: Int, axis: Int) throws -> Tensor {
        let position = try Shapes.normalizeAxis(axis, rank: rank, operation: "index")
        return try get(Array(repeating: .all, count: position) + [.index(index)])
    }

    /// `get` reporting errors under `operation` (`take` and `take_along_axis` share it).
    func gather(_ indices: [TensorIndex], operation: String) throws -> Tensor {
        let plan = try planIndex(indices, operation: operation)
        if plan.advanced.isEmpty { return plan.view }
        let geometry = try advancedGeometry(plan, operation: operation)
        let view = plan.view
        let result = Tensor(uninitializedShape: geometry.resultShape, dtype: dtype)
        let postShape = geometry.postAxes.map { view.shape[$0] }
        let postCount = postShape.reduce(1, *)
        let blockCount = geometry.blockCount
        let viewSide = BlockSide(
            base: view.storage.bytes,
            outerOffsets: elementOffsets(shape: geometry.preAxes.map { view.shape[$0] },
                                         strides: geometry.preAxes.map { view.strides[$0] }, base: view.offset),
            blockOffsets: geometry.blockOffsets,
            innerStrides: geometry.postAxes.map { view.strides[$0] })
        let resultSide = BlockSide(
            base: result.storage.bytes,
            outerOffsets: (0..<viewSide.outerOffsets.count).map { $0 * blockCount * postCount },
            blockOffsets: .affine(stride: postCount),
            innerStrides: Tensor.contiguousStrides(for: postShape))
        try Tensor.transferBlocks(dtype: dtype, innerShape: postShape, blockCount: blockCount, source: viewSide,
                                  destination: resultSide, parallel: true, operation: operation)
        return result
    }

    /// Where advanced indices read: the broadcast block shape, each block position's storage offset (relative to
    /// the view's offset), and the view axes before and after the block in the result.
    struct AdvancedGeometry {
        var blockShape: [Int]
        var blockCount: Int
        var blockOffsets: BlockOffsets
        var preAxes: [Int]
        var postAxes: [Int]
        var resultShape: [Int]
    }

    /// Broadcasts the index arrays of `plan`, checks their bounds and computes the block offsets.
    /// Throws `index` for arrays that do not broadcast or positions out of bounds.
    func advancedGeometry(_ plan: IndexPlan, operation: String) throws -> AdvancedGeometry {
        let view = plan.view
        var blockShape: [Int] = []
        for entry in plan.advanced {
            guard let common = try? Shapes.broadcast(blockShape, entry.positions.shape, operation: operation) else {
                let shapes = plan.advanced.map { formatShape($0.positions.shape) }.joined(separator: ", ")
                throw TensorError(.index, operation,
                                  "index arrays could not be broadcast together, shapes \(shapes)")
            }
            blockShape = common
        }
        let advancedAxes = Set(plan.advanced.map(\.viewAxis))
        let basicAxes = view.shape.indices.filter { !advancedAxes.contains($0) }
        // Broadcasting index arrays can ask for more elements than memory holds; refuse before allocating.
        try Tensor.validate(shape: blockShape + basicAxes.map { view.shape[$0] }, operation: operation)
        let blockCount = blockShape.reduce(1, *)
        let blockOffsets: BlockOffsets
        if plan.advanced.count == 1, plan.advanced[0].positions.isContiguous {
            // One contiguous index array: check it, then let the transfer read it directly.
            let entry = plan.advanced[0]
            let length = view.shape[entry.viewAxis]
            let values = entry.positions.pointer(Int64.self)
            for index in 0..<blockCount where values[index] < -Int64(length) || values[index] >= Int64(length) {
                throw TensorError(.index, operation, "index \(values[index]) is out of bounds for axis "
                                  + "\(entry.inputAxis) with size \(length)")
            }
            blockOffsets = .positions(entry.positions, stride: view.strides[entry.viewAxis], length: length)
        } else {
            blockOffsets = .table(try offsetTable(plan, blockShape: blockShape, operation: operation))
        }
        let firstAdvanced = plan.advanced.map(\.viewAxis).min()!
        let split = plan.advancedFirst ? 0 : basicAxes.filter { $0 < firstAdvanced }.count
        let preAxes = Array(basicAxes[..<split]), postAxes = Array(basicAxes[split...])
        return AdvancedGeometry(blockShape: blockShape, blockCount: blockCount, blockOffsets: blockOffsets,
                                preAxes: preAxes,
                                postAxes: postAxes,
                                resultShape: preAxes.map { view.shape[$0] } + blockShape
                                    + postAxes.map { view.shape[$0] })
    }
}

extension Tensor {
    /// The storage offset (relative to the view's) of every block position, summed over the broadcast index arrays.
    /// Throws `index` for a position out of bounds.
    fileprivate func offsetTable(_ plan: IndexPlan, blockShape: [Int], operation: String) throws -> [Int] {
        let view = plan.view
        var blockOffsets = [Int](repeating: 0, count: blockShape.reduce(1, *))
        for entry in plan.advanced where !blockOffsets.isEmpty {
            let length = view.shape[entry.viewAxis], step = view.strides[entry.viewAxis]
            let positions = try entry.positions.broadcast(to: blockShape)
            let values = positions.storage.bytes.assumingMemoryBound(to: Int64.self)
            var outOfBounds: Int64?
            blockOffsets.withUnsafeMutableBufferPointer { offsets in
                positions.forEachElementOffset { index, offset in
                    let value = values[offset]
                    let normalized = value < 0 ? Int(value) + length : Int(value)
                    if normalized < 0 || normalized >= length {
                        if outOfBounds == nil { outOfBounds = value }
                        return
                    }
                    offsets[index] += normalized * step
                }
            }
            if let outOfBounds {
                throw TensorError(.index, operation, "index \(outOfBounds) is out of bounds for axis "
                                  + "\(entry.inputAxis) with size \(length)")
            }
        }
        return blockOffsets
    }
}

/// Block offsets of a tensor whose block axes have `shape` and `strides`: affine when they collapse to one axis.
func blockOffsets(shape: [Int], strides: [Int]) -> BlockOffsets {
    let kept = shape.indices.filter { shape[$0] != 1 }
    let collapses = zip(kept, kept.dropFirst()).allSatisfy { strides[$0] == strides[$1] * shape[$1] }
    if collapses { return .affine(stride: kept.last.map { strides[$0] } ?? 0) }
    return .table(elementOffsets(shape: shape, strides: strides, base: 0))
}
