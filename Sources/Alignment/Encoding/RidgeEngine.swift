import Foundation
import Tensors

/// The cross-validation and refit loops of `Ridge.fitStreaming`, for one compute dtype `T`.
///
/// Memory: X and the per-fold factorisation, plus one block of targets at a time: its projection `Bᵀ Y` `[k, b]`
/// and one chunk of alphas' predictions `[n_val, b]`. Y is read in place (training rows as views, run by run;
/// validation rows by index): neither it nor a centred copy of a block is made, except for non-contiguous folds or
/// targets whose mean dwarfs their spread. The `[n_alphas, n, t]` predictions are never formed.
/// Work: per fold one factorisation, one GEMM `Bᵀ Y` per block and one GEMM `(X_val R diag(d(α))) · (Bᵀ Y)` per
/// alpha and block, each followed by one pass that scores it — or, when the fold has more validation rows than
/// components, `(L diag(d(α))) · (Bᵀ Y)` of k rows and the sums of `RidgeGramScorer`; the refit one factorisation
/// and two GEMMs per block. In-memory primal fits (a weight matrix given) form `Xᶜᵀ Y` once in that matrix and
/// project every fold and the refit from it (`RidgeCrossProducts`): U is never formed and the per-fold GEMMs are
/// thinner.
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
    var predictionBudget: Int = Self.defaultPredictionBudget
    /// Whether folds with more validation rows than components are scored through `RidgeGramScorer` (tests turn
    /// it off to compare the two routes).
    var useGramScoring = true
    /// Whether in-memory primal fits project through the cross products `Xᶜᵀ Y` formed in the weight matrix
    /// (`RidgeCrossProducts`) rather than through each fold's basis U (tests turn it off to compare the two).
    var useCrossProducts = true

    /// 3 MiB: one alpha at a time at N = 2000, P = 512 (`[400, 512 + 1120]` float32, 2.6 MB). Two alphas stacked
    /// (6 MiB) made no GEMM faster (sgemm of 400 and 800 rows by 1 120 ran at the same rate here) and held 2.6 MB
    /// more; one alpha's predictions are also still in cache when they are scored.
    static var defaultPredictionBudget: Int { 3 << 20 }

    /// Cross-validated scores, averaged over folds: `means` `[n_alphas, t]` float64 (NaN where no fold scored), the
    /// constant and omitted targets, and each target's mean over the rows used (for the refit's centring).
    struct Scores {
        var means: Tensor
        var constant: [Bool]
        var omitted: [Bool]
        var targetMeans: [Double]
        /// Per block: whether its targets are centred explicitly (`needsExplicitCentring`, over the rows used).
        var centreBlock: [Bool]
    }

    /// One fold's factorisation of its centred training rows, the validation rows carried into its basis
    /// (`[n_val, k]`) and the basis column sums (for the centring correction). The gathered validation rows are a
    /// temporary of this call, freed before the fold's buffers exist.
    func foldFactorization(_ split: (train: [Int], test: [Int]), withBasis: Bool = true) throws
        -> (factorization: RidgeFactorization, projection: Tensor, basisSums: [Double]?, featureMeans: [Double]?)
    {
        let xMeans = fitIntercept ? RidgeKernels.columnMeans(T.self, x, rows: split.train) : nil
        let factorization = try RidgeFactorization(x, rows: split.train, subtracting: xMeans, dual: dual,
                                                   withBasis: withBasis)
        let basisSums = fitIntercept && withBasis
            ? RidgeKernels.columnSums(T.self, factorization.basis, rows: Array(0..<split.train.count)) : nil
        let projection = try factorization.validationProjection(
            RidgeKernels.gatherRows(T.self, x, rows: split.test, subtracting: xMeans))
        return (factorization, projection, basisSums, xMeans)
    }

    /// A buffer for the projections `Bᵀ Y` `[k, b]` of rank `rank`: `shared` when it is large enough, else new.
    func projectionBuffer(rank: Int, shared: Tensor?) -> Tensor {
        if let shared, shared.count >= rank * blockSize { return shared }
        return RidgeKernels.buffer(rank * blockSize, dtype: T.dtype)
    }

    /// The largest rank of any fold's or the refit's factorisation: the size of a projection buffer all can share.
    var largestRank: Int { dual ? rows.count : x.shape[1] }

    /// The cross-validation loops (no refit). `bar` advances once per fold and block. `sharedProjection`: a buffer
    /// for the projections that the caller reuses afterwards (the refit), else one is made per fold.
    /// `crossProducts`: a contiguous `[p, t]` matrix (the weight matrix) to form `Xᶜᵀ Y` in and project from
    /// (`RidgeCrossProducts`; primal only), left holding them for the refit; nil: projections through each fold's U.
    func crossValidate(bar: inout ProgressBar, sharedProjection: Tensor? = nil, crossProducts: Tensor? = nil) throws
        -> Scores
    {
        let targetCount = source.targetCount, alphaCount = alphas.count
        // The sums over folds accumulate in the tensor returned as the means: the one table of [n_alphas, t] the fit
        // holds (a streamed fit's only memory that grows with t, besides its [t] vectors). A fold whose score is
        // not finite is left out of that target's mean: such (alpha, target) pairs are rare (a target constant
        // within a fold), so only they are counted.
        var cvScores = Tensor(uninitializedShape: [alphaCount, targetCount], dtype: .float64)
        cvScores.makeUniqueContiguous()
        let scoreSums = cvScores.mutablePointer(Double.self)
        scoreSums.initialize(repeating: 0, count: alphaCount * targetCount)
        var missingFolds: [Int: Int] = [:]
        var constant = [Bool](repeating: false, count: targetCount)
        var omitted = [Bool](repeating: false, count: targetCount)
        var targetMeans = [Double](repeating: 0, count: targetCount)
        let blocks = self.blocks
        var centreBlock = [Bool](repeating: false, count: blocks.count)

        // The cross-product route: the rows used, centred over all of them (freed after this pass), and one pass
        // over Y that inspects each block and forms its `Xᶜᵀ Y`.
        var allMeans: [Double]? = nil
        if let crossProducts {
            allMeans = fitIntercept ? RidgeKernels.columnMeans(T.self, x, rows: rows) : nil
            let centredRows = RidgeKernels.gatherRows(T.self, x, rows: rows, subtracting: allMeans)
            let runs = RowRun.runs(rows)
            let gatherBuffer = RidgeKernels.buffer(Self.crossProductChunkRows * blockSize, dtype: T.dtype)
            for (blockIndex, range) in blocks.enumerated() {
                try Cancellation.check(operation)
                let targets = try block(range)
                try inspect(targets, blockIndex: blockIndex, range: range, constant: &constant, omitted: &omitted,
                            targetMeans: &targetMeans, centreBlock: &centreBlock)
                formCrossProducts(into: crossProducts, range: range, targets: targets, centred: centredRows,
                                  runs: runs, centre: centreBlock[blockIndex],
                                  means: Array(targetMeans[range]), gatherBuffer: gatherBuffer)
                bar.advance()
            }
        }

        for (foldIndex, split) in splits.enumerated() {
            let (factorization, projection, basisSums, trainingFeatureMeans) =
                try foldFactorization(split, withBasis: crossProducts == nil)
            let spectralWeights = alphas.map {
                crossProducts == nil ? factorization.spectralWeights(alpha: $0)
                    : factorization.normalEquationWeights(alpha: $0)
            }
            let spectral = spectralWeights.map { $0.map { T(fromDouble: $0) } }
            let validationCount = projection.shape[0], rank = projection.shape[1]
            let runs = RowRun.runs(split.train), testRuns = RowRun.runs(split.test)
            // The cross-product route's fold data: the validation rows centred over all rows, δ = x̄_𝒯 − x̄, and
            // the difference `B_𝒯` `[p, b]` of each block.
            let validationCentred = crossProducts == nil ? nil
                : RidgeKernels.gatherRows(T.self, x, rows: split.test, subtracting: allMeans)
            let featureShift = allMeans.flatMap { all in trainingFeatureMeans.map { zip($0, all).map { $0 - $1 } } }
            let difference = RidgeKernels.buffer(crossProducts == nil ? 0 : x.shape[1] * blockSize, dtype: T.dtype)
            // With more validation rows than components, every alpha is scored from the Gram matrix of the
            // validation factors (`RidgeGramScorer`): the per-alpha GEMM is then `L D(α) · Bᵀ Y`, k rows instead
            // of n_val. Otherwise from the predictions `X_val R D(α) · Bᵀ Y`.
            let gram = !dual && useGramScoring
                && RidgeGramScorer<T>.isWorthwhile(rank: rank, validationCount: validationCount)
                ? try RidgeGramScorer<T>(validationProjection: projection) : nil
            let factorRows = gram == nil ? validationCount : rank
            // Alphas are processed in chunks: the factors `X_val R diag(d(α))` (or `L diag(d(α))`) of a chunk stacked
            // `[chunk · rows, k]`, so that the chunk's products are one GEMM (taller when the rows are few, where thin
            // GEMMs run slowly). The chunk is as large as the memory budget allows for the stacked factors and
            // products `[chunk · rows, k + b]`.
            let perAlpha = factorRows * (rank + blockSize) * MemoryLayout<T>.size
            let chunk = Swift.max(1, Swift.min(alphaCount, predictionBudget / Swift.max(perAlpha, 1)))
            let chunks = stride(from: 0, to: alphaCount, by: chunk).map { $0..<Swift.min($0 + chunk, alphaCount) }
            // The fold's buffers, allocated once after the factorisation (whose temporaries are freed by then) and
            // reused by every block: the stacked factors, the predictions (or root products) and the projection
            // `Bᵀ Y`; for Gram scoring also `Aᵀ y′` and the float64 scratch of the cross terms.
            let scaled = RidgeKernels.matrix(chunk * factorRows, rank, dtype: T.dtype)
            let predictions = RidgeKernels.matrix(chunk * factorRows, blockSize, dtype: T.dtype)
            let projectionBuffer = projectionBuffer(rank: rank, shared: sharedProjection)
            let gatheredRowCount = crossProducts == nil
                ? (runs.count > Self.maximumRuns || centreBlock.contains(true) ? split.train.count : 0)
                : (testRuns.count > Self.maximumRuns || centreBlock.contains(true) ? split.test.count : 0)
            let gatherBuffer = RidgeKernels.buffer(gatheredRowCount * blockSize, dtype: T.dtype)
            let scratchWidth = Swift.min(blockSize, RidgeGramScorer<T>.stripeWidth)
            let validationBuffer = RidgeKernels.buffer(gram == nil ? 0 : rank * blockSize, dtype: T.dtype)
            let wideProjected = RidgeKernels.buffer(gram == nil ? 0 : rank * scratchWidth, dtype: .float64)
            let wideProducts = RidgeKernels.buffer(gram == nil ? 0 : rank * scratchWidth, dtype: .float64)
            var blockScores = [Double](repeating: .nan, count: blockSize)
            for (blockIndex, range) in blocks.enumerated() {
                try Cancellation.check(operation)
                let targets = try block(range)
                let width = range.count
                if foldIndex == 0 && crossProducts == nil {
                    try inspect(targets, blockIndex: blockIndex, range: range, constant: &constant,
                                omitted: &omitted, targetMeans: &targetMeans, centreBlock: &centreBlock)
                }
                // The validation rows' moments give both the R² denominators and, with the totals over all rows,
                // the training means: ȳ_train = (Σ_all − Σ_val) / n_train.
                let validationMoments = ColumnMoments(T.self, targets, rows: split.test)
                var trainingMeans: [Double]? = nil
                if fitIntercept {
                    let trainingCount = Double(split.train.count), allCount = Double(rows.count)
                    trainingMeans = (0..<width).map { column in
                        (targetMeans[range.lowerBound + column] * allCount - validationMoments.sums[column]) / trainingCount
                    }
                }
                let scorer = ValidationScorer<T>(targets: targets, rows: split.test, score: score,
                                                 shift: trainingMeans ?? [Double](repeating: 0, count: width),
                                                 moments: validationMoments)
                let projected: Tensor
                if let crossProducts, let validationCentred {
                    // Σ_𝒯 y, or Σ_𝒯 (y − ȳ) for a block centred explicitly, with ȳ rounded to T as the gathered
                    // rows were shifted (else the identity's centring terms would not cancel).
                    let blockMeans = Array(targetMeans[range])
                    let shift = featureShift.map { delta in
                        (delta: delta, trainingSums: (0..<width).map { column in
                            let sum = blockMeans[column] * Double(rows.count) - validationMoments.sums[column]
                            return centreBlock[blockIndex]
                                ? sum - Double(split.train.count) * T(fromDouble: blockMeans[column]).doubleValue : sum
                        })
                    }
                    projected = try projectCrossProducts(
                        factorization, matrix: crossProducts, range: range, targets: targets,
                        validation: validationCentred, testRows: split.test, testRuns: testRuns,
                        centre: centreBlock[blockIndex], means: blockMeans, shift: shift, difference: difference,
                        gatherBuffer: gatherBuffer, output: projectionBuffer)
                } else {
                    projected = try projectTraining(factorization, basisSums: basisSums, targets: targets,
                                                    rows: split.train, runs: runs, means: trainingMeans,
                                                    gatherBuffer: gatherBuffer, output: projectionBuffer,
                                                    centreExplicitly: centreBlock[blockIndex])
                }
                var crossTerms: (cross: [[Double]], sums: [[Double]])? = nil
                if let gram {
                    let validationProjected = try gram.projectValidation(
                        targets: targets, rows: split.test, shift: trainingMeans ?? [Double](repeating: 0, count: width),
                        centreExplicitly: centreBlock[blockIndex], maximumRuns: Self.maximumRuns,
                        gatherBuffer: gatherBuffer, output: validationBuffer)
                    crossTerms = RidgeGramScorer<T>.crossTerms(
                        spectral: spectralWeights, columnSums: gram.columnSums, projected: projected,
                        validationProjected: validationProjected, wideProjected: wideProjected,
                        wideProducts: wideProducts)
                }
                let factors = gram?.root ?? projection
                for alphaRange in chunks {
                    for (position, alphaIndex) in alphaRange.enumerated() {
                        RidgeKernels.scaleColumns(T.self, factors, by: spectral[alphaIndex],
                                                  into: scaled.mutablePointer(T.self) + position * factorRows * rank)
                    }
                    // The chunk's predictions (or root products) `[rows, b]` (row stride b) into the reused buffer.
                    Linalg.gemm(transposeA: false, transposeB: false, m: alphaRange.count * factorRows, n: width,
                                k: rank, alpha: T(fromDouble: 1), a: scaled.pointer(T.self), lda: rank,
                                b: projected.pointer(T.self), ldb: width, beta: T(fromDouble: 0),
                                c: predictions.mutablePointer(T.self), ldc: width)
                    for (position, alphaIndex) in alphaRange.enumerated() {
                        let product = predictions.pointer(T.self) + position * factorRows * width
                        blockScores.withUnsafeMutableBufferPointer { buffer in
                            if let crossTerms {
                                RidgeGramScorer<T>.scores(rootProduct: product, rank: rank, width: width,
                                                          cross: crossTerms.cross[alphaIndex],
                                                          sums: crossTerms.sums[alphaIndex], scorer: scorer,
                                                          into: buffer.baseAddress!)
                            } else {
                                scorer.scores(of: product, into: buffer.baseAddress!)
                            }
                        }
                        let base = alphaIndex * targetCount + range.lowerBound
                        for column in 0..<width {
                            if blockScores[column].isFinite {
                                scoreSums[base + column] += blockScores[column]
                            } else {
                                missingFolds[base + column, default: 0] += 1
                            }
                        }
                    }
                }
                bar.advance()
            }
        }

        let foldCount = Double(splits.count)
        for index in 0..<(alphaCount * targetCount) { scoreSums[index] /= foldCount }
        for (index, missing) in missingFolds {
            let scored = splits.count - missing
            scoreSums[index] = scored > 0 ? scoreSums[index] * foldCount / Double(scored) : .nan
        }
        for target in 0..<targetCount where constant[target] || omitted[target] {
            for alphaIndex in 0..<alphaCount { scoreSums[alphaIndex * targetCount + target] = .nan }
        }
        return Scores(means: cvScores, constant: constant, omitted: omitted, targetMeans: targetMeans,
                      centreBlock: centreBlock)
    }

    /// The fit: cross-validation, the choice of alpha per target, the refit. Weights go to `weightMatrix` or
    /// `writeWeights` as in `refit`.
    func run(weightMatrix: Tensor? = nil, writeWeights: (Range<Int>, Tensor) throws -> Void) throws -> RidgeFitSummary {
        let targetCount = source.targetCount, alphaCount = alphas.count
        let blocks = self.blocks
        // The weight matrix holds the cross products `Xᶜᵀ Y` until the refit writes the weights over them.
        let crossProducts = !dual && useCrossProducts ? weightMatrix : nil
        var bar = ProgressBar(label: operation, total: (splits.count + (crossProducts == nil ? 1 : 2)) * blocks.count,
                              enabled: progress)
        defer { bar.finish() }
        // One projection buffer for every fold and the refit (its pages are touched only when first written).
        let sharedProjection = RidgeKernels.buffer(largestRank * blockSize, dtype: T.dtype)
        let scores = try crossValidate(bar: &bar, sharedProjection: sharedProjection, crossProducts: crossProducts)
        let constant = scores.constant, omitted = scores.omitted
        let means = scores.means.pointer(Double.self)

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

        let intercept = try refit(blocks: blocks, chosen: chosen, constant: constant, omitted: omitted,
                                  targetMeans: scores.targetMeans, centreBlock: scores.centreBlock,
                                  sharedProjection: sharedProjection, bar: &bar, weightMatrix: weightMatrix,
                                  crossProducts: crossProducts != nil, writeWeights: writeWeights)
        return RidgeFitSummary(
            alphaGrid: alphas,
            alphas: Tensor(chosen.map { $0.map { alphas[$0] } ?? .nan }),
            cvScores: scores.means,
            bestScores: Tensor(bestScores),
            intercept: intercept,
            score: score,
            solver: dual ? .dual : .primal,
            constantTargetCount: constant.filter { $0 }.count,
            omittedTargetCount: omitted.filter { $0 }.count,
            droppedRows: droppedRows,
            featureCount: x.shape[1])
    }
}
