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

    /// A new 1-d tensor of `count` elements left uninitialised: a scratch buffer that every reader writes before it
    /// reads (pages never written are never touched, so they cost no resident memory).
    static func buffer(_ count: Int, dtype: DType) -> Tensor {
        Tensor(uninitializedShape: [count], dtype: dtype)
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

    /// `alpha · F_runsᵀ Y_runs` into `output` (`[columns, b]`, row stride `outputRowStride`): per run, the rows
    /// `position..<position + count` of the row-major `factors` (`columns` wide) against the rows
    /// `start..<start + count` of `targets` (`[n, b]`, column stride 1), read in place — one GEMM per run, the first
    /// with `beta` (0 overwrites, 1 accumulates), the others accumulating.
    static func runProducts<T: TensorFloat>(_: T.Type, factors: UnsafePointer<T>, columns: Int, runs: [RowRun],
                                            targets: Tensor, alpha: T, beta: T,
                                            into output: UnsafeMutablePointer<T>, outputRowStride: Int) {
        let width = targets.shape[1]
        let rowStride = targets.shape[0] == 1 ? width : targets.strides[0]
        for (index, run) in runs.enumerated() {
            Linalg.gemm(transposeA: true, transposeB: false, m: columns, n: width, k: run.count, alpha: alpha,
                        a: factors + run.position * columns, lda: columns,
                        b: targets.pointer(T.self) + run.start * rowStride, ldb: rowStride,
                        beta: index > 0 ? T(fromDouble: 1) : beta, c: output, ldc: outputRowStride)
        }
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
}

/// Rows of a list that follow each other (`start..<start+count` in the source, at `position` in the list): a
/// projection over such runs reads the targets in place, as views, instead of gathering the rows.
struct RowRun: Sendable, Equatable {
    var position: Int
    var start: Int
    var count: Int

    /// The runs of `rows` in order.
    static func runs(_ rows: [Int]) -> [RowRun] {
        var result: [RowRun] = []
        for (position, row) in rows.enumerated() {
            if var last = result.last, last.start + last.count == row {
                last.count += 1
                result[result.count - 1] = last
            } else {
                result.append(RowRun(position: position, start: row, count: 1))
            }
        }
        return result
    }
}

/// Per-column moments of a block of targets over some rows: one vectorised pass.
struct ColumnMoments {
    /// Σ y and Σ y² per column, in float64.
    var sums: [Double]
    var squares: [Double]
    /// Whether each column is constant (all values equal and finite).
    var constant: [Bool]
    /// For columns holding NaN or ±inf: the first such row (in the order of `rows`), by column.
    var nonFinite: [Int: Int]

    /// Moments of the `[n, b]` block `source` (column stride 1) over `rows`; columns are split over threads.
    init<T: TensorFloat>(_: T.Type, _ source: Tensor, rows: [Int]) {
        let columns = source.shape[1], rowStride = source.strides[0]
        precondition(columns <= 1 || source.strides[1] == 1, "internal: target block columns must be contiguous")
        var sums = [Double](repeating: 0, count: columns), squares = sums
        var low = [T](repeating: 0, count: columns), high = low
        let base = SharedPointer(source.pointer(T.self))
        sums.withUnsafeMutableBufferPointer { sumsBuffer in
            squares.withUnsafeMutableBufferPointer { squaresBuffer in
                low.withUnsafeMutableBufferPointer { lowBuffer in
                    high.withUnsafeMutableBufferPointer { highBuffer in
                        let sum = SharedPointer(sumsBuffer.baseAddress!), square = SharedPointer(squaresBuffer.baseAddress!)
                        let minimum = SharedPointer(lowBuffer.baseAddress!), maximum = SharedPointer(highBuffer.baseAddress!)
                        RidgeParallel.forRanges(columns, workPerItem: rows.count) { range in
                            guard let first = rows.first else { return }
                            let start = range.lowerBound, width = range.count
                            let s = sum.base + start, q = square.base + start
                            let lo = minimum.base + start, hi = maximum.base + start
                            let firstLine = base.base + first * rowStride + start
                            for column in 0..<width { lo[column] = firstLine[column]; hi[column] = firstLine[column] }
                            for row in rows {
                                let line = base.base + row * rowStride + start
                                for column in 0..<width {
                                    let value = line[column]
                                    let wide = value.doubleValue
                                    s[column] += wide
                                    q[column] += wide * wide
                                    lo[column] = value < lo[column] ? value : lo[column]
                                    hi[column] = value > hi[column] ? value : hi[column]
                                }
                            }
                        }
                    }
                }
            }
        }
        var constant = [Bool](repeating: false, count: columns)
        var nonFinite: [Int: Int] = [:]
        let values = source.pointer(T.self)
        for column in 0..<columns {
            if sums[column].isFinite && squares[column].isFinite {
                constant[column] = low[column] == high[column]
            } else if let position = rows.firstIndex(where: { !values[$0 * rowStride + column].isFinite }) {
                nonFinite[column] = rows[position]
            }
        }
        self.sums = sums
        self.squares = squares
        self.constant = constant
        self.nonFinite = nonFinite
    }
}

/// One fold's validation rows of a block of targets, scored against the predictions of every alpha without
/// copying them: values are read in place and shifted by the training means on the fly.
struct ValidationScorer<T: TensorFloat> {
    /// The block `[n, b]` (column stride 1) and the validation rows read from it.
    let targets: Tensor
    let rows: [Int]
    let score: RidgeScore
    /// The training means of each column (subtracted from the targets), in T.
    let shift: [T]
    /// Σ (y − shift) (the shift as rounded to T) and Σ (y − ȳ_val)² per column over the validation rows, float64.
    let shiftedSums: [Double]
    let squaredDeviations: [Double]

    /// `moments` are the block's moments over `rows`; `shift` the training means.
    init(targets: Tensor, rows: [Int], score: RidgeScore, shift: [Double], moments: ColumnMoments) {
        self.targets = targets
        self.rows = rows
        self.score = score
        self.shift = shift.map { T(fromDouble: $0) }
        let count = Double(rows.count)
        // With the shift as rounded to T, the one the passes over the targets subtract (in float32 a mean of 1e5
        // moves by up to 0.004: against the float64 mean, Σ (y − s)² would be off by 2 · 0.004 · Σ (y − s)).
        shiftedSums = zip(moments.sums, self.shift).map { $0 - count * $1.doubleValue }
        // Σ (y − ȳ)² = Σ y² − (Σ y)² / n in float64, from the raw moments; clamped at 0 against rounding.
        squaredDeviations = zip(moments.sums, moments.squares).map { Swift.max(0, $1 - $0 * $0 / count) }
    }

    /// The score of each column given the contiguous predictions `[rows.count, b]` at `predicted` (in the centred
    /// space of the fold), written to `output[0..<b]`. Columns are split over threads; each thread walks the rows
    /// in order, four at a time, reading its columns of each row contiguously (so the hardware prefetcher streams
    /// them; strips of 16 columns walked down all rows spent most of their time waiting for memory, a cache miss per
    /// row and strip, and took 2.5 times as long), and keeps the sums of 32 rows in T in an L1-sized array before
    /// adding them to float64: per column the same additions in the same order as before.
    func scores(of predicted: UnsafePointer<T>, into output: UnsafeMutablePointer<Double>) {
        if T.self == Float.self {
            scores(Float.self, of: UnsafeRawPointer(predicted).assumingMemoryBound(to: Float.self), into: output)
        } else {
            scores(Double.self, of: UnsafeRawPointer(predicted).assumingMemoryBound(to: Double.self), into: output)
        }
    }

    private func scores<S: SIMDScalar & BinaryFloatingPoint & Sendable>(_: S.Type, of predicted: UnsafePointer<S>,
                                                             into output: UnsafeMutablePointer<Double>) {
        let columns = targets.shape[1], rowStride = targets.strides[0]
        let truth = SharedPointer(UnsafeRawPointer(targets.pointer(T.self)).assumingMemoryBound(to: S.self))
        let guess = SharedPointer(predicted), destination = SharedPointer(output)
        let rows = self.rows, score = self.score
        let shift = self.shift.map { S($0.doubleValue) }
        let shiftedSums = self.shiftedSums, squaredDeviations = self.squaredDeviations
        let pearson = score == .pearson
        RidgeParallel.forRanges(columns, workPerItem: rows.count) { range in
            // Σ (y − s − p)² (or Σ p, Σ p², Σ p (y − s) for Pearson) per column of the range, float64.
            let width = range.count
            var first = [Double](repeating: 0, count: width), second = first, third = first
            // The running sums of the current 32 rows, in S: a few KiB that stay in L1 while the rows stream by.
            var partA = [S](repeating: 0, count: width), partB = partA, partC = partA
            let offsets = Array(shift[range])
            offsets.withUnsafeBufferPointer { offsets in
                partA.withUnsafeMutableBufferPointer { partA in
                    partB.withUnsafeMutableBufferPointer { partB in
                        partC.withUnsafeMutableBufferPointer { partC in
                            let s = offsets.baseAddress!
                            // Row `index` of the validation targets and of the predictions, from the range's first column.
                            func line(_ index: Int) -> UnsafePointer<S> {
                                UnsafePointer(truth.base + rows[index] * rowStride + range.lowerBound)
                            }
                            func predictionLine(_ index: Int) -> UnsafePointer<S> {
                                UnsafePointer(guess.base + index * columns + range.lowerBound)
                            }
                            let a = partA.baseAddress!, b = partB.baseAddress!, c = partC.baseAddress!
                            for chunk in stride(from: 0, to: rows.count, by: 32) {
                                let end = Swift.min(chunk + 32, rows.count)
                                var index = chunk
                                // Four rows per sweep: each running sum is loaded and stored once for four
                                // additions (made in row order, as one row at a time would).
                                while index + 4 <= end {
                                    let y0 = line(index), y1 = line(index + 1), y2 = line(index + 2), y3 = line(index + 3)
                                    let p0 = predictionLine(index), p1 = predictionLine(index + 1)
                                    let p2 = predictionLine(index + 2), p3 = predictionLine(index + 3)
                                    if pearson {
                                        for column in 0..<width {
                                            let offset = s[column]
                                            var sum = a[column], square = b[column], cross = c[column]
                                            let q0 = p0[column], q1 = p1[column], q2 = p2[column], q3 = p3[column]
                                            sum += q0; square += q0 * q0; cross += q0 * (y0[column] - offset)
                                            sum += q1; square += q1 * q1; cross += q1 * (y1[column] - offset)
                                            sum += q2; square += q2 * q2; cross += q2 * (y2[column] - offset)
                                            sum += q3; square += q3 * q3; cross += q3 * (y3[column] - offset)
                                            a[column] = sum; b[column] = square; c[column] = cross
                                        }
                                    } else {
                                        for column in 0..<width {
                                            let offset = s[column]
                                            let d0 = (y0[column] - offset) - p0[column]
                                            let d1 = (y1[column] - offset) - p1[column]
                                            let d2 = (y2[column] - offset) - p2[column]
                                            let d3 = (y3[column] - offset) - p3[column]
                                            var sum = a[column]
                                            sum += d0 * d0
                                            sum += d1 * d1
                                            sum += d2 * d2
                                            sum += d3 * d3
                                            a[column] = sum
                                        }
                                    }
                                    index += 4
                                }
                                while index < end {
                                    let y = line(index), p = predictionLine(index)
                                    if pearson {
                                        for column in 0..<width {
                                            let prediction = p[column], centred = y[column] - s[column]
                                            a[column] += prediction
                                            b[column] += prediction * prediction
                                            c[column] += prediction * centred
                                        }
                                    } else {
                                        for column in 0..<width {
                                            let difference = (y[column] - s[column]) - p[column]
                                            a[column] += difference * difference
                                        }
                                    }
                                    index += 1
                                }
                                for column in 0..<width {
                                    first[column] += Double(a[column])
                                    a[column] = 0
                                }
                                if pearson {
                                    for column in 0..<width {
                                        second[column] += Double(b[column])
                                        third[column] += Double(c[column])
                                        b[column] = 0
                                        c[column] = 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let count = Double(rows.count)
            for column in range {
                let position = column - range.lowerBound
                switch score {
                case .negativeMeanSquaredError:
                    destination.base[column] = -first[position] / count
                case .r2:
                    destination.base[column] = squaredDeviations[column] > 0
                        ? 1 - first[position] / squaredDeviations[column] : .nan
                case .pearson:
                    let meanTruth = shiftedSums[column] / count, meanPrediction = first[position] / count
                    let covariance = third[position] - count * meanTruth * meanPrediction
                    let spread = Swift.max(0, second[position] - count * meanPrediction * meanPrediction)
                    let denominator = (squaredDeviations[column] * spread).squareRoot()
                    destination.base[column] = denominator > 0 ? covariance / denominator : .nan
                }
            }
        }
    }
}
