import Foundation
import Tensors

/// Which rows an encoding model is evaluated on.
public enum EncodingTest: Sendable, Equatable {
    /// Fit on the rows not listed, predict these.
    case rows([Int])
    /// Fit on the rows where the mask is false, predict those where it is true (`[n]` booleans).
    case mask([Bool])
    /// Cross-validated prediction of every row: `folds` contiguous outer folds, each predicted by a model fit (with
    /// its own inner cross-validation) on the other folds.
    case crossValidated(folds: Int)
}

/// The outcome of `Ridge.encode`: held-out predictions and how well they match the measured responses.
public struct EncodingResult: Sendable {
    /// `[m, t]`: predictions of the test rows (in the order of `testRows`).
    public let prediction: Tensor
    /// The rows predicted, in order (all rows, ascending, for outer cross-validation).
    public let testRows: [Int]
    /// `[t]` float64: Pearson r between prediction and measurement over the test rows; NaN for a constant target.
    public let correlation: Tensor
    /// `[t]` float64: R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² over the test rows (ȳ their own mean); NaN for a constant target.
    public let r2: Tensor
    /// One model per outer fold (a single one for a train/test split).
    public let models: [RidgeModel]
    /// `[folds, t]` float64: the alpha each model chose for each target (`[1, t]` for a train/test split).
    public let alphas: Tensor
}

extension Ridge {
    /// Fits an encoding model and scores it on held-out rows.
    ///
    /// - `x`: `[n, p]` features; `y`: `[n, t]` (or `[n]`) responses.
    /// - `test`: `.rows`, `.mask` or `.crossValidated(folds:)` (default 5 outer folds).
    /// - The remaining arguments are those of `crossValidated` and apply to each inner fit (`folds`: inner folds over
    ///   the training rows).
    /// Returns predictions of the test rows and per target Pearson r and R².
    /// Throws `AlignmentError` for a mask of the wrong length, test rows out of range or repeated, no training or no
    /// test rows, fewer rows than outer folds, and everything `crossValidated` throws.
    public static func encode(
        _ x: Tensor, _ y: Tensor, test: EncodingTest = .crossValidated(folds: 5), alphas: [Double] = defaultRidgeAlphas,
        folds: Int = 5, fitIntercept: Bool = true, score: RidgeScore = .r2, solver: RidgeSolver = .automatic,
        progress: Bool? = nil
    ) throws -> EncodingResult {
        let operation = "encode"
        guard x.rank == 2 else {
            throw AlignmentError(operation, "X must be [n, features], got shape \(formatShape(x.shape))")
        }
        let targets = y.rank == 1 ? try y.reshaped([y.shape[0], 1]) : y
        guard targets.rank == 2 else {
            throw AlignmentError(operation, "Y must be [n, targets] (or [n]), got shape \(formatShape(y.shape))")
        }
        let n = x.shape[0]
        guard targets.shape[0] == n else { throw AlignmentError(operation, "X has \(n) rows but Y has \(targets.shape[0])") }
        let testSets: [[Int]]
        switch test {
        case .rows(let rows):
            testSets = [rows]
        case .mask(let mask):
            guard mask.count == n else {
                throw AlignmentError(operation, "test mask has \(mask.count) entries for \(n) rows")
            }
            testSets = [mask.indices.filter { mask[$0] }]
        case .crossValidated(let outer):
            testSets = try CrossValidation.kFold(outer).splits(rowCount: n, operation: operation).map(\.test)
        }
        var predictions: [Tensor] = []
        var models: [RidgeModel] = []
        var allTest: [Int] = []
        for rows in testSets {
            var isTest = [Bool](repeating: false, count: n)
            for row in rows {
                guard row >= 0 && row < n else {
                    throw AlignmentError(operation, "test row \(row) is outside 0..<\(n)")
                }
                guard !isTest[row] else { throw AlignmentError(operation, "test row \(row) is listed twice") }
                isTest[row] = true
            }
            guard !rows.isEmpty else { throw AlignmentError(operation, "no test rows") }
            let train = (0..<n).filter { !isTest[$0] }
            guard !train.isEmpty else { throw AlignmentError(operation, "no training rows (every row is a test row)") }
            let trainIndex = Tensor(train.map { Int64($0) }), testIndex = Tensor(rows.map { Int64($0) })
            let model = try crossValidated(
                try x.take(trainIndex, axis: 0), try targets.take(trainIndex, axis: 0), alphas: alphas,
                folds: .kFold(folds), fitIntercept: fitIntercept, score: score, solver: solver, progress: progress)
            let predicted = try model.predict(try x.take(testIndex, axis: 0))
            predictions.append(predicted)
            models.append(model)
            allTest += rows
        }
        let measured = try targets.take(Tensor(allTest.map { Int64($0) }), axis: 0)
        let predictionTensor = try Tensor.concatenate(predictions, axis: 0)
        let (correlation, r2) = try heldOutScores(measured, predictionTensor)
        return EncodingResult(
            prediction: predictionTensor, testRows: allTest, correlation: correlation, r2: r2, models: models,
            alphas: try Tensor.stack(models.map(\.alphas)))
    }

    /// Pearson r and R² per column of `[m, t]` measurements and predictions, in float64.
    static func heldOutScores(_ measured: Tensor, _ predicted: Tensor) throws -> (Tensor, Tensor) {
        let truth = measured.astype(.float64).contiguous(), guess = predicted.astype(.float64).contiguous()
        let rows = truth.shape[0], columns = truth.shape[1]
        let a = truth.pointer(Double.self), b = guess.pointer(Double.self)
        var correlation = [Double](repeating: .nan, count: columns), r2 = correlation
        for column in 0..<columns {
            var meanTruth = 0.0, meanGuess = 0.0
            for row in 0..<rows { meanTruth += a[row * columns + column]; meanGuess += b[row * columns + column] }
            meanTruth /= Double(rows); meanGuess /= Double(rows)
            var cross = 0.0, truthSquares = 0.0, guessSquares = 0.0, residual = 0.0
            for row in 0..<rows {
                let u = a[row * columns + column] - meanTruth, v = b[row * columns + column] - meanGuess
                cross += u * v; truthSquares += u * u; guessSquares += v * v
                let error = a[row * columns + column] - b[row * columns + column]
                residual += error * error
            }
            if truthSquares > 0 {
                r2[column] = 1 - residual / truthSquares
                if guessSquares > 0 { correlation[column] = cross / (truthSquares * guessSquares).squareRoot() }
            }
        }
        return (Tensor(correlation), Tensor(r2))
    }
}
