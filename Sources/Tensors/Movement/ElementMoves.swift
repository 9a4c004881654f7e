/// The two loops that move elements without looking at their values: a strided copy between two views of one shape,
/// and a block transfer that gathers or scatters whole sub-blocks at listed offsets.
///
/// Both move bytes, not numbers: every dtype is moved as words of its item size (1, 4 or 8 bytes) through raw loads
/// and stores, so one kernel serves all dtypes, nothing is converted and the memory is never rebound to a wrong type.

/// A raw address that may cross into the worker closures of a parallel loop; every use writes disjoint elements.
struct RawAddress: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
}

/// One side (source or destination) of a block transfer. Element `(outer, block, inner…)` lies at
/// `outerOffsets[outer] + blockOffsets[block] + Σ inner[i] * innerStrides[i]` elements from `base`.
struct BlockSide {
    var base: UnsafeMutableRawPointer
    var outerOffsets: [Int]
    var blockOffsets: [Int]
    var innerStrides: [Int]
}

extension Tensor {
    /// Copies every element of `source` into the elements of `storage` addressed by `strides` and `offset` (a view of
    /// `source.shape`, which must not overlap itself). `source` may be broadcast (zero strides). Same dtype only.
    /// Runs on several threads for large copies; throws `cancelled` when interrupted.
    static func copyElements(from source: Tensor, into storage: TensorStorage, strides: [Int], offset: Int,
                             operation: String) throws {
        precondition(strides.count == source.rank, "internal: copyElements rank")
        if source.count == 0 { return }
        let loop = StridedLoop(shape: source.shape, operands: [(source.strides, source.offset), (strides, offset)])
        let from = RawAddress(base: source.storage.bytes), to = RawAddress(base: storage.bytes)
        switch source.dtype.itemSize {
        case 1: try copyWords(UInt8.self, loop: loop, from: from, to: to, operation: operation)
        case 4: try copyWords(UInt32.self, loop: loop, from: from, to: to, operation: operation)
        default: try copyWords(UInt64.self, loop: loop, from: from, to: to, operation: operation)
        }
    }

    private static func copyWords<Word: FixedWidthInteger & SendableMetatype>(_: Word.Type, loop: StridedLoop, from: RawAddress,
                                                           to: RawAddress, operation: String) throws {
        let size = MemoryLayout<Word>.stride
        let sourceStride = loop.innerStride(0) * size, destinationStride = loop.innerStride(1) * size
        try loop.run(operation: operation) { offsets, length in
            let input = from.base + offsets[0] * size, output = to.base + offsets[1] * size
            if sourceStride == size && destinationStride == size {
                output.copyMemory(from: input, byteCount: length * size)
            } else {
                for index in 0..<length {
                    (output + index * destinationStride).storeBytes(
                        of: (input + index * sourceStride).load(as: Word.self), as: Word.self)
                }
            }
        }
    }

    /// A contiguous copy made by the (multi-threaded) strided loop.
    func contiguousCopy(operation: String) throws -> Tensor {
        let result = Tensor(uninitializedShape: shape, dtype: dtype)
        try Tensor.copyElements(from: self, into: result.storage, strides: result.strides, offset: 0,
                                operation: operation)
        return result
    }

    /// For every `outer` and `block` (outer-major), copies the `innerShape` block of `source` to `destination`.
    ///
    /// A gather lists index-derived offsets as the source's `blockOffsets`; a scatter lists them as the
    /// destination's. `parallel` must be false when destination blocks may coincide (repeated scatter indices), so
    /// that the last write wins as in numpy.
    static func transferBlocks(dtype: DType, innerShape: [Int], source: BlockSide, destination: BlockSide,
                               parallel: Bool, operation: String) throws {
        precondition(source.outerOffsets.count == destination.outerOffsets.count
                     && source.blockOffsets.count == destination.blockOffsets.count, "internal: transfer counts")
        let outerCount = source.outerOffsets.count, blockCount = source.blockOffsets.count
        let innerCount = innerShape.reduce(1, *)
        if outerCount == 0 || blockCount == 0 || innerCount == 0 { return }
        let plan = StridedLoop(shape: innerShape, operands: [(source.innerStrides, 0), (destination.innerStrides, 0)])
        switch dtype.itemSize {
        case 1: try transferWords(UInt8.self, plan: plan, source: source, destination: destination,
                                  parallel: parallel, operation: operation)
        case 4: try transferWords(UInt32.self, plan: plan, source: source, destination: destination,
                                  parallel: parallel, operation: operation)
        default: try transferWords(UInt64.self, plan: plan, source: source, destination: destination,
                                   parallel: parallel, operation: operation)
        }
    }

    private static func transferWords<Word: FixedWidthInteger & SendableMetatype>(
        _: Word.Type, plan: StridedLoop, source: BlockSide, destination: BlockSide, parallel: Bool, operation: String
    ) throws {
        let size = MemoryLayout<Word>.stride
        let blockCount = source.blockOffsets.count
        let total = source.outerOffsets.count * blockCount
        let innerCount = plan.shape.reduce(1, *)
        let from = RawAddress(base: source.base), to = RawAddress(base: destination.base)
        let sourceOuter = source.outerOffsets, sourceBlocks = source.blockOffsets
        let destinationOuter = destination.outerOffsets, destinationBlocks = destination.blockOffsets
        let body: @Sendable (Range<Int>) -> Void = { range in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: plan.shape.count) { position in
                for item in range {
                    let outer = item / blockCount, block = item % blockCount
                    let sourceStart = sourceOuter[outer] + sourceBlocks[block]
                    let destinationStart = destinationOuter[outer] + destinationBlocks[block]
                    copyBlock(Word.self, plan: plan, size: size, position: position.baseAddress!,
                              from: from.base + sourceStart * size, to: to.base + destinationStart * size)
                }
            }
        }
        if parallel {
            try parallelRanges(total, grain: innerCount, operation: operation, body)
        } else {
            // Serial, in order; still stops between chunks when interrupted.
            let chunk = Swift.max(1, (1 << 20) / Swift.max(innerCount, 1))
            var start = 0
            while start < total {
                try Cancellation.check(operation)
                body(start..<Swift.min(start + chunk, total))
                start += chunk
            }
        }
    }

    /// Copies one block following the coalesced `plan` (operand 0 = source, 1 = destination).
    @inline(__always)
    private static func copyBlock<Word: FixedWidthInteger & SendableMetatype>(_: Word.Type, plan: StridedLoop, size: Int,
                                                          position: UnsafeMutablePointer<Int>,
                                                          from: UnsafeMutableRawPointer,
                                                          to: UnsafeMutableRawPointer) {
        let rank = plan.shape.count
        let sourceStride = plan.strides[0][rank - 1] * size, destinationStride = plan.strides[1][rank - 1] * size
        let length = plan.shape[rank - 1]
        if rank == 1 {
            if sourceStride == size && destinationStride == size {
                to.copyMemory(from: from, byteCount: length * size)
            } else {
                for index in 0..<length {
                    (to + index * destinationStride).storeBytes(
                        of: (from + index * sourceStride).load(as: Word.self), as: Word.self)
                }
            }
            return
        }
        // An odometer over the outer axes of the block.
        for axis in 0..<(rank - 1) { position[axis] = 0 }
        var input = from, output = to
        while true {
            for index in 0..<length {
                (output + index * destinationStride).storeBytes(
                    of: (input + index * sourceStride).load(as: Word.self), as: Word.self)
            }
            var axis = rank - 2
            while axis >= 0 {
                position[axis] += 1
                input += plan.strides[0][axis] * size
                output += plan.strides[1][axis] * size
                if position[axis] < plan.shape[axis] { break }
                input -= plan.strides[0][axis] * plan.shape[axis] * size
                output -= plan.strides[1][axis] * plan.shape[axis] * size
                position[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
