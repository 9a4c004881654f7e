/// The iteration plan of an elementwise kernel over up to four operands of one (broadcast) shape.
///
/// Axes are coalesced first: adjacent axes merge when every operand steps through them as through one axis, and
/// axes of length 1 drop out. A contiguous tensor becomes a single axis, so kernels see long inner rows.
@usableFromInline
struct StridedLoop: Sendable {
    /// Coalesced shape; never empty (a scalar loop has shape [1]).
    @usableFromInline var shape: [Int]
    /// `strides[operand][axis]` in elements.
    @usableFromInline var strides: [[Int]]
    @usableFromInline var offsets: [Int]

    /// - Parameters: `shape` is the common shape; each operand gives its strides for it (0 on broadcast axes) and
    ///   its base offset.
    @usableFromInline
    init(shape: [Int], operands: [(strides: [Int], offset: Int)]) {
        var mergedShape: [Int] = []
        var mergedStrides = [[Int]](repeating: [], count: operands.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let lastLength = mergedShape.last {
                let canMerge = operands.indices.allSatisfy { operand in
                    mergedStrides[operand].last! == operands[operand].strides[axis] * shape[axis]
                }
                if canMerge {
                    mergedShape[mergedShape.count - 1] = lastLength * shape[axis]
                    for operand in operands.indices {
                        mergedStrides[operand][mergedStrides[operand].count - 1] = operands[operand].strides[axis]
                    }
                    continue
                }
            }
            mergedShape.append(shape[axis])
            for operand in operands.indices { mergedStrides[operand].append(operands[operand].strides[axis]) }
        }
        if mergedShape.isEmpty {
            mergedShape = [shape.contains(0) ? 0 : 1]
            for operand in operands.indices { mergedStrides[operand] = [1] }
        }
        self.shape = mergedShape
        self.strides = mergedStrides
        self.offsets = operands.map(\.offset)
    }

    @inlinable var innerLength: Int { shape[shape.count - 1] }
    @inlinable var rowCount: Int { shape.dropLast().reduce(1, *) }
    @inlinable func innerStride(_ operand: Int) -> Int { strides[operand][shape.count - 1] }

    /// Calls `body(offsets, length)` for each run of `length` elements; `offsets[k]` is operand k's first element
    /// and consecutive elements are `innerStride(k)` apart. Runs on several threads for large loops; throws
    /// `cancelled` when interrupted.
    @inlinable
    func run(operation: String,
             _ body: @escaping @Sendable (_ offsets: UnsafePointer<Int>, _ length: Int) -> Void) throws {
        let inner = innerLength
        let rows = rowCount
        if inner == 0 || rows == 0 { return }
        let loop = self
        if rows == 1 {
            // One long row: split the row itself.
            try parallelRanges(inner, operation: operation) { range in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: loop.offsets.count) { offsets in
                    for operand in loop.offsets.indices {
                        offsets[operand] = loop.offsets[operand] + range.lowerBound * loop.innerStride(operand)
                    }
                    body(UnsafePointer(offsets.baseAddress!), range.count)
                }
            }
            return
        }
        try parallelRanges(rows, grain: inner, operation: operation) { range in
            loop.runRows(range, body)
        }
    }

    /// Runs rows `range` (row = every axis but the last) in order on the calling thread.
    @inlinable
    func runRows(_ range: Range<Int>, _ body: (_ offsets: UnsafePointer<Int>, _ length: Int) -> Void) {
        let operandCount = offsets.count
        let outerRank = shape.count - 1
        withUnsafeTemporaryAllocation(of: Int.self, capacity: operandCount + max(outerRank, 1)) { scratch in
            let current = scratch.baseAddress!
            let position = current + operandCount
            // Position of the first row.
            var remainder = range.lowerBound
            for axis in stride(from: outerRank - 1, through: 0, by: -1) {
                position[axis] = remainder % shape[axis]
                remainder /= shape[axis]
            }
            for operand in 0..<operandCount {
                var start = offsets[operand]
                for axis in 0..<outerRank { start += position[axis] * strides[operand][axis] }
                current[operand] = start
            }
            for _ in range {
                body(UnsafePointer(current), innerLength)
                // Advance the odometer over the outer axes.
                var axis = outerRank - 1
                while axis >= 0 {
                    position[axis] += 1
                    for operand in 0..<operandCount { current[operand] += strides[operand][axis] }
                    if position[axis] < shape[axis] { break }
                    for operand in 0..<operandCount { current[operand] -= strides[operand][axis] * shape[axis] }
                    position[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// Storage offsets of every element of a strided layout, in row-major order (the odometer that index tables,
/// batched linear algebra and strided element walks share).
@usableFromInline
func elementOffsets(shape: [Int], strides: [Int], base: Int) -> [Int] {
    var result = [Int]()
    result.reserveCapacity(shape.reduce(1, *))
    forEachOffset(shape: shape, strides: strides, base: base) { _, offset in result.append(offset) }
    return result
}

/// Calls `body(index, offset)` for each element of a strided layout in row-major order: `index` counts elements,
/// `offset` is the element's storage position.
@inlinable
func forEachOffset(shape: [Int], strides: [Int], base: Int, _ body: (Int, Int) -> Void) {
    let total = shape.reduce(1, *)
    if total == 0 { return }
    var position = [Int](repeating: 0, count: shape.count)
    var current = base
    for index in 0..<total {
        body(index, current)
        var axis = shape.count - 1
        while axis >= 0 {
            position[axis] += 1
            current += strides[axis]
            if position[axis] < shape[axis] { break }
            current -= strides[axis] * shape[axis]
            position[axis] = 0
            axis -= 1
        }
    }
}
