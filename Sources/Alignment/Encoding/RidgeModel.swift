import Tensors

/// Everything a cross-validated ridge fit returns except the weights: what `Ridge.fitStreaming` returns while the
/// weights go to a sink.
public struct RidgeFitSummary: Sendable {
    /// The candidate penalties, in the order of `cvScores`' rows.
    public let alphaGrid: [Double]
    /// `[t]` float64: the penalty chosen for each target; NaN for a target left without a score (constant, or
    /// omitted for non-finite values).
    public let alphas: Tensor
    /// `[n_alphas, t]` float64: the score of each penalty for each target, averaged over the folds (folds where a
    /// score is undefined, e.g. R² of a target constant within the fold, are left out of that average).
    public let cvScores: Tensor
    /// `[t]` float64: the averaged score at the chosen penalty (the column maxima of `cvScores`), NaN where the target
    /// has no score.
    public let bestScores: Tensor
    /// `[t]`: `ȳ − x̄ᵀ W` when fitting an intercept, zeros otherwise.
    public let intercept: Tensor
    public let score: RidgeScore
    /// The solver used: `.primal` or `.dual` (never `.automatic`).
    public let solver: RidgeSolver
    /// Targets constant over every row: their scores and alpha are NaN, their weights zero, their intercept the
    /// constant (when fitting an intercept).
    public let constantTargetCount: Int
    /// Targets with a non-finite value, left out under `nan: .omit` (scores and alpha NaN, weights and intercept 0).
    public let omittedTargetCount: Int
    /// Rows dropped under `nan: .omit` because X had a non-finite value in them.
    public let droppedRows: [Int]
    /// Number of features p.
    public let featureCount: Int
}

/// A ridge model fitted with one penalty per target chosen by cross-validation (`Ridge.crossValidated`).
/// Predictions are `X · weights + intercept`.
public struct RidgeModel: Sendable {
    /// `[p, t]`: refit on all rows, each target with its own alpha.
    public let weights: Tensor
    public let summary: RidgeFitSummary

    public var intercept: Tensor { summary.intercept }
    public var alphas: Tensor { summary.alphas }
    public var cvScores: Tensor { summary.cvScores }
    public var bestScores: Tensor { summary.bestScores }

    /// `X · weights + intercept` for `x` `[m, p]` → `[m, t]` in the model's dtype.
    /// Throws `AlignmentError` when `x` is not 2-d or has a different number of features than the fit.
    public func predict(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2 else {
            throw AlignmentError("predict", "X must be [n, features], got shape \(formatShape(x.shape))")
        }
        guard x.shape[1] == weights.shape[0] else {
            throw AlignmentError("predict", "X has \(x.shape[1]) features but the model was fit on \(weights.shape[0])")
        }
        return try Tensor.matmul(x.astype(weights.dtype), weights) + intercept
    }
}
