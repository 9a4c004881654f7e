/// Rows summed in the element type before a column sum moves them into its Double accumulator.
@usableFromInline let columnBlockRows = 64

/// Reductions along axes (sum, mean, prod, min, max, any, all).
///
/// `axes` nil reduces every axis; negative axes count from the end; `keepDims` keeps reduced axes with length 1.
/// Result dtypes follow numpy: sums and products of bool and int64 are int64, means of them float64, float types stay.
/// Every reduction throws `invalidAxis` for an axis out of range or repeated.
extension Tensor {
    /// The reduction plan: the view with kept axes first and reduced axes last, and the output shape.
    struct ReductionPlan {
        var view: Tensor
        var outputShape: [Int]
        var outerCount: Int
        var innerCount: Int
        /// The reduced axes of the original tensor, ascending.
        var reducedAxes: [Int]
    }

    func reductionPlan(axes: [Int]?, keepDims: Bool, operation: String) throws -> ReductionPlan {
        let reduced = try Shapes.normalizeAxes(axes, rank: rank, operation: operation)
        let kept = (0..<rank).filter { !reduced.contains($0) }
        let order = kept + reduced
        let view = Tensor(storage: storage, dtype: dtype, shape: order.map { shape[$0] },
                          strides: order.map { strides[$0] }, offset: offset)
        let outputShape = keepDims ? (0..<rank).map { reduced.contains($0) ? 1 : shape[$0] } : kept.map { shape[$0] }
        return ReductionPlan(view: view, outputShape: outputShape, outerCount: kept.map { shape[$0] }.reduce(1, *),
                             innerCount: reduced.map { shape[$0] }.reduce(1, *), reducedAxes: reduced)
    }

    /// Reduces each run of `innerCount` contiguous elements with `reduce(pointer, count) -> D`.
    func reduceRows<S: TensorScalar, D: TensorScalar>(
        _ plan: ReductionPlan, _: S.Type, to _: D.Type, operation: String,
        _ reduce: @escaping @Sendable (UnsafePointer<S>, Int) -> D
    ) throws -> Tensor {
        let source = plan.view.contiguous()
        let result = Tensor(uninitializedShape: plan.outputShape, dtype: D.dtype)
        let input = SendablePointer(source.pointer(S.self)), output = SendablePointer(result.mutablePointer(D.self))
        let inner = plan.innerCount
        try parallelRanges(plan.outerCount, grain: Swift.max(inner, 1), operation: operation) { range in
            for row in range { output.base[row] = reduce(input.base + row * inner, inner) }
        }
        return result
    }

    /// Σ over `axes`.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let plan = try reductionPlan(axes: axes, keepDims: keepDims, operation: "sum")
        switch dtype {
        case .float32: return try floatingSum(plan, Float.self)
        case .float64: return try floatingSum(plan, Double.self)
        case .int64, .bool:
            let integers = Tensor(storage: plan.view.storage, dtype: dtype, shape: plan.view.shape,
                                  strides: plan.view.strides, offset: plan.view.offset).astype(.int64)
            var integerPlan = plan
            integerPlan.view = integers
            return try reduceRows(integerPlan, Int64.self, to: Int64.self, operation: "sum") { base, count in
                var total: Int64 = 0
                for index in 0..<count { total = total &+ base[index] }
                return total
            }
        }
    }

    private func floatingSum<T: TensorFloat & SIMDScalar>(_ plan: ReductionPlan, _: T.Type) throws -> Tensor {
        let view = plan.view
        if plan.outerCount == 1 && view.isContiguous {
            // Full reduction of contiguous data: parallel blocks, combined in a fixed order.
            let total = try parallelPairwiseSum(view.pointer(T.self), plan.innerCount, operation: "sum")
            return try Tensor(shape: plan.outputShape, scalars: [total])
        }
        if let columns = try columnSums(plan, T.self) { return columns }
        return try reduceRows(plan, T.self, to: T.self, operation: "sum") { pairwiseSum($0, $1) }
    }

    /// Sums over leading axes of contiguous data (the common `x.sum(axis=0)` of a [n, p] matrix) without a transpose
    /// copy. Rows are added in blocks of `columnBlockRows` in the element type (a vectorised loop), and each block's
    /// partial sums into a Double accumulator, so float32 column sums stay accurate over many rows.
    private func columnSums<T: TensorFloat>(_ plan: ReductionPlan, _: T.Type) throws -> Tensor? {
        guard isContiguous, plan.innerCount > 0, plan.outerCount > 1,
              plan.reducedAxes == Array(0..<plan.reducedAxes.count) else { return nil }
        let width = plan.outerCount, height = plan.innerCount
        var accumulator = [Double](repeating: 0, count: width)
        let base = pointer(T.self)
        try accumulator.withUnsafeMutableBufferPointer { buffer in
            let totals = SendablePointer(buffer.baseAddress!), source = SendablePointer(base)
            // Split the columns among threads; each thread walks all rows of its columns.
            try parallelRanges(width, grain: height, operation: "sum") { columns in
                let count = columns.count
                withUnsafeTemporaryAllocation(of: T.self, capacity: count) { partial in
                    let block = partial.baseAddress!
                    var rowStart = 0
                    while rowStart < height {
                        let rowEnd = Swift.min(rowStart + columnBlockRows, height)
                        block.update(from: source.base + rowStart * width + columns.lowerBound, count: count)
                        for row in (rowStart + 1)..<Swift.max(rowEnd, rowStart + 1) {
                            let rowBase = source.base + row * width + columns.lowerBound
                            for column in 0..<count { block[column] += rowBase[column] }
                        }
                        let totalsBase = totals.base + columns.lowerBound
                        for column in 0..<count { totalsBase[column] += block[column].doubleValue }
                        rowStart = rowEnd
                    }
                }
            }
        }
        return try Tensor(shape: plan.outputShape, scalars: accumulator.map { T(fromDouble: $0) })
    }
}
