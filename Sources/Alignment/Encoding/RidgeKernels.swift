import Tensors

/// The plain loops of the ridge solvers: row gathers with centring, column statistics, column scaling and the
/// per-target scores. Everything heavy is a GEMM elsewhere; these are single passes over a block.
/// Matrices are 2-d tensors of dtype `T`; sources may be strided views, results are new contiguous tensors.
enum RidgeKernels {
    /// A new contiguous `[rows, columns]` tensor of zeros.
    static func matrix(_ rows: Int, _ columns: Int, dtype: DType) -> Tensor {
        // zeros only throws for negative sizes, which callers never pass.
        try! Tensor.zeros([rows, columns], dtype: dtype)
    }

    /// Σ over `rows` of each column of `source`, in float64.
    static func columnSums<T: TensorFloat>(_: T.Type, _ source: Tensor, rows: [Int]) -> [Double] {
        let columns = source.shape[1]
        var sums = [Double](repeating: 0, count: columns)
        let base = source.pointer(T.self)
        let rowStride = source.strides[0], columnStride = source.strides[1]
        sums.withUnsafeMutableBufferPointer { sums in
            for row in rows {
                let line = base + row * rowStride
                if columnStride == 1 {
                    for column in 0..<columns { sums[column] += line[column].doubleValue }
                } else {
                    for column in 0..<columns { sums[column] += line[column * columnStride].doubleValue }
                }
            }
        }
        return sums
    }

    /// Column means over `rows` (zeros when `rows` is empty).
    static func columnMeans<T: TensorFloat>(_ type: T.Type, _ source: Tensor, rows: [Int]) -> [Double] {
        let count = Double(Swift.max(rows.count, 1))
        return columnSums(type, source, rows: rows).map { $0 / count }
    }

    /// `source[rows, :] − means` as a new contiguous `[rows.count, columns]` tensor (no subtraction when `means`
    /// is nil).
    static func gatherRows<T: TensorFloat>(_: T.Type, _ source: Tensor, rows: [Int], subtracting means: [Double]?)
        -> Tensor
    {
        let columns = source.shape[1]
        let result = matrix(rows.count, columns, dtype: T.dtype)
        let output = result.mutablePointer(T.self)
        let base = source.pointer(T.self)
        let rowStride = source.strides[0], columnStride = source.strides[1]
        let shift = (means ?? [Double](repeating: 0, count: columns)).map { T(fromDouble: $0) }
        shift.withUnsafeBufferPointer { shift in
            for (position, row) in rows.enumerated() {
                let line = base + row * rowStride
                let destination = output + position * columns
                if columnStride == 1 {
                    for column in 0..<columns { destination[column] = line[column] - shift[column] }
                } else {
                    for column in 0..<columns { destination[column] = line[column * columnStride] - shift[column] }
                }
            }
        }
        return result
    }

    /// `source · diag(scale)`: each column of the contiguous `[rows, k]` `source` multiplied by its factor, written
    /// into the contiguous `destination` of the same shape.
    static func scaleColumns<T: TensorFloat>(_: T.Type, _ source: Tensor, by scale: [T], into destination: Tensor) {
        let rows = source.shape[0], columns = source.shape[1]
        let input = source.pointer(T.self), output = destination.mutablePointer(T.self)
        scale.withUnsafeBufferPointer { scale in
            for row in 0..<rows {
                let from = input + row * columns, to = output + row * columns
                for column in 0..<columns { to[column] = from[column] * scale[column] }
            }
        }
    }

    /// Per column of a strided 2-d `source` over `rows`: whether every value is finite, and whether the column is
    /// constant. Returns the first non-finite `(row, column)` if any, and the constant flags.
    static func inspectColumns<T: TensorFloat>(_: T.Type, _ source: Tensor, rows: [Int])
        -> (nonFinite: [Int: Int], constant: [Bool])
    {
        let columns = source.shape[1]
        let base = source.pointer(T.self)
        let rowStride = source.strides[0], columnStride = source.strides[1]
        var constant = [Bool](repeating: true, count: columns)
        var nonFinite: [Int: Int] = [:]
        guard let first = rows.first else { return (nonFinite, constant) }
        for column in 0..<columns {
            let reference = base[first * rowStride + column * columnStride]
            var same = true
            var finite = true
            for row in rows {
                let value = base[row * rowStride + column * columnStride]
                if !value.isFinite {
                    if finite { nonFinite[column] = row }
                    finite = false
                    break
                }
                same = same && value == reference
            }
            constant[column] = finite && same
        }
        return (nonFinite, constant)
    }
}

/// One fold's scoring of a block of targets: the validation targets (centred by the training means) and their
/// statistics, reused for every alpha.
struct ValidationBlock<T: TensorFloat> {
    /// `[n_val, b]`, contiguous: validation targets minus the training means.
    let targets: Tensor
    let score: RidgeScore
    /// Σ y and Σ (y − ȳ)² per column, over the validation rows.
    private var sums: [Double]
    private var squaredDeviations: [Double]

    init(targets: Tensor, score: RidgeScore) {
        self.targets = targets
        self.score = score
        let rows = targets.shape[0], columns = targets.shape[1]
        sums = RidgeKernels.columnSums(T.self, targets, rows: Array(0..<rows))
        let means = sums.map { $0 / Double(Swift.max(rows, 1)) }
        var deviations = [Double](repeating: 0, count: columns)
        let values = targets.pointer(T.self)
        for row in 0..<rows {
            let line = values + row * columns
            for column in 0..<columns {
                let difference = line[column].doubleValue - means[column]
                deviations[column] += difference * difference
            }
        }
        squaredDeviations = deviations
    }

    /// The score of each column of the contiguous prediction `[n_val, b]`.
    func scores(of prediction: Tensor) -> [Double] {
        let rows = targets.shape[0], columns = targets.shape[1]
        let truth = targets.pointer(T.self), predicted = prediction.pointer(T.self)
        var residual = [Double](repeating: 0, count: columns)
        switch score {
        case .negativeMeanSquaredError, .r2:
            residual.withUnsafeMutableBufferPointer { residual in
                for row in 0..<rows {
                    let y = truth + row * columns, p = predicted + row * columns
                    for column in 0..<columns {
                        let difference = (y[column] - p[column]).doubleValue
                        residual[column] += difference * difference
                    }
                }
            }
            if score == .negativeMeanSquaredError { return residual.map { -$0 / Double(rows) } }
            return (0..<columns).map { column in
                squaredDeviations[column] > 0 ? 1 - residual[column] / squaredDeviations[column] : .nan
            }
        case .pearson:
            var predictionSums = [Double](repeating: 0, count: columns)
            var predictionSquares = [Double](repeating: 0, count: columns)
            var crossProducts = [Double](repeating: 0, count: columns)
            for row in 0..<rows {
                let y = truth + row * columns, p = predicted + row * columns
                for column in 0..<columns {
                    let value = p[column].doubleValue
                    predictionSums[column] += value
                    predictionSquares[column] += value * value
                    crossProducts[column] += value * y[column].doubleValue
                }
            }
            let count = Double(rows)
            return (0..<columns).map { column in
                let meanTruth = sums[column] / count, meanPrediction = predictionSums[column] / count
                let covariance = crossProducts[column] - count * meanTruth * meanPrediction
                let predictionDeviations = Swift.max(0, predictionSquares[column]
                                                        - count * meanPrediction * meanPrediction)
                let denominator = (squaredDeviations[column] * predictionDeviations).squareRoot()
                return denominator > 0 ? covariance / denominator : .nan
            }
        }
    }
}
