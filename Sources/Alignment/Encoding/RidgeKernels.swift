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

    /// `source[rows, :] − means` as a contiguous `[rows.count, columns]` tensor (no subtraction when `means` is nil):
    /// written into the prefix of the 1-d `buffer` when given and large enough (the caller no longer reads the
    /// buffer's previous contents), else new.
    static func gatherRows<T: TensorFloat>(_: T.Type, _ source: Tensor, rows: [Int], subtracting means: [Double]?,
                                           reusing buffer: Tensor? = nil) -> Tensor
    {
        let columns = source.shape[1]
        let result: Tensor
        if let buffer, buffer.count >= rows.count * columns {
            // A view of the buffer's prefix: blocks reuse one allocation per fold (no heap churn).
            result = try! buffer.sliced(axis: 0, 0..<(rows.count * columns)).reshaped([rows.count, columns])
        } else {
            result = matrix(rows.count, columns, dtype: T.dtype)
        }
        let output = result.mutablePointer(T.self)
        let base = source.pointer(T.self)
        let rowStride = source.strides[0], columnStride = source.strides[1]
        let shift = (means ?? [Double](repeating: 0, count: columns)).map { T(fromDouble: $0) }
        let sharedOutput = SharedPointer(output), sharedBase = SharedPointer(base)
        RidgeParallel.forRanges(rows.count, workPerItem: columns) { range in
            shift.withUnsafeBufferPointer { shift in
                for position in range {
                    let line = sharedBase.base + rows[position] * rowStride
                    let destination = sharedOutput.base + position * columns
                    if columnStride == 1 {
                        for column in 0..<columns { destination[column] = line[column] - shift[column] }
                    } else {
                        for column in 0..<columns { destination[column] = line[column * columnStride] - shift[column] }
                    }
                }
            }
        }
        return result
    }

    /// `source · diag(scale)`: each column of the contiguous `[rows, k]` `source` multiplied by its factor, written
    /// contiguously at `output`.
    static func scaleColumns<T: TensorFloat>(_: T.Type, _ source: Tensor, by scale: [T],
                                             into output: UnsafeMutablePointer<T>) {
        let rows = source.shape[0], columns = source.shape[1]
        let input = SharedPointer(source.pointer(T.self)), destination = SharedPointer(output)
        RidgeParallel.forRanges(rows, workPerItem: columns) { range in
            scale.withUnsafeBufferPointer { scale in
                for row in range {
                    let from = input.base + row * columns, to = destination.base + row * columns
                    for column in 0..<columns { to[column] = from[column] * scale[column] }
                }
            }
        }
    }

    /// Per column of a strided 2-d `source` over `rows`: the first row holding a non-finite value (keyed by
    /// column, for columns that have one), and whether each column is constant. One pass in row order.
    static func inspectColumns<T: TensorFloat>(_: T.Type, _ source: Tensor, rows: [Int])
        -> (nonFinite: [Int: Int], constant: [Bool])
    {
        let columns = source.shape[1]
        let base = source.pointer(T.self)
        let rowStride = source.strides[0], columnStride = source.strides[1]
        var constant = [Bool](repeating: true, count: columns)
        var finite = [Bool](repeating: true, count: columns)
        var nonFinite: [Int: Int] = [:]
        guard let first = rows.first else { return (nonFinite, constant) }
        let reference = (0..<columns).map { base[first * rowStride + $0 * columnStride] }
        for row in rows {
            let line = base + row * rowStride
            for column in 0..<columns {
                let value = line[column * columnStride]
                if value != reference[column] { constant[column] = false }
                if !value.isFinite && finite[column] {
                    finite[column] = false
                    nonFinite[column] = row
                }
            }
        }
        for column in 0..<columns where !finite[column] { constant[column] = false }
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
        scores(of: prediction.pointer(T.self))
    }

    /// The score of each column of the contiguous `[n_val, b]` predictions at `predicted`. Columns are scored in
    /// parallel chunks.
    func scores(of predicted: UnsafePointer<T>) -> [Double] {
        let rows = targets.shape[0], columns = targets.shape[1]
        var result = [Double](repeating: .nan, count: columns)
        let truth = SharedPointer(targets.pointer(T.self)), guess = SharedPointer(predicted)
        let score = self.score, sums = self.sums, squaredDeviations = self.squaredDeviations
        result.withUnsafeMutableBufferPointer { buffer in
            let output = SharedPointer(buffer.baseAddress!)
            RidgeParallel.forRanges(columns, workPerItem: rows) { range in
                let width = range.count
                var first = [Double](repeating: 0, count: width)
                var second = first, third = first
                for row in 0..<rows {
                    let y = truth.base + row * columns + range.lowerBound
                    let p = guess.base + row * columns + range.lowerBound
                    if score == .pearson {
                        for column in 0..<width {
                            let value = p[column].doubleValue
                            first[column] += value
                            second[column] += value * value
                            third[column] += value * y[column].doubleValue
                        }
                    } else {
                        for column in 0..<width {
                            let difference = (y[column] - p[column]).doubleValue
                            first[column] += difference * difference
                        }
                    }
                }
                let count = Double(rows)
                for column in 0..<width {
                    let target = range.lowerBound + column
                    switch score {
                    case .negativeMeanSquaredError:
                        output.base[target] = -first[column] / count
                    case .r2:
                        output.base[target] = squaredDeviations[target] > 0
                            ? 1 - first[column] / squaredDeviations[target] : .nan
                    case .pearson:
                        let meanTruth = sums[target] / count, meanPrediction = first[column] / count
                        let covariance = third[column] - count * meanTruth * meanPrediction
                        let spread = Swift.max(0, second[column] - count * meanPrediction * meanPrediction)
                        let denominator = (squaredDeviations[target] * spread).squareRoot()
                        output.base[target] = denominator > 0 ? covariance / denominator : .nan
                    }
                }
            }
        }
        return result
    }
}
