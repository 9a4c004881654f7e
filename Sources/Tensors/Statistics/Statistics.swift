/// Descriptive statistics for comparing representations: standardisation, Pearson and Spearman correlation,
/// ranks and distance matrices (the building blocks of encoding-model scores and RSA).
///
/// Conventions shared by every function here:
/// - Observations are rows (axis 0) and variables columns, as in scipy.stats and numpy's `rowvar=False`.
/// - Any dtype is accepted; sums accumulate in float64. A result is float32 only when every input is float32 (or
///   bool), float64 otherwise (`DType.promote(…).floatingPointResult`), except `ranks`, which is always float64.
/// - A constant column has no defined scale: its z-scores and correlations are NaN (scipy returns NaN with a
///   warning). Constancy is tested exactly (every value equal to the first), not by a tolerance.
/// - NaN inputs propagate to the outputs they touch.
/// - Errors name the operation and the shapes, e.g. `pearson: [5, 3] and [4, 3]: row counts 5 and 4 differ`.
public enum Statistics {}

extension Statistics {
    /// The elements as a contiguous float64 tensor (no copy when already so).
    static func float64Contiguous(_ tensor: Tensor) -> Tensor {
        tensor.astype(.float64).contiguous()
    }

    /// The dtype of a floating-point result computed from `a` and `b`.
    static func resultType(_ a: Tensor, _ b: Tensor) -> DType {
        DType.promote(a.dtype, b.dtype).floatingPointResult
    }

    /// Columns a work item covers: wide enough to amortise the loop, narrow enough to stay in cache.
    static let columnChunk = 256

    /// Writes `(x - mean) / scale` for every column of each of `blocks` row-major blocks of `rows × columns`
    /// elements, where `scale = sqrt(Σ(x - mean)² / divisor)`. A constant column, a divisor ≤ 0 or a block without
    /// rows gives NaN. Two passes (mean, then squared deviations) keep the result accurate when the mean is large.
    static func standardize(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
                            blocks: Int, rows: Int, columns: Int, divisor: Double, operation: String) throws {
        let chunks = (columns + columnChunk - 1) / columnChunk
        let source = SendablePointer(input), destination = SendablePointer(output)
        try parallelRanges(blocks * chunks, grain: rows * min(columns, columnChunk), operation: operation) { items in
            var mean = [Double](repeating: 0, count: columnChunk)
            var squares = [Double](repeating: 0, count: columnChunk)
            var constant = [Bool](repeating: true, count: columnChunk)
            for item in items {
                let block = item / chunks
                let first = (item % chunks) * columnChunk
                let width = min(columnChunk, columns - first)
                let base = block * rows * columns + first
                let x = source.base + base, z = destination.base + base
                for column in 0..<width {
                    mean[column] = 0
                    squares[column] = 0
                    constant[column] = true
                }
                for row in 0..<rows {
                    let line = x + row * columns
                    for column in 0..<width {
                        mean[column] += line[column]
                        if line[column] != x[column] { constant[column] = false }
                    }
                }
                for column in 0..<width { mean[column] /= Double(rows) }
                for row in 0..<rows {
                    let line = x + row * columns
                    for column in 0..<width {
                        let deviation = line[column] - mean[column]
                        squares[column] += deviation * deviation
                    }
                }
                for column in 0..<width {
                    // NaN never equals itself, so a column holding NaN is not "constant" and NaN propagates.
                    squares[column] = constant[column] || divisor <= 0
                        ? .nan : 1 / (squares[column] / divisor).squareRoot()
                }
                for row in 0..<rows {
                    let line = x + row * columns, out = z + row * columns
                    for column in 0..<width { out[column] = (line[column] - mean[column]) * squares[column] }
                }
            }
        }
    }

    /// Throws `invalidShape` when a length exceeds what BLAS addresses (2^31 - 1).
    static func requireBLASSize(_ shapes: [[Int]], operation: String) throws {
        for shape in shapes where shape.contains(where: { $0 > Int(Int32.max) }) {
            throw TensorError(.invalidShape, operation,
                              "\(formatShape(shape)) has an axis longer than \(Int32.max), more than BLAS addresses")
        }
    }
}
