import Tensors

/// A dissimilarity between two patterns (rows). The names follow rsatoolbox where it has one, so that numbers carry
/// over from Python unchanged — beware that rsatoolbox's names differ from scipy's:
///
/// | bm               | formula for patterns x, y ∈ ℝᵈ | rsatoolbox           | scipy `pdist`        |
/// |------------------|--------------------------------|----------------------|----------------------|
/// | `.euclidean`     | Σ(x−y)² / d                    | `'euclidean'`        | — (sqeuclidean / d)  |
/// | `.squaredEuclidean` | Σ(x−y)²                     | —                    | `'sqeuclidean'`      |
/// | `.euclideanDistance` | √Σ(x−y)²                   | —                    | `'euclidean'`        |
/// | `.correlation`   | 1 − Pearson r(x, y)            | `'correlation'`      | `'correlation'`      |
/// | `.cosine`        | 1 − x·y / (‖x‖‖y‖)             | —                    | `'cosine'`           |
/// | `.mahalanobis(P)`| (x−y)ᵀ P (x−y) / d, P a precision | `'mahalanobis'`   | — (squared, / d)     |
///
/// Cross-validated distances (crossnobis) need repeated measurements: see `RSA.crossnobis`.
public enum RDMMetric: Sendable {
    case euclidean
    case squaredEuclidean
    case euclideanDistance
    case correlation
    case cosine
    /// Squared Mahalanobis distance per channel with the noise *precision* (inverse covariance) [d, d].
    case mahalanobis(precision: Tensor)

    /// The metric of a name as written in scripts: rsatoolbox's and scipy's spellings.
    /// - Throws: `AlignmentError` naming the unknown metric and the accepted ones.
    public static func named(_ name: String, precision: Tensor? = nil) throws -> RDMMetric {
        switch name {
        case "euclidean": return .euclidean
        case "sqeuclidean", "squared_euclidean": return .squaredEuclidean
        case "euclidean_distance": return .euclideanDistance
        case "correlation": return .correlation
        case "cosine": return .cosine
        case "mahalanobis":
            guard let precision else { throw AlignmentError("rdm", "metric 'mahalanobis' needs a noise precision matrix") }
            return .mahalanobis(precision: precision)
        default:
            throw AlignmentError("rdm", "unknown metric '\(name)' (expected euclidean, sqeuclidean, euclidean_distance, correlation, cosine, mahalanobis)")
        }
    }
}

/// Representational similarity analysis: RDMs, their comparison and noise ceilings.
public enum RSA {
    /// The representational dissimilarity matrix of the rows of `x`: `D[i, j] = metric(x[i], x[j])`, symmetric
    /// with a zero diagonal. All metrics go through one Gram matrix `G = X Xᵀ` (GEMM), after centring and
    /// normalising rows for correlation and cosine: `‖x−y‖² = G_ii + G_jj − 2G_ij`, `1 − r = 1 − G_ij` (rows
    /// z-scored), so the cost is that of one matrix product.
    /// - Parameters: `x` [n, d] patterns (conditions × channels), any float or integer dtype; `nan`: `.refuse`
    ///   throws naming the first column holding NaN or ±inf, `.omit` drops such columns; `warnings` receives the
    ///   number of constant (correlation) or zero (cosine) patterns, whose rows and columns are NaN.
    /// - Returns: float64 [n, n].
    /// - Throws: `AlignmentError` for `x` not 2-D, no channels (left), a non-finite value under `.refuse`, or a
    ///   precision matrix that is not [d, d] (both shapes named).
    public static func rdm(_ x: Tensor, metric: RDMMetric = .correlation, nan: NaNPolicy = .refuse,
                           warnings: AlignmentWarnings? = nil) throws -> Tensor {
        let operation = "rdm"
        if x.rank == 2, x.dtype == .float32, x.shape[1] > 0, metric.isCorrelationOrCosine,
           let result = try singlePrecisionRDM(x, centre: metric.isCorrelation, operation: operation,
                                               warnings: warnings) {
            return result
        }
        var data = try Inputs.matrix(x, "X", operation)
        data = try Inputs.finiteColumns(data, "X", operation, policy: nan)
        guard data.columns > 0 else {
            throw AlignmentError(operation, "X \(formatShape(x.shape)) has no channels\(nan == .omit ? " left after omitting non-finite columns" : "")")
        }
        return try rdm(data, metric: metric, operation: operation, warnings: warnings,
                       singlePrecision: x.dtype == .float32).tensor
    }

    /// `singlePrecision`: float32 input takes the float32 GEMM for correlation and cosine (normalised rows keep
    /// the Gram entries in [−1, 1], so float32 loses nothing the input had); other metrics stay in float64, where
    /// `G_ii + G_jj − 2G_ij` would cancel.
    static func rdm(_ data: Matrix, metric: RDMMetric, operation: String, warnings: AlignmentWarnings?,
                    singlePrecision: Bool = false) throws -> Matrix {
        let n = data.rows, d = data.columns
        var rows = data
        var undefined = [Bool](repeating: false, count: n)
        switch metric {
        case .correlation, .cosine:
            for row in 0..<n {
                let values = data.row(row)
                let center = metric.isCorrelation ? values.reduce(0, +) / Double(d) : 0
                var norm = 0.0
                for column in 0..<d { let v = values[values.startIndex + column] - center; norm += v * v }
                norm = norm.squareRoot()
                undefined[row] = !(norm > 0)
                for column in 0..<d { rows[row, column] = (data[row, column] - center) / norm }
            }
            let gram = try gramMatrix(rows, singlePrecision: singlePrecision)
            var result = Matrix(rows: n, columns: n)
            for i in 0..<n {
                for j in 0..<n {
                    result[i, j] = i == j ? 0 : (undefined[i] || undefined[j] ? .nan : 1 - gram[i, j])
                }
            }
            let count = undefined.filter { $0 }.count
            if count > 0 {
                let kind = metric.isCorrelation ? "constant" : "all-zero"
                warnings?.add("\(operation): \(count) \(kind) pattern(s) have undefined \(metric.isCorrelation ? "correlation" : "cosine") distance; their rows and columns are NaN")
            }
            return result
        case .euclidean, .squaredEuclidean, .euclideanDistance, .mahalanobis:
            var gram: Matrix
            if case .mahalanobis(let precision) = metric {
                guard precision.shape == [d, d] else {
                    throw AlignmentError(operation, "precision \(formatShape(precision.shape)) must be [\(d), \(d)] for X with \(d) channels")
                }
                let weighted = try Tensor.matmul(data.tensor, precision.astype(.float64))
                gram = Matrix(rows: n, columns: n, values: Inputs.values(try Tensor.matmul(weighted, data.tensor.transposed())))
            } else {
                gram = try gramMatrix(data)
            }
            var result = Matrix(rows: n, columns: n)
            let scale: Double = metric.dividesByChannels ? 1 / Double(d) : 1
            for i in 0..<n {
                for j in (i + 1)..<Swift.max(n, i + 1) {
                    var value = Swift.max(0, gram[i, i] + gram[j, j] - 2 * gram[i, j]) * scale
                    if case .euclideanDistance = metric { value = value.squareRoot() }
                    result[i, j] = value
                    result[j, i] = value
                }
            }
            return result
        }
    }

    /// Correlation (`centre`) or cosine RDM of float32 rows without a float64 copy of the input: rows are centred
    /// and normalised with float64 sums (several in flight, rows split over threads), stored as float32 and
    /// multiplied by one ssyrk (the upper triangle only); `1 − G` is written straight into the float64 result.
    /// Returns nil when a row holds NaN or ±inf (its float64 sums are then not finite), so that the caller's general
    /// path applies the NaN policy.
    static func singlePrecisionRDM(_ x: Tensor, centre: Bool, operation: String,
                                   warnings: AlignmentWarnings?) throws -> Tensor? {
        let n = x.shape[0], d = x.shape[1]
        let source = x.contiguous()
        // Every element of both buffers is written below: no zero fill (16 MB and 8 MB for 1000 × 4096).
        var normalised = Tensor(uninitializedShape: [n, d], dtype: .float32)
        normalised.makeUniqueContiguous()
        var undefined = [Bool](repeating: false, count: n)
        var finite = [Bool](repeating: true, count: n)
        let input = SharedPointer(source.pointer(Float.self))
        let output = SharedPointer(normalised.mutablePointer(Float.self))
        try Cancellation.check(operation)
        undefined.withUnsafeMutableBufferPointer { undefinedRows in
            finite.withUnsafeMutableBufferPointer { finiteRows in
                let undefinedFlags = SharedPointer(undefinedRows.baseAddress!)
                let finiteFlags = SharedPointer(finiteRows.baseAddress!)
                RidgeParallel.forRanges(n, workPerItem: d) { range in
                    for row in range {
                        let values = UnsafePointer(input.base + row * d)
                        let mean = centre ? sumOfValues(values, d) / Double(d) : 0
                        let squares = sumOfSquaredDeviations(values, d, from: mean)
                        finiteFlags.base[row] = squares.isFinite && mean.isFinite
                        undefinedFlags.base[row] = !(squares > 0)
                        let scale = 1 / squares.squareRoot()
                        let target = output.base + row * d
                        for column in 0..<d { target[column] = Float((Double(values[column]) - mean) * scale) }
                    }
                }
            }
        }
        guard finite.allSatisfy({ $0 }) else { return nil }
        var result = Tensor(uninitializedShape: [n, n], dtype: .float64)
        result.makeUniqueContiguous()
        try upperGramDistances(normalised, undefined: undefined, into: result.mutablePointer(Double.self),
                               operation: operation)
        let count = undefined.filter { $0 }.count
        if count > 0 {
            warnings?.add("\(operation): \(count) \(centre ? "constant" : "all-zero") pattern(s) have undefined \(centre ? "correlation" : "cosine") distance; their rows and columns are NaN")
        }
        return result
    }

    /// Σ values in float64 with eight partial sums (independent chains, so the loop is not latency-bound).
    static func sumOfValues(_ values: UnsafePointer<Float>, _ count: Int) -> Double {
        var partial = SIMD8<Double>()
        var column = 0
        while column + 8 <= count {
            for lane in 0..<8 { partial[lane] += Double(values[column + lane]) }
            column += 8
        }
        var total = partial.sum()
        while column < count { total += Double(values[column]); column += 1 }
        return total
    }

    /// Σ (values − mean)² in float64 with eight partial sums.
    static func sumOfSquaredDeviations(_ values: UnsafePointer<Float>, _ count: Int, from mean: Double) -> Double {
        var partial = SIMD8<Double>()
        var column = 0
        while column + 8 <= count {
            for lane in 0..<8 {
                let deviation = Double(values[column + lane]) - mean
                partial[lane] += deviation * deviation
            }
            column += 8
        }
        var total = partial.sum()
        while column < count {
            let deviation = Double(values[column]) - mean
            total += deviation * deviation
            column += 1
        }
        return total
    }

    /// `D = 1 − Z Zᵀ` [n, n] float64 at `output` (zero diagonal, NaN rows and columns for `undefined` rows): the
    /// upper triangle of `Z Zᵀ` by one symmetric rank-k update (ssyrk: half the multiplications of the product),
    /// then written as distances in 64 × 64 tiles of the upper triangle, each tile and its mirror at once (so the
    /// mirrored writes stay within a few cache lines per row), tile rows split over threads.
    static func upperGramDistances(_ z: Tensor, undefined: [Bool], into output: UnsafeMutablePointer<Double>,
                                   operation: String) throws {
        let n = z.shape[0], d = z.shape[1]
        try Cancellation.check(operation)
        let gram = Tensor(uninitializedShape: [n, n], dtype: .float32)
        Linalg.syrk(transpose: false, n: n, k: d, a: z.pointer(Float.self), lda: d, c: gram.mutablePointer(Float.self),
                    ldc: n)
        try Cancellation.check(operation)
        let tile = 64, tiles = (n + tile - 1) / tile
        let values = SharedPointer(gram.pointer(Float.self)), shared = SharedPointer(output)
        undefined.withUnsafeBufferPointer { undefinedRows in
            let flags = SharedPointer(undefinedRows.baseAddress!)
            RidgeParallel.forRanges(tiles, workPerItem: n * tile / 2) { tileRows in
                for tileRow in tileRows {
                    let rows = (tileRow * tile)..<Swift.min(n, tileRow * tile + tile)
                    for tileColumn in tileRow..<tiles {
                        let columns = (tileColumn * tile)..<Swift.min(n, tileColumn * tile + tile)
                        for row in rows {
                            let line = values.base + row * n, target = shared.base + row * n
                            let rowUndefined = flags.base[row]
                            for column in Swift.max(columns.lowerBound, row)..<columns.upperBound {
                                let distance: Double
                                if column == row {
                                    distance = 0
                                } else if rowUndefined || flags.base[column] {
                                    distance = .nan
                                } else {
                                    distance = 1 - Double(line[column])
                                }
                                target[column] = distance
                                shared.base[column * n + row] = distance
                            }
                        }
                    }
                }
            }
        }
    }

    /// `X Xᵀ` through BLAS.
    static func gramMatrix(_ x: Matrix, singlePrecision: Bool = false) throws -> Matrix {
        let t = singlePrecision ? x.tensor.astype(.float32) : x.tensor
        return Matrix(rows: x.rows, columns: x.rows, values: Inputs.values(try Tensor.matmul(t, t.transposed())))
    }

    /// RDMs at every time point of a MEG/EEG recording: `result[t] = rdm(x[:, :, t])`.
    /// - Parameters: `x` [n, sensors, times]; `metric` and `nan` as `rdm` (a non-finite sensor is refused or
    ///   omitted per time point).
    /// - Returns: float64 [times, n, n].
    /// - Throws: `AlignmentError` for `x` not 3-D, and as `rdm`.
    public static func rdmOverTime(_ x: Tensor, metric: RDMMetric = .correlation, nan: NaNPolicy = .refuse,
                                   warnings: AlignmentWarnings? = nil) throws -> Tensor {
        let operation = "rdm_over_time"
        guard x.rank == 3 else {
            throw AlignmentError(operation, "X must be 3-D [conditions, sensors, times], got shape \(formatShape(x.shape))")
        }
        let (n, sensors, times) = (x.shape[0], x.shape[1], x.shape[2])
        let flat = Inputs.values(x)
        var output = [Double]()
        output.reserveCapacity(times * n * n)
        for time in 0..<times {
            try Cancellation.check(operation)
            var slice = Matrix(rows: n, columns: sensors)
            for i in 0..<n { for s in 0..<sensors { slice[i, s] = flat[(i * sensors + s) * times + time] } }
            slice = try Inputs.finiteColumns(slice, "X at time \(time)", operation, policy: nan)
            guard slice.columns > 0 else { throw AlignmentError(operation, "X at time \(time) has no finite sensors") }
            output += try rdm(slice, metric: metric, operation: operation, warnings: warnings).values
        }
        return Inputs.tensor(output, shape: [times, n, n])
    }

    /// The strict upper triangle of a square matrix (or of each matrix of a stack) in row-major order:
    /// `[D₀₁, D₀₂, …, D₀ₙ₋₁, D₁₂, …]` — the order of scipy's `squareform` and rsatoolbox's `get_vectors`.
    /// - Parameter rdm: [n, n] or [k, n, n]. Returns [n(n−1)/2] or [k, n(n−1)/2].
    /// - Throws: `AlignmentError` unless the last two axes are equal.
    public static func upperTriangle(_ rdm: Tensor) throws -> Tensor {
        let (stack, n) = try rdmStack(rdm, "rdm", "upper_triangle")
        let vectors = stack.map { upperTriangleValues($0, n) }
        let length = n * (n - 1) / 2
        return Inputs.tensor(vectors.flatMap { $0 }, shape: rdm.rank == 2 ? [length] : [vectors.count, length])
    }

    static func upperTriangleValues(_ matrix: [Double], _ n: Int) -> [Double] {
        var values = [Double]()
        values.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n { for j in (i + 1)..<Swift.max(n, i + 1) { values.append(matrix[i * n + j]) } }
        return values
    }

    /// The strict upper triangle of each matrix of `rdm` ([n, n] or [k, n, n]), read row by row straight from a
    /// float64 view (no copy of the full matrices). Throws as `rdmStack`.
    static func upperTriangleVectors(_ rdm: Tensor, _ name: String, _ operation: String) throws
        -> (vectors: [[Double]], n: Int)
    {
        guard (rdm.rank == 2 || rdm.rank == 3), rdm.shape[rdm.rank - 1] == rdm.shape[rdm.rank - 2] else {
            throw AlignmentError(operation, "\(name) must be [n, n] or [k, n, n], got shape \(formatShape(rdm.shape))")
        }
        let n = rdm.shape[rdm.rank - 1]
        let source = (rdm.dtype == .float64 ? rdm : rdm.astype(.float64)).contiguous()
        let k = rdm.rank == 2 ? 1 : rdm.shape[0]
        let base = source.pointer(Double.self)
        let length = n * (n - 1) / 2
        let vectors = (0..<k).map { matrix in
            [Double](unsafeUninitializedCapacity: length) { buffer, initialized in
                var position = 0
                for row in 0..<n where row + 1 < n {
                    let count = n - row - 1
                    (buffer.baseAddress! + position).initialize(from: base + matrix * n * n + row * n + row + 1,
                                                                count: count)
                    position += count
                }
                initialized = length
            }
        }
        return (vectors, n)
    }

    /// Splits [n, n] or [k, n, n] into its k row-major matrices.
    static func rdmStack(_ rdm: Tensor, _ name: String, _ operation: String) throws -> (matrices: [[Double]], n: Int) {
        guard (rdm.rank == 2 || rdm.rank == 3), rdm.shape[rdm.rank - 1] == rdm.shape[rdm.rank - 2] else {
            throw AlignmentError(operation, "\(name) must be [n, n] or [k, n, n], got shape \(formatShape(rdm.shape))")
        }
        let n = rdm.shape[rdm.rank - 1]
        let flat = Inputs.values(rdm)
        let k = rdm.rank == 2 ? 1 : rdm.shape[0]
        return ((0..<k).map { Array(flat[($0 * n * n)..<(($0 + 1) * n * n)]) }, n)
    }
}

extension RDMMetric {
    var isCorrelation: Bool { if case .correlation = self { return true } else { return false } }
    var isCorrelationOrCosine: Bool {
        switch self {
        case .correlation, .cosine: return true
        default: return false
        }
    }
    var dividesByChannels: Bool {
        switch self {
        case .euclidean, .mahalanobis: return true
        default: return false
        }
    }
}
