import Foundation
import Tensors

/// How a cross-validated ridge fit scores the predictions of one validation fold, per target.
public enum RidgeScore: String, Sendable, CaseIterable {
    /// Coefficient of determination `R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²`, ȳ the validation fold's own mean (as
    /// scikit-learn's `r2_score`). A target constant over the fold has no R² (NaN).
    case r2 = "r2"
    /// Pearson correlation between `y` and `ŷ` over the fold's rows; NaN when either is constant.
    case pearson = "r"
    /// `−Σ(y − ŷ)² / n_fold`, himalaya's `l2_neg_loss`, its default for `RidgeCV`.
    case negativeMeanSquaredError = "neg_mse"

    /// The score named as the language binding spells it: `"r2"`, `"r"` (or `"pearson"`), `"neg_mse"`.
    /// Throws `AlignmentError` naming the argument for any other name.
    public init(named name: String, operation: String = "ridge_cv") throws {
        if name == "pearson" { self = .pearson; return }
        guard let score = RidgeScore(rawValue: name) else {
            throw AlignmentError(operation, "score must be \"r2\", \"r\" or \"neg_mse\", got \"\(name)\"")
        }
        self = score
    }
}

/// Which factorisation solves the ridge problems. Both give the same answers (to rounding); they differ in cost.
public enum RidgeSolver: String, Sendable, CaseIterable {
    /// Primal when the training rows are at least as many as the features, dual otherwise.
    case automatic = "auto"
    /// The SVD `X = U S Vᵀ` per fold (from the eigendecomposition of `XᵀX`, formed in float64): weights
    /// `V diag(s / (s² + α)) Uᵀ Y`. Cost O(n p² + p³).
    case primal = "primal"
    /// One eigendecomposition of the kernel `K = X Xᵀ = Q Λ Qᵀ` per fold: weights `Xᵀ Q diag(1 / (λ + α)) Qᵀ Y`.
    /// Cost O(n² p + n³); the better choice when features outnumber rows.
    case dual = "dual"
}

/// What to do with NaN or infinite values in the inputs, for every function of the toolkit that takes one.
public enum NaNPolicy: String, Sendable {
    /// Throw an `AlignmentError` naming the argument and the first offending column (and row, where there is one).
    case refuse = "refuse"
    /// Leave the offending values out and go on. Ridge drops the rows where X has a non-finite value and leaves out
    /// (score NaN, zero weights) the targets that have one, counting them in the result; RDMs and RDM comparisons
    /// drop the offending columns or entries.
    case omit = "omit"
}

/// The cross-validation folds of a ridge fit: which rows each fold holds out for validation.
public enum CrossValidation: Sendable, Equatable {
    /// `k` contiguous, unshuffled folds (scikit-learn's `KFold(k)`): the first `n mod k` folds have one extra row.
    case kFold(Int)
    /// Explicit folds, each a list of validation row indices; each fold trains on every other row.
    case testIndices([[Int]])
    /// Leave-one-group-out: one fold per distinct label (in order of first appearance), validating on that group.
    case groups([Int])

    /// The `(train, test)` row lists of each fold over `rowCount` rows (indices into those rows).
    /// Throws `AlignmentError` when a fold would be empty, an index is out of range or repeated, or there are fewer
    /// rows than folds.
    public func splits(rowCount: Int, operation: String = "ridge_cv") throws -> [(train: [Int], test: [Int])] {
        var tests: [[Int]] = []
        switch self {
        case .kFold(let count):
            guard count >= 2 else { throw AlignmentError(operation, "folds must be at least 2, got \(count)") }
            guard rowCount >= count else {
                throw AlignmentError(operation, "folds: \(count) folds need at least \(count) rows, got \(rowCount)")
            }
            var start = 0
            for fold in 0..<count {
                let size = rowCount / count + (fold < rowCount % count ? 1 : 0)
                tests.append(Array(start..<(start + size)))
                start += size
            }
        case .testIndices(let lists):
            guard lists.count >= 2 else {
                throw AlignmentError(operation, "folds: need at least 2 explicit folds, got \(lists.count)")
            }
            var seen = [Bool](repeating: false, count: rowCount)
            for (fold, list) in lists.enumerated() {
                guard !list.isEmpty else { throw AlignmentError(operation, "folds: fold \(fold) is empty") }
                for index in list {
                    guard index >= 0 && index < rowCount else {
                        throw AlignmentError(operation,
                                             "folds: fold \(fold) has row \(index), outside 0..<\(rowCount)")
                    }
                    guard !seen[index] else {
                        throw AlignmentError(operation, "folds: row \(index) is in more than one fold")
                    }
                    seen[index] = true
                }
            }
            tests = lists.map { $0.sorted() }
        case .groups(let labels):
            guard labels.count == rowCount else {
                throw AlignmentError(operation, "groups: \(labels.count) labels for \(rowCount) rows")
            }
            var order: [Int] = []
            var members: [Int: [Int]] = [:]
            for (row, label) in labels.enumerated() {
                if members[label] == nil { order.append(label) }
                members[label, default: []].append(row)
            }
            guard order.count >= 2 else {
                throw AlignmentError(operation, "groups: leave-one-group-out needs at least 2 groups, got \(order.count)")
            }
            tests = order.map { members[$0]! }
        }
        return try tests.enumerated().map { fold, test in
            var inTest = [Bool](repeating: false, count: rowCount)
            for index in test { inTest[index] = true }
            let train = (0..<rowCount).filter { !inTest[$0] }
            guard !train.isEmpty else {
                throw AlignmentError(operation, "folds: fold \(fold) leaves no training rows")
            }
            return (train, test)
        }
    }
}

/// The default ridge penalties: `logspace(-1, 6, 15)`, i.e. 15 values from 0.1 to 10⁶ evenly spaced in log10.
public let defaultRidgeAlphas: [Double] = (0..<15).map { Foundation.pow(10, -1 + 7 * Double($0) / 14) }
