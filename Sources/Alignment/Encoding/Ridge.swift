import Foundation
import Tensors

/// Ridge regression with one penalty per target chosen by cross-validation: the encoding model of fMRI/MEG studies
/// (features of a network layer → every voxel or sensor).
///
/// For each fold the training rows give `W(α) = argmin ‖Y − X W‖² + α ‖W‖²` for every α of the grid (one SVD or kernel
/// eigendecomposition per fold); each target keeps the α with the best mean validation score, and the model is refit
/// on all rows with it. With `fitIntercept`, X and Y are centred with the training rows' means inside each fold (the
/// intercept is not penalised), as himalaya and scikit-learn do.
public enum Ridge {
    /// Fits ridge with cross-validated penalties per target and keeps the weights in memory.
    ///
    /// - `x`: `[n, p]` features. `y`: `[n, t]` targets (or `[n]`, or any `TargetSource`, read in blocks of columns).
    /// - `alphas`: candidate penalties, all finite and > 0 (default `logspace(-1, 6, 15)`).
    /// - `folds`: `.kFold(5)` (contiguous, unshuffled), explicit validation index lists, or group labels
    ///   (leave-one-group-out).
    /// - `fitIntercept`: centre with training means inside each fold and fit `intercept = ȳ − x̄ᵀ W`.
    /// - `score`: `.r2` (default), `.pearson` or `.negativeMeanSquaredError` (himalaya's default).
    /// - `solver`: `.automatic` (primal SVD when the training rows are at least the features, dual kernel
    ///   eigendecomposition otherwise), or forced.
    /// - `nan`: `.refuse` (throw naming the column) or `.omit` (drop rows with non-finite X, leave out targets with a
    ///   non-finite value).
    /// - `targetBlockSize`: targets per block (default: about 4 MiB of working memory per block, up to 1/64 of Y).
    /// - `progress`: a progress bar on stderr; nil means when stderr is a terminal.
    ///
    /// Computed in float32 when X and Y are float32, float64 otherwise. Returns `RidgeModel` with `weights` `[p, t]`,
    /// `intercept` `[t]`, `alphas` `[t]`, `cvScores` `[n_alphas, t]`.
    /// Throws `AlignmentError` for: X not 2-d, Y rows ≠ X rows, no features, an alpha ≤ 0 or non-finite, an empty
    /// grid, fewer rows than folds, invalid folds or groups, non-finite values under `nan: .refuse`.
    public static func crossValidated(
        _ x: Tensor, _ y: some TargetSource, alphas: [Double] = defaultRidgeAlphas,
        folds: CrossValidation = .kFold(5), fitIntercept: Bool = true, score: RidgeScore = .r2,
        solver: RidgeSolver = .automatic, nan: NaNPolicy = .refuse, targetBlockSize: Int? = nil,
        progress: Bool? = nil
    ) throws -> RidgeModel {
        let dtype = computeDType(x, y)
        // Filled block by block by the refit's read-out GEMMs, in place (no [p, b] temporaries): every column is
        // written, so no zero fill.
        var weights = Tensor(uninitializedShape: [x.rank == 2 ? x.shape[1] : 0, y.targetCount], dtype: dtype)
        weights.makeUniqueContiguous()
        let summary = try fit(
            x, y, alphas: alphas, folds: folds, fitIntercept: fitIntercept, score: score, solver: solver, nan: nan,
            targetBlockSize: targetBlockSize, progress: progress, weightMatrix: weights) { _, _ in }
        return RidgeModel(weights: weights, summary: summary)
    }

    /// `crossValidated` for targets whose weights do not fit in memory: the weights of targets `range` (`[p, b]`) are
    /// handed to `writeWeights` block after block (in increasing order) and only the summary is returned.
    /// Arguments and errors as `crossValidated`; an error thrown by `writeWeights` stops the fit and propagates.
    public static func fitStreaming(
        _ x: Tensor, _ y: some TargetSource, alphas: [Double] = defaultRidgeAlphas,
        folds: CrossValidation = .kFold(5), fitIntercept: Bool = true, score: RidgeScore = .r2,
        solver: RidgeSolver = .automatic, nan: NaNPolicy = .refuse, targetBlockSize: Int? = nil,
        progress: Bool? = nil, writeWeights: (Range<Int>, Tensor) throws -> Void
    ) throws -> RidgeFitSummary {
        try fit(x, y, alphas: alphas, folds: folds, fitIntercept: fitIntercept, score: score, solver: solver, nan: nan,
                targetBlockSize: targetBlockSize, progress: progress, writeWeights: writeWeights)
    }

    /// `fitStreaming` with the memory budget of one chunk of alphas' predictions and the choices of scoring and
    /// projection routes exposed (tests use them to reach the code paths taken by large problems and to compare the
    /// routes), and
    /// `weightMatrix`: a contiguous `[p, t]` tensor of the compute dtype that the refit writes the weights into in
    /// place (`writeWeights` is then not called).
    static func fit(
        _ x: Tensor, _ y: some TargetSource, alphas: [Double], folds: CrossValidation, fitIntercept: Bool,
        score: RidgeScore, solver: RidgeSolver, nan: NaNPolicy, targetBlockSize: Int?, progress: Bool?,
        predictionBudget: Int = RidgeEngine<Float>.defaultPredictionBudget, useGramScoring: Bool = true,
        useCrossProducts: Bool = true, weightMatrix: Tensor? = nil, writeWeights: (Range<Int>, Tensor) throws -> Void
    ) throws -> RidgeFitSummary {
        let setup = try RidgeSetup(x, y, alphas: alphas, folds: folds, solver: solver, nan: nan,
                                   targetBlockSize: targetBlockSize, operation: "ridge_cv")
        if setup.dtype == .float32 {
            var engine = setup.engine(Float.self, features: setup.features, source: y, fitIntercept: fitIntercept,
                                      score: score, progress: progress)
            engine.predictionBudget = predictionBudget
            engine.useGramScoring = useGramScoring
            engine.useCrossProducts = useCrossProducts
            return try engine.run(weightMatrix: weightMatrix, writeWeights: writeWeights)
        }
        var engine = setup.engine(Double.self, features: setup.features, source: y, fitIntercept: fitIntercept,
                                  score: score, progress: progress)
        engine.predictionBudget = predictionBudget
        engine.useGramScoring = useGramScoring
        engine.useCrossProducts = useCrossProducts
        return try engine.run(weightMatrix: weightMatrix, writeWeights: writeWeights)
    }

    /// float32 when X is float32 and Y is float32 (or a source other than a tensor), float64 otherwise.
    static func computeDType(_ x: Tensor, _ y: some TargetSource) -> DType {
        let targetType = (y as? Tensor)?.dtype ?? x.dtype
        return x.dtype == .float32 && targetType == .float32 ? .float32 : .float64
    }

    /// The rows of `x` without non-finite values, and those dropped. Under `.refuse` a non-finite value throws,
    /// naming its column and row.
    static func finiteRows(_ x: Tensor, nan: NaNPolicy, operation: String) throws -> (rows: [Int], dropped: [Int]) {
        // Read in place (an `isFinite` mask would be an [n, p] temporary in the fit's memory).
        let flags: [Bool]
        switch x.dtype {
        case .float32: flags = finiteFlags(Float.self, x)
        case .float64: flags = finiteFlags(Double.self, x)
        default: flags = try x.isFinite().all(axes: [1]).scalars(as: Bool.self)
        }
        let dropped = flags.indices.filter { !flags[$0] }
        if let row = dropped.first, nan == .refuse {
            let values = try x.selecting(row, axis: 0).isFinite().scalars(as: Bool.self)
            let column = values.firstIndex(of: false)!
            let value = try x.scalar(at: [row, column])
            throw AlignmentError(operation, "X has a non-finite value (\(value)) in column \(column) (row \(row)); "
                                    + "set nan to \"omit\" to drop such rows")
        }
        return (flags.indices.filter { flags[$0] }, dropped)
    }
}

extension Ridge {
    /// Whether each row of the 2-d float tensor `x` (any strides) holds only finite values.
    static func finiteFlags<T: TensorFloat>(_: T.Type, _ x: Tensor) -> [Bool] {
        let columns = x.shape[1], rowStride = x.strides[0], columnStride = x.strides[1]
        let base = x.pointer(T.self)
        return (0..<x.shape[0]).map { row in
            let line = base + row * rowStride
            for column in 0..<columns where !line[column * columnStride].isFinite { return false }
            return true
        }
    }
}

/// The checked arguments of a ridge fit: features in the compute dtype, rows kept, folds, solver and block size.
struct RidgeSetup {
    let operation: String
    let dtype: DType
    let features: Tensor
    let alphas: [Double]
    let rows: [Int]
    let dropped: [Int]
    let splits: [(train: [Int], test: [Int])]
    let dual: Bool
    let nan: NaNPolicy
    let blockSize: Int

    init(_ x: Tensor, _ y: some TargetSource, alphas: [Double], folds: CrossValidation, solver: RidgeSolver,
         nan: NaNPolicy, targetBlockSize: Int?, operation: String) throws {
        self.operation = operation
        guard x.rank == 2 else {
            throw AlignmentError(operation, "X must be [n, features], got shape \(formatShape(x.shape))")
        }
        let rowCount = x.shape[0], featureCount = x.shape[1]
        guard featureCount > 0 else { throw AlignmentError(operation, "X has no features (shape \(formatShape(x.shape)))") }
        guard y.rowCount == rowCount else {
            throw AlignmentError(operation, "X has \(rowCount) rows but Y has \(y.rowCount)")
        }
        guard !alphas.isEmpty else { throw AlignmentError(operation, "alphas is empty") }
        if let bad = alphas.first(where: { !($0 > 0) || !$0.isFinite }) {
            throw AlignmentError(operation, "alphas must all be finite and > 0, got \(bad)")
        }
        if let size = targetBlockSize, size < 1 {
            throw AlignmentError(operation, "targetBlockSize must be at least 1, got \(size)")
        }
        self.alphas = alphas
        self.nan = nan
        dtype = Ridge.computeDType(x, y)
        features = x.astype(dtype)
        (rows, dropped) = try Ridge.finiteRows(features, nan: nan, operation: operation)
        let rows = self.rows
        // Explicit folds and group labels name original rows: check them against all rows, then restate them over
        // the rows kept (dropping the rows with non-finite X).
        var keptFolds = folds
        if !dropped.isEmpty {
            _ = try folds.splits(rowCount: rowCount, operation: operation)
            var position = [Int?](repeating: nil, count: rowCount)
            for (index, row) in rows.enumerated() { position[row] = index }
            switch folds {
            case .kFold: break
            case .testIndices(let lists): keptFolds = .testIndices(lists.map { $0.compactMap { position[$0] } })
            case .groups(let labels): keptFolds = .groups(rows.map { labels[$0] })
            }
        }
        let positions = try keptFolds.splits(rowCount: rows.count, operation: operation)
        splits = positions.map { (train: $0.train.map { rows[$0] }, test: $0.test.map { rows[$0] }) }
        let trainingRows = splits.map(\.train.count).max() ?? rows.count
        switch solver {
        case .primal: dual = false
        case .dual: dual = true
        case .automatic: dual = featureCount > trainingRows
        }
        let rank = Swift.min(trainingRows, featureCount)
        // A block's working memory is its projection `[k, b]` and one alpha's predictions `[n_val, b]` (plus the
        // gathered training rows when folds are not contiguous, and the block itself when the source reads it from
        // disk): about 4 MiB, or 1/64 of Y for large Y (wider blocks make faster GEMMs), at most 64 MiB. At
        // N = 2000, P = 512 that is ~1100 targets: the fit's time against its GEMM floor did not change measurably
        // from 8 MiB blocks (within the noise of a shared machine) and the fit holds several MiB less.
        let elementSize = dtype == .float32 ? 4 : 8
        let validationRows = splits.map(\.test.count).max() ?? 0
        let gathered = splits.contains { RowRun.runs($0.train).count > RidgeEngine<Double>.maximumRuns }
        // A source other than an in-memory tensor hands over each block as a new [n, b] tensor: count it.
        let materialised = y is Tensor ? 0 : rows.count
        let perTarget = elementSize * (rank + validationRows + (gathered ? trainingRows : 0) + materialised)
        let targetBytes = Double(rows.count) * Double(y.targetCount) * Double(elementSize)
        let budget = Swift.max(4 << 20, Swift.min(64 << 20, Int(targetBytes / 64)))
        let widest = Swift.max(32, Swift.min(8192, budget / Swift.max(1, perTarget)))
        // As many blocks as that width needs, made equal and rounded up to a multiple of 32 targets (GEMMs whose
        // width is a multiple of the kernel's tile ran a few per cent faster: 1 120 against 1 149 here).
        let targetCount = Swift.max(1, y.targetCount)
        let blockCount = (targetCount + widest - 1) / widest
        let even = (targetCount + blockCount - 1) / blockCount
        // A source that reads fastest in whole chunks gets blocks of whole chunks, when one fits the budget.
        let alignment = y.blockAlignment
        let chosen = alignment > 1 && alignment <= widest ? widest / alignment * alignment : (even + 31) / 32 * 32
        blockSize = targetBlockSize ?? Swift.min(targetCount, chosen)
    }

    /// An engine over `features` (the checked features, or a rescaled copy of them).
    func engine<T: TensorFloat>(_: T.Type, features: Tensor, source: any TargetSource, fitIntercept: Bool,
                                score: RidgeScore, progress: Bool?) -> RidgeEngine<T> {
        RidgeEngine<T>(operation: operation, x: features, source: source, alphas: alphas, splits: splits, rows: rows,
                       droppedRows: dropped, fitIntercept: fitIntercept, score: score, dual: dual, nan: nan,
                       blockSize: blockSize, progress: progress)
    }
}
