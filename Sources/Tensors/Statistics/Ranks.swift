extension Statistics {
    /// Ranks along `axis`, 1 for the smallest value, ties sharing the average of the ranks they span
    /// (scipy.stats.rankdata with `method='average'`): `[10, 20, 20, 5]` ranks as `[2, 3.5, 3.5, 1]`.
    ///
    /// - Parameters: `x` of any shape of rank ≥ 1; `axis` (negative counts from the end).
    /// - Returns: float64 of the shape of `x` (ranks of more than 2^24 elements are not exact in float32). A lane
    ///   along `axis` that holds a NaN is NaN throughout, as scipy's `nan_policy='propagate'`.
    /// - Throws: `invalidAxis` for an axis out of range (a 0-d tensor has none).
    public static func ranks(_ x: Tensor, axis: Int = 0) throws -> Tensor {
        let operation = "ranks"
        let axis = try Shapes.normalizeAxis(axis, rank: x.rank, operation: operation)
        let source = float64Contiguous(x)
        let result = Tensor(uninitializedShape: x.shape, dtype: .float64)
        let length = x.shape[axis]
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let lanes = length == 0 ? 0 : x.count / length
        let input = SendablePointer(source.pointer(Double.self))
        let output = SendablePointer(result.mutablePointer(Double.self))
        // Sorting costs about n log n per lane.
        let grain = max(1, length * max(1, Int.bitWidth - length.leadingZeroBitCount))
        try parallelRanges(lanes, grain: grain, operation: operation) { range in
            var values = [Double](repeating: 0, count: length)
            var order = [Int](repeating: 0, count: length)
            for lane in range {
                // Lane = (outer, inner) position; its elements are `inner` apart.
                let start = (lane / inner) * length * inner + lane % inner
                for index in 0..<length { values[index] = input.base[start + index * inner] }
                rankLane(values, order: &order) { index, rank in output.base[start + index * inner] = rank }
            }
        }
        return result
    }

    /// Average ranks of `values`; `write(index, rank)` receives each one. `order` is scratch of the same length.
    private static func rankLane(_ values: [Double], order: inout [Int], write: (Int, Double) -> Void) {
        let length = values.count
        if values.contains(where: \.isNaN) {
            for index in 0..<length { write(index, .nan) }
            return
        }
        for index in 0..<length { order[index] = index }
        order.sort { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var first = 0
        while first < length {
            var last = first
            while last + 1 < length && values[order[last + 1]] == values[order[first]] { last += 1 }
            // Positions first...last (0-based) hold equal values: each gets the mean of ranks first+1...last+1.
            let rank = Double(first + last) / 2 + 1
            for position in first...last { write(order[position], rank) }
            first = last + 1
        }
    }
}
