import Tensors

extension RidgeEngine {
    /// Refits on all rows with each target's alpha: one factorisation, then per block one projection `Bᵀ Y` (into
    /// one reused buffer), its columns scaled by their own alpha's spectral weights (zero for targets without an
    /// alpha), and one read-out GEMM for the whole block. `targetMeans`: each target's mean over the rows used (from
    /// `crossValidate`; computed here when nil), `centreBlock` whether each block is centred explicitly (also from
    /// `crossValidate`; with both given, Y is not read for its moments again), `sharedProjection` a buffer for the
    /// projections (used when large enough). The weights of each block go straight into the columns of
    /// `weightMatrix` (contiguous `[p, t]`, dtype T) when it is given, else to `writeWeights` as a new `[p, b]`
    /// tensor. With `crossProducts` (primal, `weightMatrix` given) the weight matrix holds `Xᶜᵀ Y` (from
    /// `crossValidate`) and each block's projection is `Vᵀ` times its columns, weighted by `1 / (s² + α)`: Y is not
    /// read. Returns the intercepts `[t]`.
    func refit(blocks: [Range<Int>], chosen: [Int?], constant: [Bool], omitted: [Bool], targetMeans: [Double]?,
               centreBlock: [Bool]? = nil, sharedProjection: Tensor? = nil, bar: inout ProgressBar,
               weightMatrix: Tensor? = nil, crossProducts: Bool = false,
               writeWeights: (Range<Int>, Tensor) throws -> Void) throws -> Tensor {
        precondition(!crossProducts || (weightMatrix != nil && !dual && (targetMeans != nil || !fitIntercept)),
                     "refit: cross products need the weight matrix and, with an intercept, the target means")
        let featureCount = x.shape[1]
        let xMeans = fitIntercept ? RidgeKernels.columnMeans(T.self, x, rows: rows) : nil
        let factorization = try RidgeFactorization(x, rows: rows, subtracting: xMeans, dual: dual,
                                                   withBasis: !crossProducts)
        let basisSums = fitIntercept && !crossProducts
            ? RidgeKernels.columnSums(T.self, factorization.basis, rows: Array(0..<rows.count)) : nil
        let rank = factorization.spectrum.count
        let spectralTable = alphas.flatMap { alpha in
            (crossProducts ? factorization.normalEquationWeights(alpha: alpha)
                : factorization.spectralWeights(alpha: alpha)).map { T(fromDouble: $0) }
        }
        let runs = RowRun.runs(rows)
        let projectionBuffer = projectionBuffer(rank: rank, shared: sharedProjection)
        let noBuffer = RidgeKernels.buffer(0, dtype: T.dtype)
        var intercepts = [T](repeating: 0, count: source.targetCount)
        for (blockIndex, range) in blocks.enumerated() {
            try Cancellation.check(operation)
            let width = range.count
            var means: [Double]? = nil
            var centre = false
            // The cross-product route does not read Y again; the other reads each block once.
            let targets = crossProducts ? nil : try block(range)
            if let targets, fitIntercept {
                if let targetMeans, let centreBlock {
                    means = Array(targetMeans[range])
                    centre = centreBlock[blockIndex]
                } else if let targetMeans {
                    means = Array(targetMeans[range])
                    let moments = ColumnMoments(T.self, targets, rows: rows)
                    centre = Self.needsExplicitCentring(moments, count: rows.count)
                } else {
                    let moments = ColumnMoments(T.self, targets, rows: rows)
                    means = moments.sums.map { $0 / Double(Swift.max(rows.count, 1)) }
                    centre = Self.needsExplicitCentring(moments, count: rows.count)
                }
            }
            let projected: Tensor
            if crossProducts, let weightMatrix {
                means = fitIntercept ? targetMeans.map { Array($0[range]) } : nil
                projected = try projectionBuffer.sliced(axis: 0, 0..<(rank * width)).reshaped([rank, width])
                factorization.rotate(T.self, weightMatrix.pointer(T.self) + range.lowerBound,
                                     rowStride: weightMatrix.shape[1], width: width,
                                     into: projected.mutablePointer(T.self))
            } else if let targets {
                projected = try projectTraining(factorization, basisSums: basisSums, targets: targets,
                                                rows: rows, runs: runs, means: means, gatherBuffer: noBuffer,
                                                output: projectionBuffer, centreExplicitly: centre)
            } else {
                preconditionFailure("refit: no targets read outside the cross-product route")
            }
            // diag(d(α_c)) Bᵀ y_c for every column c at once; columns without an alpha get zero weights (their
            // projection may hold NaN under nan: .omit, which must not leak into the product).
            let values = projected.mutablePointer(T.self)
            let alphaOf = (0..<width).map { chosen[range.lowerBound + $0] ?? -1 }
            spectralTable.withUnsafeBufferPointer { table in
                for component in 0..<rank {
                    let line = values + component * width
                    for column in 0..<width {
                        let alphaIndex = alphaOf[column]
                        line[column] = alphaIndex < 0 ? 0 : line[column] * table[alphaIndex * rank + component]
                    }
                }
            }
            let weights: Tensor?, weightValues: UnsafePointer<T>, weightStride: Int
            if let weightMatrix {
                weights = nil
                weightStride = weightMatrix.shape[1]
                let destination = weightMatrix.mutablePointer(T.self) + range.lowerBound
                try factorization.weights(T.self, fromScaledProjection: projected, into: destination,
                                          outputRowStride: weightStride)
                weightValues = UnsafePointer(destination)
            } else {
                let block = Tensor(uninitializedShape: [featureCount, width], dtype: T.dtype)
                try factorization.weights(T.self, fromScaledProjection: projected, into: block.mutablePointer(T.self),
                                          outputRowStride: width)
                weights = block
                weightStride = width
                weightValues = block.pointer(T.self)
            }
            if let means, let xMeans {
                // ȳ − x̄ᵀ W, accumulated feature by feature over rows of W.
                var values = means
                for feature in 0..<featureCount {
                    let line = weightValues + feature * weightStride, mean = xMeans[feature]
                    for column in 0..<width { values[column] -= mean * line[column].doubleValue }
                }
                for column in 0..<width where !omitted[range.lowerBound + column] {
                    intercepts[range.lowerBound + column] =
                        T(fromDouble: constant[range.lowerBound + column] ? means[column] : values[column])
                }
            }
            if let weights { try writeWeights(range, weights) }
            bar.advance()
        }
        return Tensor(intercepts)
    }
}
