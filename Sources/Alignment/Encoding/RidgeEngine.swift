import Foundation
import Tensors

/// The cross-validation and refit loops of `Ridge.fitStreaming`, for one compute dtype `T`.
///
/// Memory: X and the per-fold factorisation, plus one block of targets at a time (its training and validation rows,
/// its projection `Bᵀ Y` and one prediction `[n_val, b]`); the `[n_alphas, n, t]` predictions are never formed.
/// Work: per fold one factorisation, one GEMM `Bᵀ Y` per block and one GEMM `(X_val R diag(d(α))) · (Bᵀ Y)` per alpha
/// and block; the refit one factorisation and one GEMM per block and distinct alpha.
struct RidgeEngine<T: TensorFloat> {
    let operation: String
    /// `[n, p]`, dtype T.
    let x: Tensor
    let source: any TargetSource
    let alphas: [Double]
    /// Folds as original row indices (dropped rows excluded).
    let splits: [(train: [Int], test: [Int])]
    /// The rows used (all rows but those dropped for non-finite X).
    let rows: [Int]
    let droppedRows: [Int]
    let fitIntercept: Bool
    let score: RidgeScore
    let dual: Bool
    let nan: NaNPolicy
    let blockSize: Int
    let progress: Bool?

    /// Bytes allowed for one chunk of alphas' stacked validation factors and predictions.
    var predictionBudget: Int = 6 << 20

    /// Reads targets `range` as dtype T and checks the source's shape.
    func block(_ range: Range<Int>) throws -> Tensor {
        let values = try source.targets(range)
        guard values.rank == 2 && values.shape[0] == x.shape[0] && values.shape[1] == range.count else {
            throw AlignmentError(operation, "the target source returned shape \(formatShape(values.shape)) for "
                                    + "targets \(range.lowerBound)..<\(range.upperBound); expected "
                                    + formatShape([x.shape[0], range.count]))
        }
        guard values.dtype == .float32 || values.dtype == .float64 || values.dtype == .int64 else {
            throw AlignmentError(operation, "Y must hold numbers, got \(values.dtype)")
        }
        if values.dtype == T.dtype && values.strides[1] == 1 { return values }
        return values.astype(T.dtype).contiguous()
    }

    /// The target blocks of this fit.
    var blocks: [Range<Int>] {
        stride(from: 0, to: source.targetCount, by: blockSize).map { $0..<Swift.min($0 + blockSize, source.targetCount) }
    }

    /// Cross-validated scores, averaged over folds: `means[alphaIndex · t + target]` (NaN where no fold scored), and
    /// the constant and omitted targets.
    struct Scores {
        var means: [Double]
        var constant: [Bool]
        var omitted: [Bool]
    }

    /// The cross-validation loops (no refit). `bar` advances once per fold and block.
    func crossValidate(bar: inout ProgressBar) throws -> Scores {
        let targetCount = source.targetCount, alphaCount = alphas.count
        var scoreSums = [Double](repeating: 0, count: alphaCount * targetCount)
        var scoreCounts = [Int32](repeating: 0, count: alphaCount * targetCount)
        var constant = [Bool](repeating: false, count: targetCount)
        var omitted = [Bool](repeating: false, count: targetCount)

        for (foldIndex, split) in splits.enumerated() {
            let xMeans = fitIntercept ? RidgeKernels.columnMeans(T.self, x, rows: split.train) : nil
            let xTrain = RidgeKernels.gatherRows(T.self, x, rows: split.train, subtracting: xMeans)
            let xValidation = RidgeKernels.gatherRows(T.self, x, rows: split.test, subtracting: xMeans)
            let factorization = try RidgeFactorization(xTrain, dual: dual)
            let projection = try factorization.validationProjection(xValidation)
            let spectral = alphas.map { factorization.spectralWeights(alpha: $0).map { T(fromDouble: $0) } }
            let validationCount = projection.shape[0], rank = projection.shape[1]
            // Alphas are processed in chunks: `X_val R diag(d(α))` of a chunk stacked `[chunk · n_val, k]`, so that the
            // chunk's predictions are one tall GEMM (better BLAS efficiency than thin ones). The chunk is as large as
            // the memory budget allows for the stacked factors and predictions `[chunk · n_val, k + b]`.
            let perAlpha = validationCount * (rank + blockSize) * MemoryLayout<T>.size
            let chunk = Swift.max(1, Swift.min(alphaCount, predictionBudget / Swift.max(perAlpha, 1)))
            let chunks = stride(from: 0, to: alphaCount, by: chunk).map { $0..<Swift.min($0 + chunk, alphaCount) }
            let scaled = RidgeKernels.matrix(chunk * validationCount, rank, dtype: T.dtype)
            // float32 predictions go through the bare sgemm into one reused buffer (no allocation per product).
            let predictions = RidgeKernels.matrix(T.self == Float.self ? chunk * validationCount : 0, blockSize,
                                                  dtype: T.dtype)
            let trainingBuffer = try Tensor.zeros([split.train.count * blockSize], dtype: T.dtype)
            let validationBuffer = try Tensor.zeros([split.test.count * blockSize], dtype: T.dtype)
            for range in blocks {
                try Cancellation.check(operation)
                let targets = try block(range)
                if foldIndex == 0 {
                    let inspection = RidgeKernels.inspectColumns(T.self, targets, rows: rows)
                    if let column = inspection.nonFinite.keys.min() {
                        if nan == .refuse {
                            throw AlignmentError(operation, "Y has a non-finite value in column \(range.lowerBound + column) "
                                                    + "(row \(inspection.nonFinite[column]!)); set nan to \"omit\" to leave "
                                                    + "such targets out")
                        }
                        for column in inspection.nonFinite.keys { omitted[range.lowerBound + column] = true }
                    }
                    for (column, flag) in inspection.constant.enumerated() where flag {
                        constant[range.lowerBound + column] = true
                    }
                }
                let yMeans = fitIntercept ? RidgeKernels.columnMeans(T.self, targets, rows: split.train) : nil
                let yTrain = RidgeKernels.gatherRows(T.self, targets, rows: split.train, subtracting: yMeans,
                                                     reusing: trainingBuffer)
                let validation = ValidationBlock<T>(
                    targets: RidgeKernels.gatherRows(T.self, targets, rows: split.test, subtracting: yMeans,
                                                     reusing: validationBuffer),
                    score: score)
                let projected = try factorization.project(yTrain)
                let width = range.count
                for alphaRange in chunks {
                    for (position, alphaIndex) in alphaRange.enumerated() {
                        RidgeKernels.scaleColumns(T.self, projection, by: spectral[alphaIndex],
                                                  into: scaled.mutablePointer(T.self) + position * validationCount * rank)
                    }
                    let rowsUsed = alphaRange.count * validationCount
                    let chunkPredictions: Tensor
                    if T.self == Float.self {
                        Linalg.rawSGEMM(m: rowsUsed, n: width, k: rank, a: scaled.pointer(Float.self),
                                        b: projected.pointer(Float.self), c: predictions.mutablePointer(Float.self))
                        chunkPredictions = predictions
                    } else {
                        chunkPredictions = try Tensor.matmul(try scaled.sliced(axis: 0, 0..<rowsUsed), projected)
                    }
                    for (position, alphaIndex) in alphaRange.enumerated() {
                        let scores = validation.scores(
                            of: chunkPredictions.pointer(T.self) + position * validationCount * width)
                        let base = alphaIndex * targetCount + range.lowerBound
                        for (column, value) in scores.enumerated() where value.isFinite {
                            scoreSums[base + column] += value
                            scoreCounts[base + column] += 1
                        }
                    }
                }
                bar.advance()
            }
        }

        var means = [Double](repeating: .nan, count: alphaCount * targetCount)
        for index in means.indices where scoreCounts[index] > 0 {
            means[index] = scoreSums[index] / Double(scoreCounts[index])
        }
        for target in 0..<targetCount where constant[target] || omitted[target] {
            for alphaIndex in 0..<alphaCount { means[alphaIndex * targetCount + target] = .nan }
        }
        return Scores(means: means, constant: constant, omitted: omitted)
    }

    func run(writeWeights: (Range<Int>, Tensor) throws -> Void) throws -> RidgeFitSummary {
        let targetCount = source.targetCount, alphaCount = alphas.count
        let blocks = self.blocks
        var bar = ProgressBar(label: operation, total: (splits.count + 1) * blocks.count, enabled: progress)
        defer { bar.finish() }
        let scores = try crossValidate(bar: &bar)
        let means = scores.means, constant = scores.constant, omitted = scores.omitted

        // Mean over folds, then the best alpha per target; like himalaya, a slope of 1e-10 · log(α) breaks ties
        // toward the larger penalty.
        var chosen = [Int?](repeating: nil, count: targetCount)
        var bestScores = [Double](repeating: .nan, count: targetCount)
        for target in 0..<targetCount {
            var best = -Double.infinity
            for alphaIndex in 0..<alphaCount {
                let mean = means[alphaIndex * targetCount + target]
                guard !mean.isNaN else { continue }
                let key = mean + Foundation.log(alphas[alphaIndex]) * 1e-10
                if key > best {
                    best = key
                    chosen[target] = alphaIndex
                    bestScores[target] = mean
                }
            }
        }

        let intercept = try refit(blocks: blocks, chosen: chosen, constant: constant, omitted: omitted, bar: &bar,
                                  writeWeights: writeWeights)
        return RidgeFitSummary(
            alphaGrid: alphas,
            alphas: Tensor(chosen.map { $0.map { alphas[$0] } ?? .nan }),
            cvScores: try Tensor(shape: [alphaCount, targetCount], scalars: means),
            bestScores: Tensor(bestScores),
            intercept: intercept,
            score: score,
            solver: dual ? .dual : .primal,
            constantTargetCount: constant.filter { $0 }.count,
            omittedTargetCount: omitted.filter { $0 }.count,
            droppedRows: droppedRows,
            featureCount: x.shape[1])
    }

    /// Refits on all rows with each target's alpha: one factorisation, then per block one projection and one GEMM per
    /// distinct alpha over the targets that chose it. Returns the intercepts `[t]`.
    func refit(blocks: [Range<Int>], chosen: [Int?], constant: [Bool], omitted: [Bool],
                       bar: inout ProgressBar, writeWeights: (Range<Int>, Tensor) throws -> Void) throws -> Tensor {
        let featureCount = x.shape[1]
        let xMeans = fitIntercept ? RidgeKernels.columnMeans(T.self, x, rows: rows) : nil
        let factorization = try RidgeFactorization(RidgeKernels.gatherRows(T.self, x, rows: rows, subtracting: xMeans),
                                                   dual: dual)
        let rank = factorization.spectrum.count
        var intercepts = [T](repeating: 0, count: source.targetCount)
        for range in blocks {
            try Cancellation.check(operation)
            let targets = try block(range)
            let yMeans = fitIntercept ? RidgeKernels.columnMeans(T.self, targets, rows: rows) : nil
            let projected = try factorization.project(
                RidgeKernels.gatherRows(T.self, targets, rows: rows, subtracting: yMeans))
            let width = range.count
            let weights = RidgeKernels.matrix(featureCount, width, dtype: T.dtype)
            let weightValues = weights.mutablePointer(T.self)
            var groups: [Int: [Int]] = [:]
            for column in 0..<width {
                if let alphaIndex = chosen[range.lowerBound + column] { groups[alphaIndex, default: []].append(column) }
            }
            let projectedValues = projected.pointer(T.self)
            for (alphaIndex, columns) in groups.sorted(by: { $0.key < $1.key }) {
                let spectral = factorization.spectralWeights(alpha: alphas[alphaIndex]).map { T(fromDouble: $0) }
                let scaled = RidgeKernels.matrix(rank, columns.count, dtype: T.dtype)
                let scaledValues = scaled.mutablePointer(T.self)
                for component in 0..<rank {
                    for (position, column) in columns.enumerated() {
                        scaledValues[component * columns.count + position] =
                            projectedValues[component * width + column] * spectral[component]
                    }
                }
                let groupWeights = try factorization.weights(fromScaledProjection: scaled)
                let groupValues = groupWeights.pointer(T.self)
                for feature in 0..<featureCount {
                    for (position, column) in columns.enumerated() {
                        weightValues[feature * width + column] = groupValues[feature * columns.count + position]
                    }
                }
            }
            if let yMeans {
                for column in 0..<width where !omitted[range.lowerBound + column] {
                    var value = yMeans[column]
                    if !constant[range.lowerBound + column] {
                        for feature in 0..<featureCount {
                            value -= xMeans![feature] * weightValues[feature * width + column].doubleValue
                        }
                    }
                    intercepts[range.lowerBound + column] = T(fromDouble: value)
                }
            }
            try writeWeights(range, weights)
            bar.advance()
        }
        return Tensor(intercepts)
    }
}
