/// Accurate summation kernels. float32 sums use numpy's pairwise scheme (eight running lanes over blocks of 128,
/// halves summed recursively), whose rounding error grows as O(log n) instead of O(n).

/// Pairwise sum of `count` contiguous elements.
@inlinable
func pairwiseSum<T: TensorFloat & SIMDScalar>(_ base: UnsafePointer<T>, _ count: Int) -> T {
    if count < 8 {
        var total: T = 0
        for index in 0..<count { total += base[index] }
        return total
    }
    if count <= 128 {
        var lanes = SIMD8<T>(UnsafeBufferPointer(start: base, count: 8))
        var index = 8
        while index + 8 <= count {
            lanes += SIMD8<T>(UnsafeBufferPointer(start: base + index, count: 8))
            index += 8
        }
        // Combine as ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)), numpy's order.
        var total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        while index < count { total += base[index]; index += 1 }
        return total
    }
    var half = count / 2
    half -= half % 8
    return pairwiseSum(base, half) + pairwiseSum(base + half, count - half)
}

/// Strided sum accumulated in Double (float32 strided sums are rare and accuracy matters more than speed there).
@inlinable
func stridedSum<T: TensorScalar>(_ base: UnsafePointer<T>, _ count: Int, stride: Int) -> Double {
    var total = 0.0
    for index in 0..<count { total += base[index * stride].doubleValue }
    return total
}

/// Elements per block of a parallel full sum; fixed, so that the result does not depend on the thread count.
@usableFromInline let sumBlock = 1 << 16

/// Sum of `count` contiguous elements on several threads: blocks of `sumBlock` summed pairwise, then the block sums
/// summed pairwise in block order.
@inlinable
func parallelPairwiseSum<T: TensorFloat & SIMDScalar>(_ base: UnsafePointer<T>, _ count: Int,
                                                      operation: String) throws -> T {
    if count <= sumBlock { return pairwiseSum(base, count) }
    let blocks = (count + sumBlock - 1) / sumBlock
    var partial = [T](repeating: 0, count: blocks)
    try partial.withUnsafeMutableBufferPointer { partialBuffer in
        let sums = SendablePointer(partialBuffer.baseAddress!)
        let source = SendablePointer(base)
        try parallelRanges(blocks, grain: sumBlock, operation: operation) { range in
            for block in range {
                let start = block * sumBlock
                sums.base[block] = pairwiseSum(source.base + start, Swift.min(sumBlock, count - start))
            }
        }
    }
    return partial.withUnsafeBufferPointer { pairwiseSum($0.baseAddress!, blocks) }
}
