import Foundation
import Tensors

/// Validation scores of every alpha without forming the predictions, for folds with more validation rows than
/// spectral components.
///
/// With `A = X_val R` `[n_val, k]` (the validation features in the spectral basis), `C = Bᵀ Y_train` `[k, b]` and
/// `D = diag(d(α))`, the predictions are `P = A D C` and every score needs, per target, only
/// - `Σ p²  = ‖L D c‖²` where `Lᵀ L = AᵀA` (L `[k, k]`: `Λ^½ Qᵀ` from the eigendecomposition `AᵀA = Q Λ Qᵀ`),
/// - `Σ p y′ = Σ_j d_j (Aᵀ y′)_j c_j` with `y′ = y − ȳ_train` (the fold's centring),
/// - `Σ p   = Σ_j d_j (Aᵀ 1)_j c_j`,
/// with the targets' own moments: `Σ (y′ − p)² = Σ y′² − 2 Σ p y′ + Σ p²`, and Pearson's r from the same sums.
/// Per alpha that is one GEMM `(L D) · C` of `2 k² b` flops instead of the predictions' `2 n_val k b`; the cross
/// terms of all alphas are two float64 GEMMs `[n_alphas, k] · [k, b]` per block. At N = 8000, P = 1024 (n_val = 1600,
/// k = 1024) the fit does 0.64× the prediction flops.
///
/// Accuracy: the residual sum is a difference of sums of the size of `Σ y′²`, so in float32 it carries an absolute
/// error of about 1e-6 · Σ y′² (the predictions' route: about 1e-6 of the residual). Scores (R² in [−∞, 1], r)
/// are therefore good to about 1e-6 absolute — the rounding of the float32 data themselves — and exact to
/// float64 rounding in float64.
struct RidgeGramScorer<T: TensorFloat> {
    /// `A` `[n_val, k]`, dtype T, contiguous.
    let validationProjection: Tensor
    /// `L` `[k, k]`, dtype T, with `Lᵀ L = AᵀA`.
    let root: Tensor
    /// `Aᵀ 1` `[k]`, float64.
    let columnSums: [Double]

    /// Whether scoring through the Gram matrix does fewer flops than the predictions: k at most 0.8 n_val (the
    /// factorisation of `AᵀA`, O(k³), and the cross terms are then paid back several times over).
    static func isWorthwhile(rank: Int, validationCount: Int) -> Bool {
        rank * 5 <= validationCount * 4
    }

    /// Forms `AᵀA` in float64 (symmetric rank-k updates over blocks of `RidgeFactorization.chunkRows` rows widened
    /// to float64, so that A is never copied whole) and its eigendecomposition; rounding's small negative
    /// eigenvalues count as zero. Its transient memory (the Gram matrix, ?syevd's workspace and vectors) comes
    /// and goes before the fold's buffers exist.
    init(validationProjection: Tensor) throws {
        precondition(validationProjection.isContiguous, "internal: the validation projection must be contiguous")
        self.validationProjection = validationProjection
        let rows = validationProjection.shape[0], rank = validationProjection.shape[1]
        columnSums = RidgeKernels.columnSums(T.self, validationProjection, rows: Array(0..<rows))
        var gram = try Tensor.zeros([rank, rank], dtype: .float64)
        gram.makeUniqueContiguous()
        let gramValues = gram.mutablePointer(Double.self)
        do {
            let chunk = Swift.min(RidgeFactorization.chunkRows, Swift.max(rows, 1))
            var wide = RidgeKernels.buffer(chunk * rank, dtype: .float64)
            wide.makeUniqueContiguous()
            let wideValues = wide.mutablePointer(Double.self), values = validationProjection.pointer(T.self)
            for start in stride(from: 0, to: rows, by: chunk) {
                let size = Swift.min(chunk, rows - start)
                for index in 0..<(size * rank) { wideValues[index] = values[start * rank + index].doubleValue }
                Linalg.syrk(transpose: true, n: rank, k: size, a: UnsafePointer(wideValues), lda: rank,
                            beta: 1, c: gramValues, ldc: rank)
            }
        }
        RidgeFactorization.mirrorUpperTriangle(gramValues, rank)
        let (eigenvalues, vectors) = try Linalg.eigh(overwriting: &gram)   // a temporary: no copy
        gram = RidgeKernels.buffer(0, dtype: .float64)
        let scales = eigenvalues.scalars(as: Double.self).map { Swift.max($0, 0).squareRoot() }
        // L = Λ^½ Qᵀ: row j is √λ_j times eigenvector j (column j of Q), read through the vectors' strides.
        var root = Tensor(uninitializedShape: [rank, rank], dtype: T.dtype)
        root.makeUniqueContiguous()
        let output = root.mutablePointer(T.self)
        let rowStride = vectors.strides[0], columnStride = vectors.strides[1]
        withExtendedLifetime(vectors) {
            let axes = vectors.pointer(Double.self)
            for component in 0..<rank {
                for column in 0..<rank {
                    output[component * rank + column] =
                        T(fromDouble: scales[component] * axes[column * rowStride + component * columnStride])
                }
            }
        }
        self.root = root
    }

    /// `Aᵀ (Y_val − 1 ȳ_trainᵀ)` `[k, b]` for one block, into the prefix of `output` (at least k · b elements).
    /// The validation rows `rows` (in the order of A's rows) are read in place, run by run, with the centring as
    /// the rank-one correction `− (Aᵀ1) ȳᵀ`, unless they are in more than `maximumRuns` pieces or `centreExplicitly`
    /// (a block whose mean dwarfs its spread): then they are gathered, centred, into `gatherBuffer` first.
    func projectValidation(targets: Tensor, rows: [Int], shift: [Double], centreExplicitly: Bool,
                           maximumRuns: Int, gatherBuffer: Tensor, output: Tensor) throws -> Tensor {
        let width = targets.shape[1], rank = root.shape[0]
        let projected = try output.sliced(axis: 0, 0..<(rank * width)).reshaped([rank, width])
        let destination = projected.mutablePointer(T.self), factors = validationProjection.pointer(T.self)
        let runs = RowRun.runs(rows)
        if centreExplicitly || runs.count > maximumRuns {
            let gathered = RidgeKernels.gatherRows(T.self, targets, rows: rows, subtracting: shift,
                                                   reusing: gatherBuffer)
            Linalg.gemm(transposeA: true, transposeB: false, m: rank, n: width, k: rows.count,
                        alpha: T(fromDouble: 1), a: factors, lda: rank, b: gathered.pointer(T.self), ldb: width,
                        beta: T(fromDouble: 0), c: destination, ldc: width)
            return projected
        }
        RidgeKernels.runProducts(T.self, factors: factors, columns: rank, runs: runs, targets: targets,
                                 alpha: T(fromDouble: 1), beta: T(fromDouble: 0), into: destination,
                                 outputRowStride: width)
        let offsets = shift.map { T(fromDouble: $0) }
        for component in 0..<rank {
            let weight = T(fromDouble: columnSums[component]), line = destination + component * width
            for column in 0..<width { line[column] -= weight * offsets[column] }
        }
        return projected
    }

    /// The cross terms of every alpha for one block, `[n_alphas][b]` in float64: `Σ p y′` and `Σ p`, from the
    /// projections `C` (`projected`) and `Aᵀy′` (`validationProjected`). `spectral[α]` are the weights d(α).
    /// Formed in float64 (two GEMMs `[n_alphas, k] · [k, s]` per stripe of s = `stripeWidth` columns, a few per
    /// cent of the block's flops) in the scratch buffers `wideProjected` and `wideProducts` (each at least
    /// k · s float64 elements), so that the residual sums lose nothing here to float32 rounding.
    static func crossTerms(spectral: [[Double]], columnSums: [Double], projected: Tensor, validationProjected: Tensor,
                           wideProjected: Tensor, wideProducts: Tensor) -> (cross: [[Double]], sums: [[Double]]) {
        let rank = projected.shape[0], width = projected.shape[1], alphaCount = spectral.count
        let values = projected.pointer(T.self), validation = validationProjected.pointer(T.self)
        let wide = wideProjected.mutablePointer(Double.self), products = wideProducts.mutablePointer(Double.self)
        // d(α)ᵀ ((Aᵀy′) ∘ C) and (d(α) ∘ Aᵀ1)ᵀ C for all alphas at once.
        let weights = spectral.flatMap { $0 }
        let summed = spectral.flatMap { zip($0, columnSums).map { $0 * $1 } }
        var cross = [[Double]](repeating: [Double](repeating: 0, count: width), count: alphaCount), sums = cross
        var stripeCross = [Double](repeating: 0, count: alphaCount * stripeWidth), stripeSums = stripeCross
        for start in stride(from: 0, to: width, by: stripeWidth) {
            let stripe = Swift.min(stripeWidth, width - start)
            for component in 0..<rank {
                let line = values + component * width + start, validationLine = validation + component * width + start
                let wideLine = wide + component * stripe, productLine = products + component * stripe
                for column in 0..<stripe {
                    let value = line[column].doubleValue
                    wideLine[column] = value
                    productLine[column] = value * validationLine[column].doubleValue
                }
            }
            Linalg.gemm(transposeA: false, transposeB: false, m: alphaCount, n: stripe, k: rank, alpha: 1.0,
                        a: weights, lda: rank, b: UnsafePointer(products), ldb: stripe, beta: 0.0,
                        c: &stripeCross, ldc: stripe)
            Linalg.gemm(transposeA: false, transposeB: false, m: alphaCount, n: stripe, k: rank, alpha: 1.0,
                        a: summed, lda: rank, b: UnsafePointer(wide), ldb: stripe, beta: 0.0,
                        c: &stripeSums, ldc: stripe)
            for alphaIndex in 0..<alphaCount {
                for column in 0..<stripe {
                    cross[alphaIndex][start + column] = stripeCross[alphaIndex * stripe + column]
                    sums[alphaIndex][start + column] = stripeSums[alphaIndex * stripe + column]
                }
            }
        }
        return (cross, sums)
    }

    /// Columns per stripe of `crossTerms` (its float64 scratch is k · 256 · 8 bytes twice: 4 MiB at k = 1024).
    static var stripeWidth: Int { 256 }

    /// The score of each column of one block for one alpha, into `output[0..<b]`, from `rootProduct` = `L D C`
    /// (`[k, b]`, contiguous) and that alpha's cross terms.
    static func scores(rootProduct: UnsafePointer<T>, rank: Int, width: Int, cross: [Double], sums: [Double],
                       scorer: ValidationScorer<T>, into output: UnsafeMutablePointer<Double>) {
        let squares = SharedPointer(rootProduct), destination = SharedPointer(output)
        let count = Double(scorer.rows.count), score = scorer.score
        let shiftedSums = scorer.shiftedSums, squaredDeviations = scorer.squaredDeviations
        RidgeParallel.forRanges(width, workPerItem: rank) { range in
            // Σ_j (L D c)_j² per column of the range, float64, rows walked in order.
            var quadratic = [Double](repeating: 0, count: range.count)
            quadratic.withUnsafeMutableBufferPointer { quadratic in
                for component in 0..<rank {
                    let line = squares.base + component * width + range.lowerBound
                    for position in 0..<range.count {
                        let value = line[position].doubleValue
                        quadratic[position] += value * value
                    }
                }
            }
            for column in range {
                let predictedSquares = quadratic[column - range.lowerBound]
                switch score {
                case .negativeMeanSquaredError, .r2:
                    // Σ (y − s)² = Σ (y − ȳ)² + (Σ (y − s))² / n; the residual sum cannot be negative.
                    let shiftedSquares = squaredDeviations[column] + shiftedSums[column] * shiftedSums[column] / count
                    let residual = Swift.max(0, shiftedSquares - 2 * cross[column] + predictedSquares)
                    if score == .r2 {
                        destination.base[column] = squaredDeviations[column] > 0
                            ? 1 - residual / squaredDeviations[column] : .nan
                    } else {
                        destination.base[column] = -residual / count
                    }
                case .pearson:
                    let meanTruth = shiftedSums[column] / count, meanPrediction = sums[column] / count
                    let covariance = cross[column] - count * meanTruth * meanPrediction
                    let spread = Swift.max(0, predictedSquares - count * meanPrediction * meanPrediction)
                    let denominator = (squaredDeviations[column] * spread).squareRoot()
                    destination.base[column] = denominator > 0 ? covariance / denominator : .nan
                }
            }
        }
    }
}
