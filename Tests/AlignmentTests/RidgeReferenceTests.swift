import Foundation
import Testing
import Tensors
@testable import Alignment

/// bm's ridge against the textbook solution `(XᵀX + αI) w = Xᵀ y` solved per target by plain loops.
@Suite struct RidgeReferenceTests {
    struct Case: CustomStringConvertible, Sendable {
        var n: Int, p: Int, t: Int
        var folds: CrossValidation
        var fitIntercept: Bool
        var score: RidgeScore
        var solver: RidgeSolver
        var blockSize: Int?
        var description: String { "n=\(n) p=\(p) t=\(t) \(folds) intercept=\(fitIntercept) \(score) \(solver)" }
    }

    static let cases: [Case] = [
        Case(n: 20, p: 3, t: 1, folds: .kFold(5), fitIntercept: true, score: .r2, solver: .automatic),
        Case(n: 31, p: 5, t: 4, folds: .kFold(3), fitIntercept: false, score: .negativeMeanSquaredError, solver: .primal),
        Case(n: 31, p: 5, t: 4, folds: .kFold(3), fitIntercept: true, score: .pearson, solver: .dual),
        Case(n: 12, p: 20, t: 3, folds: .kFold(4), fitIntercept: true, score: .r2, solver: .automatic),
        Case(n: 12, p: 20, t: 3, folds: .kFold(2), fitIntercept: false, score: .pearson, solver: .primal),
        Case(n: 25, p: 25, t: 2, folds: .testIndices([[0, 5, 9], [1, 2, 3, 20], [24, 4]]), fitIntercept: true,
             score: .negativeMeanSquaredError, solver: .automatic),
        Case(n: 40, p: 1, t: 3, folds: .groups(Array(repeating: [7, 3, 3, 9], count: 10).flatMap { $0 }),
             fitIntercept: true, score: .r2, solver: .automatic),
        Case(n: 24, p: 6, t: 7, folds: .kFold(5), fitIntercept: true, score: .r2, solver: .primal, blockSize: 3),
        Case(n: 24, p: 30, t: 7, folds: .kFold(5), fitIntercept: true, score: .pearson, solver: .dual, blockSize: 2),
    ]

    static let alphas = [0.01, 0.3, 2, 10, 300]

    static func data(_ c: Case) -> (x: [[Double]], y: [[Double]]) {
        let x = lcgMatrix(seed: UInt64(c.n * 1000 + c.p), rows: c.n, columns: c.p)
        let w = lcgMatrix(seed: 99, rows: c.p, columns: c.t)
        let noise = lcgMatrix(seed: 5, rows: c.n, columns: c.t)
        var y = [[Double]](repeating: [Double](repeating: 0, count: c.t), count: c.n)
        for row in 0..<c.n {
            for target in 0..<c.t {
                var value = noise[row][target] * Double(target + 1) + 3 * Double(target)
                for feature in 0..<c.p { value += x[row][feature] * w[feature][target] }
                y[row][target] = value
            }
        }
        return (x, y)
    }

    @Test(arguments: cases)
    func matchesNaiveReference(_ c: Case) throws {
        let (x, y) = Self.data(c)
        let model = try Ridge.crossValidated(tensor(x), tensor(y), alphas: Self.alphas, folds: c.folds,
                                             fitIntercept: c.fitIntercept, score: c.score, solver: c.solver,
                                             targetBlockSize: c.blockSize)
        let reference = naiveRidgeCV(x, y, alphas: Self.alphas, splits: try c.folds.splits(rowCount: c.n),
                                     fitIntercept: c.fitIntercept, score: c.score)
        #expect(close(model.cvScores.scalars(as: Double.self), reference.cvScores.flatMap { $0 }, 1e-8))
        #expect(model.alphas.scalars(as: Double.self) == reference.alphas)
        #expect(close(model.weights.scalars(as: Double.self), reference.weights.flatMap { $0 }, 1e-8))
        #expect(close(model.intercept.scalars(as: Double.self), reference.intercept, 1e-8))
        #expect(model.weights.shape == [c.p, c.t])
        #expect(model.cvScores.shape == [Self.alphas.count, c.t])
    }

    /// float32 inputs are computed in float32 and agree with the float64 reference to float32 precision.
    @Test(arguments: [cases[0], cases[2], cases[3]])
    func float32(_ c: Case) throws {
        let (x, y) = Self.data(c)
        let model = try Ridge.crossValidated(tensor(x, dtype: .float32), tensor(y, dtype: .float32),
                                             alphas: Self.alphas, folds: c.folds, fitIntercept: c.fitIntercept,
                                             score: c.score, solver: c.solver)
        let reference = naiveRidgeCV(x, y, alphas: Self.alphas, splits: try c.folds.splits(rowCount: c.n),
                                     fitIntercept: c.fitIntercept, score: c.score)
        #expect(model.weights.dtype == .float32)
        #expect(close(model.cvScores.astype(.float64).scalars(as: Double.self), reference.cvScores.flatMap { $0 }, 2e-3))
    }

    /// Transposed (non-contiguous) X and Y views give the same fit as contiguous copies.
    @Test func stridedInputs() throws {
        let (x, y) = Self.data(Self.cases[1])
        let contiguous = try Ridge.crossValidated(tensor(x), tensor(y), alphas: Self.alphas)
        let xView = tensor(x).transposed().contiguous().transposed()
        let yView = tensor(y).transposed().contiguous().transposed()
        #expect(!xView.isContiguous && !yView.isContiguous)
        let strided = try Ridge.crossValidated(xView, yView, alphas: Self.alphas)
        #expect(close(strided.weights.scalars(as: Double.self), contiguous.weights.scalars(as: Double.self), 1e-12))
        #expect(close(strided.cvScores.scalars(as: Double.self), contiguous.cvScores.scalars(as: Double.self), 1e-12))
    }

    /// Alphas predicted one at a time or two at a time (the memory budget of large problems) give the same fit as
    /// all at once, in both dtypes.
    @Test(arguments: [false, true], [DType.float64, .float32])
    func memoryBudgetPaths(twoAtATime: Bool, dtype: DType) throws {
        // One alpha's stacked factors and predictions: 5 validation rows × (6 features + 7 targets).
        let size = dtype == .float64 ? 8 : 4
        let budget = twoAtATime ? 2 * 5 * 13 * size : 0
        let c = Self.cases[7]
        let (x, y) = Self.data(c)
        func fit(_ budget: Int) throws -> RidgeFitSummary {
            try Ridge.fit(tensor(x, dtype: dtype), tensor(y, dtype: dtype), alphas: Self.alphas, folds: c.folds,
                          fitIntercept: true, score: .r2, solver: .primal, nan: .refuse, targetBlockSize: 7,
                          progress: false, predictionBudget: budget) { _, _ in }
        }
        let reference = try fit(32 << 20), constrained = try fit(budget)
        #expect(close(constrained.cvScores.astype(.float64).scalars(as: Double.self),
                      reference.cvScores.astype(.float64).scalars(as: Double.self), dtype == .float32 ? 1e-5 : 1e-12))
        #expect(constrained.alphas.scalars(as: Double.self) == reference.alphas.scalars(as: Double.self))
    }

    /// float32 targets whose mean is 10⁵ times their spread: the fit centres them before the uncentred product
    /// (which would lose the digits that carry the signal) and agrees with the float64 reference on the same
    /// float32-rounded values. Both scores that use the validation mean and the uncentred products.
    @Test(arguments: [RidgeScore.r2, .pearson, .negativeMeanSquaredError])
    func largeMeansInFloat32(_ score: RidgeScore) throws {
        let c = Case(n: 60, p: 4, t: 5, folds: .kFold(5), fitIntercept: true, score: score, solver: .primal)
        let x = lcgMatrix(seed: 3, rows: c.n, columns: c.p)
        let w = lcgMatrix(seed: 4, rows: c.p, columns: c.t), noise = lcgMatrix(seed: 6, rows: c.n, columns: c.t)
        var y = [[Double]](repeating: [Double](repeating: 0, count: c.t), count: c.n)
        for row in 0..<c.n {
            for target in 0..<c.t {
                var value = 1e5 * Double(target % 2) + noise[row][target]
                for feature in 0..<c.p { value += x[row][feature] * w[feature][target] * 4 }
                y[row][target] = Double(Float(value))
            }
        }
        let xSingle = x.map { $0.map { Double(Float($0)) } }
        let model = try Ridge.crossValidated(tensor(xSingle, dtype: .float32), tensor(y, dtype: .float32),
                                             alphas: Self.alphas, folds: c.folds, score: score, solver: .primal)
        let reference = naiveRidgeCV(xSingle, y, alphas: Self.alphas, splits: try c.folds.splits(rowCount: c.n),
                                     fitIntercept: true, score: score)
        let tolerance = score == .negativeMeanSquaredError ? 2e-3 : 1e-3
        #expect(close(model.cvScores.astype(.float64).scalars(as: Double.self), reference.cvScores.flatMap { $0 },
                      tolerance))
        #expect(close(model.intercept.astype(.float64).scalars(as: Double.self), reference.intercept, 1e-6))
    }

    /// Row runs: consecutive rows merge, gaps start a new run, positions count the list.
    @Test func rowRuns() {
        #expect(RowRun.runs([]) == [])
        #expect(RowRun.runs([4]) == [RowRun(position: 0, start: 4, count: 1)])
        #expect(RowRun.runs([0, 1, 2, 5, 6, 9]) == [RowRun(position: 0, start: 0, count: 3),
                                                    RowRun(position: 3, start: 5, count: 2),
                                                    RowRun(position: 5, start: 9, count: 1)])
    }

    /// A 1-d Y is one target.
    @Test func vectorTarget() throws {
        let (x, y) = Self.data(Self.cases[0])
        let model = try Ridge.crossValidated(tensor(x), Tensor(y.map { $0[0] }), alphas: Self.alphas)
        let reference = naiveRidgeCV(x, y, alphas: Self.alphas, splits: try CrossValidation.kFold(5).splits(rowCount: 20),
                                     fitIntercept: true, score: .r2)
        #expect(model.weights.shape == [3, 1])
        #expect(close(model.weights.scalars(as: Double.self), reference.weights.flatMap { $0 }, 1e-8))
    }
}

/// Scoring every alpha through the validation Gram matrix (`RidgeGramScorer`, taken when k ≤ 0.8 n_val) gives the
/// scores of the predictions' route: contiguous and scattered folds, groups, with and without an intercept, every
/// score, blocks of several widths, float64 to rounding and float32 to its data's rounding; targets whose mean
/// dwarfs their spread (centred explicitly), one constant within a fold and one left out for a NaN.
@Suite struct RidgeGramScoringTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var n: Int, p: Int, t: Int
        var folds: CrossValidation
        var fitIntercept: Bool
        var score: RidgeScore
        var dtype: DType
        var blockSize: Int?
        var offset: Double = 0
        var testDescription: String {
            "n=\(n) p=\(p) t=\(t) \(folds) intercept=\(fitIntercept) \(score) \(dtype) block=\(blockSize ?? 0) offset=\(offset)"
        }
    }

    static let cases: [Case] = [
        Case(n: 50, p: 4, t: 9, folds: .kFold(5), fitIntercept: true, score: .r2, dtype: .float64, blockSize: 4),
        Case(n: 50, p: 4, t: 9, folds: .kFold(5), fitIntercept: false, score: .r2, dtype: .float64, blockSize: nil),
        Case(n: 61, p: 7, t: 5, folds: .kFold(3), fitIntercept: true, score: .pearson, dtype: .float64, blockSize: 2),
        Case(n: 61, p: 7, t: 5, folds: .kFold(3), fitIntercept: true, score: .negativeMeanSquaredError,
             dtype: .float64, blockSize: nil),
        Case(n: 40, p: 3, t: 6, folds: .testIndices([Array(stride(from: 0, to: 40, by: 3)), [1, 4, 7, 10, 13, 16, 19, 22]]),
             fitIntercept: true, score: .r2, dtype: .float64, blockSize: 4),
        Case(n: 48, p: 2, t: 4, folds: .groups((0..<48).map { $0 % 4 }), fitIntercept: true, score: .pearson,
             dtype: .float64, blockSize: nil),
        Case(n: 200, p: 12, t: 40, folds: .kFold(5), fitIntercept: true, score: .r2, dtype: .float32, blockSize: 16),
        Case(n: 200, p: 12, t: 40, folds: .kFold(4), fitIntercept: true, score: .pearson, dtype: .float32,
             blockSize: nil),
        Case(n: 200, p: 12, t: 40, folds: .kFold(5), fitIntercept: true, score: .negativeMeanSquaredError,
             dtype: .float32, blockSize: 32),
        Case(n: 120, p: 6, t: 8, folds: .kFold(5), fitIntercept: true, score: .r2, dtype: .float32, blockSize: 4,
             offset: 1e5),
    ]

    @Test(arguments: cases)
    func gramRouteMatchesThePredictions(_ c: Case) throws {
        let x = tensor(lcgMatrix(seed: 11, rows: c.n, columns: c.p), dtype: c.dtype)
        let w = tensor(lcgMatrix(seed: 12, rows: c.p, columns: c.t))
        var y = try Tensor.matmul(x.astype(.float64), w * 3)
            + tensor(lcgMatrix(seed: 13, rows: c.n, columns: c.t)) + c.offset
        // Target 0 constant over the first validation fold's rows of a k-fold split; the last target has a NaN.
        try y.set([.slice(start: 0, stop: 4, step: 1), .index(0)], to: Tensor(scalar: 1.5))
        try y.set([.index(c.n - 2), .index(c.t - 1)], to: Tensor(scalar: Double.nan))
        let targets = y.astype(c.dtype)
        let splits = try c.folds.splits(rowCount: c.n)
        let smallestValidation = splits.map(\.test.count).min()!
        #expect(RidgeGramScorer<Double>.isWorthwhile(rank: c.p, validationCount: smallestValidation))
        func fit(gram: Bool) throws -> RidgeFitSummary {
            try Ridge.fit(x, targets, alphas: [0.001, 0.1, 3, 100, 1e4], folds: c.folds, fitIntercept: c.fitIntercept,
                          score: c.score, solver: .primal, nan: .omit, targetBlockSize: c.blockSize, progress: false,
                          useGramScoring: gram) { _, _ in }
        }
        let gram = try fit(gram: true), predictions = try fit(gram: false)
        let gramScores = gram.cvScores.scalars(as: Double.self)
        let predictionScores = predictions.cvScores.scalars(as: Double.self)
        // float32: absolute error about 1e-6 of Σ y′² against the residual sum (see RidgeGramScorer).
        let tolerance = c.dtype == .float64 ? 1e-10 : (c.score == .negativeMeanSquaredError ? 2e-4 : 2e-5)
        #expect(close(gramScores, predictionScores, tolerance))
        #expect(gramScores.filter(\.isNaN).count == predictionScores.filter(\.isNaN).count)
        #expect(gramScores.filter(\.isNaN).count >= 5)
        if c.dtype == .float64 {
            #expect(close(gram.alphas.scalars(as: Double.self), predictions.alphas.scalars(as: Double.self), 0))
        }
    }
}
