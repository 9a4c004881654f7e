/// The two loops that move elements without looking at their values: a strided copy between two views of one shape,
/// and a block transfer that gathers or scatters whole sub-blocks at listed offsets.
///
/// Both move bytes, not numbers: every dtype is moved as words of its item size (1, 4 or 8 bytes) through raw loads
/// and stores, so one kernel serves all dtypes, nothing is converted and the memory is never rebound to a wrong type.

/// A raw address that may cross into the worker closures of a parallel loop; every use writes disjoint elements.
struct RawAddress: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
}

/// Where each block of a block transfer starts, relative to its outer offset.
enum BlockOffsets {
    /// Listed offsets, one per block.
    case table([Int])
    /// `block * stride`: a contiguous result, or a value whose block axes collapse to one.
    case affine(stride: Int)
    /// `position * stride`, with `position` read from a contiguous int64 tensor of already bounds-checked positions
    /// along an axis of `length` (negative counting from the end). Lets a gather read its index data directly
    /// instead of building a table as large as the index.
    case positions(Tensor, stride: Int, length: Int)
}

/// One side (source or destination) of a block transfer. Element `(outer, block, inner…)` lies at
/// `outerOffsets[outer] + blockOffsets(block) + Σ inner[i] * innerStrides[i]` elements from `base`.
struct BlockSide {
    var base: UnsafeMutableRawPointer
    var outerOffsets: [Int]
    var blockOffsets: BlockOffsets
    var innerStrides: [Int]
}

/// `BlockOffsets` as the worker closures read it: raw pointers valid for the duration of one transfer.
struct BlockAddressing: @unchecked Sendable {
    let table: UnsafePointer<Int>?
    let positions: UnsafePointer<Int64>?
    let stride: Int
    let length: Int

    @inline(__always)
    func offset(_ block: Int) -> Int {
        if let table { return table[block] }
        if let positions {
            let position = Int(positions[block])
            return (position < 0 ? position + length : position) * stride
        }
        return block * stride
    }

    /// Calls `body` with an addressing whose pointers stay valid until it returns.
    static func with<Result>(_ offsets: BlockOffsets, _ body: (BlockAddressing) throws -> Result) rethrows -> Result {
        switch offsets {
        case .table(let table):
            return try table.withUnsafeBufferPointer { buffer in
                try body(BlockAddressing(table: buffer.baseAddress, positions: nil, stride: 0, length: 0))
            }
        case .affine(let stride):
            return try body(BlockAddressing(table: nil, positions: nil, stride: stride, length: 0))
        case .positions(let tensor, let stride, let length):
            precondition(tensor.dtype == .int64 && tensor.isContiguous, "internal: block positions layout")
            return try withExtendedLifetime(tensor) {
                try body(BlockAddressing(table: nil, positions: tensor.pointer(Int64.self), stride: stride,
                                         length: length))
            }
        }
    }
}

/// A table of element offsets read by the worker closures of a parallel loop; never written there.
struct OffsetTable: @unchecked Sendable {
    let base: UnsafePointer<Int>
    init(_ buffer: UnsafeBufferPointer<Int>) {
        // An empty table is never read; a placeholder address keeps the pointer non-optional.
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Int>.alignment)!
    }
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

    private static func copyWords<Word: FixedWidthInteger & SendableMetatype>(
        _: Word.Type, loop: StridedLoop, from: RawAddress, to: RawAddress, operation: String
    ) throws {
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

    /// For every `outer` and `block` (outer-major, `blockCount` blocks), copies the `innerShape` block of `source`
    /// to `destination`.
    ///
    /// A gather addresses the source's blocks by index positions; a scatter the destination's. `parallel` must be
    /// false when destination blocks may coincide (repeated scatter indices), so that the last write wins as in numpy.
    static func transferBlocks(dtype: DType, innerShape: [Int], blockCount: Int, source: BlockSide,
                               destination: BlockSide, parallel: Bool, operation: String) throws {
        precondition(source.outerOffsets.count == destination.outerOffsets.count, "internal: transfer counts")
        let innerCount = innerShape.reduce(1, *)
        if source.outerOffsets.isEmpty || blockCount == 0 || innerCount == 0 { return }
        let plan = StridedLoop(shape: innerShape, operands: [(source.innerStrides, 0), (destination.innerStrides, 0)])
        try BlockAddressing.with(source.blockOffsets) { sourceBlocks in
            try BlockAddressing.with(destination.blockOffsets) { destinationBlocks in
                try source.outerOffsets.withUnsafeBufferPointer { sourceOuter in
                    try destination.outerOffsets.withUnsafeBufferPointer { destinationOuter in
                        let transfer = BlockTransfer(
                            plan: plan, blockCount: blockCount, innerCount: innerCount,
                            source: RawAddress(base: source.base), destination: RawAddress(base: destination.base),
                            sourceOuter: OffsetTable(sourceOuter), destinationOuter: OffsetTable(destinationOuter),
                            sourceBlocks: sourceBlocks, destinationBlocks: destinationBlocks)
                        let total = sourceOuter.count * blockCount
                        switch dtype.itemSize {
                        case 1: try transfer.run(UInt8.self, total: total, parallel: parallel, operation: operation)
                        case 4: try transfer.run(UInt32.self, total: total, parallel: parallel, operation: operation)
                        default: try transfer.run(UInt64.self, total: total, parallel: parallel, operation: operation)
                        }
                    }
                }
            }
        }
    }
}

/// One block transfer's addresses, shared by the worker closures; valid while `transferBlocks` runs.
struct BlockTransfer: Sendable {
    let plan: StridedLoop
    let blockCount: Int
    let innerCount: Int
    let source: RawAddress
    let destination: RawAddress
    let sourceOuter: OffsetTable
    let destinationOuter: OffsetTable
    let sourceBlocks: BlockAddressing
    let destinationBlocks: BlockAddressing

    func run<Word: FixedWidthInteger & SendableMetatype>(_: Word.Type, total: Int, parallel: Bool,
                                                        operation: String) throws {
        if parallel {
            try parallelRanges(total, grain: innerCount, operation: operation) { range in
                self.copy(Word.self, range)
            }
            return
        }
        // Serial, in order; still stops between chunks when interrupted.
        let chunk = max(1, (1 << 20) / max(innerCount, 1))
        var start = 0
        while start < total {
            try Cancellation.check(operation)
            copy(Word.self, start..<min(start + chunk, total))
            start += chunk
        }
    }

    /// Copies items `range` (item = outer * blockCount + block).
    private func copy<Word: FixedWidthInteger & SendableMetatype>(_: Word.Type, _ range: Range<Int>) {
        let size = MemoryLayout<Word>.stride
        var outer = range.lowerBound / blockCount, block = range.lowerBound % blockCount
        if innerCount == 1 {
            // Blocks of one element (every remaining axis indexed): a plain gather or scatter loop.
            for _ in range {
                let input = sourceOuter.base[outer] + sourceBlocks.offset(block)
                let output = destinationOuter.base[outer] + destinationBlocks.offset(block)
                (destination.base + output * size).storeBytes(
                    of: (source.base + input * size).load(as: Word.self), as: Word.self)
                block += 1
                if block == blockCount { block = 0; outer += 1 }
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: plan.shape.count) { position in
            for _ in range {
                let input = sourceOuter.base[outer] + sourceBlocks.offset(block)
                let output = destinationOuter.base[outer] + destinationBlocks.offset(block)
                Tensor.copyBlock(Word.self, plan: plan, size: size, position: position.baseAddress!,
                                 from: source.base + input * size, to: destination.base + output * size)
                block += 1
                if block == blockCount { block = 0; outer += 1 }
            }
        }
    }
}

extension Tensor {
    /// Copies one block following the coalesced `plan` (operand 0 = source, 1 = destination).
    @inline(__always)
    static func copyBlock<Word: FixedWidthInteger & SendableMetatype>(
        _: Word.Type, plan: StridedLoop, size: Int, position: UnsafeMutablePointer<Int>,
        from: UnsafeMutableRawPointer, to: UnsafeMutableRawPointer
    ) {
        let rank = plan.shape.count
        let sourceStride = plan.strides[0][rank - 1] * size, destinationStride = plan.strides[1][rank - 1] * size
        let length = plan.shape[rank - 1]
        if rank == 1 {
            if length == 1 {
                to.storeBytes(of: from.load(as: Word.self), as: Word.self)
            } else if sourceStride == size && destinationStride == size {
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
