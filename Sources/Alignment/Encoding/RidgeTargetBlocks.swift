import Tensors

/// Reading, inspecting and projecting blocks of targets: what every fold of `RidgeEngine` does to each block before
/// it is scored (the route through each fold's basis U; `RidgeCrossProducts` holds the other).
extension RidgeEngine {
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
        // Read in place when BLAS can: unit column stride and rows at least a block apart.
        if values.dtype == T.dtype && (range.count <= 1 || values.strides[1] == 1)
            && values.strides[0] >= range.count { return values }
        return values.astype(T.dtype).contiguous()
    }

    /// The target blocks of this fit.
    var blocks: [Range<Int>] {
        stride(from: 0, to: source.targetCount, by: blockSize).map { $0..<Swift.min($0 + blockSize, source.targetCount) }
    }

    /// Bᵀ (Y_train − 1 ȳᵀ) `[k, b]` for one block, written into the prefix of the 1-d `output` (at least k · b
    /// elements, reused block after block) and returned as a view of it. The training rows are read in place, run
    /// by run (one GEMM each, accumulated into the output), and the centring is the rank-one correction
    /// `− (Bᵀ 1) ȳᵀ`, so Y is never copied or shifted. Rows in more than `maximumRuns` pieces (explicit folds,
    /// groups) are gathered into `gatherBuffer` first. Blocks whose mean is large against their spread are
    /// gathered and centred instead: the uncentred float32 product would lose digits.
    func projectTraining(_ factorization: RidgeFactorization, basisSums: [Double]?, targets: Tensor,
                         rows: [Int], runs: [RowRun], means: [Double]?, gatherBuffer: Tensor, output: Tensor,
                         centreExplicitly: Bool) throws -> Tensor {
        let width = targets.shape[1], rank = factorization.rank
        let projected = try output.sliced(axis: 0, 0..<(rank * width)).reshaped([rank, width])
        let destination = projected.mutablePointer(T.self), basis = factorization.basis.pointer(T.self)
        if centreExplicitly || runs.count > Self.maximumRuns {
            let gathered = RidgeKernels.gatherRows(T.self, targets, rows: rows, subtracting: means,
                                                   reusing: gatherBuffer)
            RidgeKernels.runProducts(T.self, factors: basis, columns: rank,
                                     runs: [RowRun(position: 0, start: 0, count: rows.count)], targets: gathered,
                                     alpha: T(fromDouble: 1), beta: T(fromDouble: 0), into: destination,
                                     outputRowStride: width)
            return projected
        }
        RidgeKernels.runProducts(T.self, factors: basis, columns: rank, runs: runs, targets: targets,
                                 alpha: T(fromDouble: 1), beta: T(fromDouble: 0), into: destination,
                                 outputRowStride: width)
        if let means, let basisSums {
            let shift = means.map { T(fromDouble: $0) }
            for component in basisSums.indices {
                let weight = T(fromDouble: basisSums[component]), line = destination + component * width
                for column in 0..<width { line[column] -= weight * shift[column] }
            }
        }
        return projected
    }

    /// What the first pass over a block learns of its targets: which are constant or hold non-finite values (those
    /// throw under `nan: .refuse`), their means over the rows used, and whether the block is centred explicitly.
    func inspect(_ targets: Tensor, blockIndex: Int, range: Range<Int>, constant: inout [Bool], omitted: inout [Bool],
                 targetMeans: inout [Double], centreBlock: inout [Bool]) throws {
        let moments = ColumnMoments(T.self, targets, rows: rows)
        if let column = moments.nonFinite.keys.min() {
            if nan == .refuse {
                throw AlignmentError(operation, "Y has a non-finite value in column \(range.lowerBound + column) "
                                        + "(row \(moments.nonFinite[column]!)); set nan to \"omit\" to leave "
                                        + "such targets out")
            }
            for column in moments.nonFinite.keys { omitted[range.lowerBound + column] = true }
        }
        for column in 0..<range.count {
            constant[range.lowerBound + column] = moments.constant[column]
            targetMeans[range.lowerBound + column] = moments.sums[column] / Double(Swift.max(rows.count, 1))
        }
        centreBlock[blockIndex] = fitIntercept && Self.needsExplicitCentring(moments, count: rows.count)
    }

    /// More runs than this and the training rows are gathered (one GEMM per run would be too thin).
    static var maximumRuns: Int { 4 }

    /// Whether a block's targets must be centred before the uncentred product: some column's |mean| exceeds this
    /// many standard deviations (float32 keeps ~7 digits; the product of uncentred targets loses log10 of it).
    static func needsExplicitCentring(_ moments: ColumnMoments, count: Int) -> Bool {
        let limit = T.self == Float.self ? 4.0 : 1e5
        for column in moments.sums.indices {
            let mean = moments.sums[column] / Double(count)
            let variance = Swift.max(0, moments.squares[column] / Double(count) - mean * mean)
            if mean * mean > limit * limit * variance && mean != 0 { return true }
        }
        return false
    }
}
