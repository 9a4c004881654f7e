import Foundation
import Testing
import Tensors
@testable import Alignment

/// In-memory primal fits project through the cross products `Xᶜᵀ Y` held in the weight matrix (`RidgeCrossProducts`);
/// they must give the fits of the per-fold basis U: the same scores, alphas, weights and intercepts, over contiguous
/// and scattered folds, groups, with and without an intercept, every score, blocks of several widths, targets whose
/// mean dwarfs their spread (centred explicitly), rows of X dropped for a NaN, a target left out for a NaN and one
/// constant within a fold, and with validation folds both smaller and larger than the features (both scoring routes).
@Suite struct RidgeCrossProductTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var n: Int, p: Int, t: Int
        var folds: CrossValidation
        var fitIntercept: Bool = true
        var score: RidgeScore = .r2
        var dtype: DType = .float64
        var blockSize: Int? = nil
        var offset: Double = 0
        var dropRow: Bool = false
        var testDescription: String {
            "n=\(n) p=\(p) t=\(t) \(folds) intercept=\(fitIntercept) \(score) \(dtype) block=\(blockSize ?? 0) "
                + "offset=\(offset) dropRow=\(dropRow)"
        }
    }

    static let cases: [Case] = [
        Case(n: 50, p: 4, t: 9, folds: .kFold(5), blockSize: 4),
        Case(n: 50, p: 4, t: 9, folds: .kFold(5), fitIntercept: false),
        Case(n: 61, p: 7, t: 5, folds: .kFold(3), score: .pearson, blockSize: 2),
        Case(n: 61, p: 7, t: 5, folds: .kFold(3), score: .negativeMeanSquaredError, dropRow: true),
        Case(n: 40, p: 3, t: 6,
             folds: .testIndices([Array(stride(from: 0, to: 40, by: 3)), [1, 4, 7, 10, 13, 16, 19, 22]]), blockSize: 4),
        Case(n: 48, p: 2, t: 4, folds: .groups((0..<48).map { $0 % 4 }), score: .pearson),
        Case(n: 48, p: 5, t: 4, folds: .groups((0..<48).map { $0 / 12 }), dropRow: true),
        // Fewer validation rows than features: the predictions' route scores.
        Case(n: 30, p: 12, t: 7, folds: .kFold(5), blockSize: 3),
        Case(n: 30, p: 12, t: 7, folds: .kFold(5), fitIntercept: false, score: .pearson),
        Case(n: 200, p: 12, t: 40, folds: .kFold(5), dtype: .float32, blockSize: 16),
        Case(n: 200, p: 48, t: 40, folds: .kFold(5), score: .pearson, dtype: .float32),
        Case(n: 200, p: 12, t: 40, folds: .kFold(4), score: .negativeMeanSquaredError, dtype: .float32, blockSize: 32,
             dropRow: true),
        Case(n: 120, p: 6, t: 8, folds: .kFold(5), dtype: .float32, blockSize: 4, offset: 1e5),
        Case(n: 120, p: 6, t: 8, folds: .kFold(5), blockSize: 3, offset: 1e9),
        // Scattered folds (the validation rows gathered) with targets centred explicitly.
        Case(n: 90, p: 6, t: 8,
             folds: .testIndices([Array(stride(from: 0, to: 90, by: 2)), Array(stride(from: 1, to: 90, by: 4))]),
             dtype: .float32, offset: 1e5),
    ]

    @Test(arguments: cases)
    func crossProductsGiveTheBasisFits(_ c: Case) throws {
        var x = try tensor(lcgMatrix(seed: 21, rows: c.n, columns: c.p)) + 0.7
        let w = tensor(lcgMatrix(seed: 22, rows: c.p, columns: c.t))
        var y = try Tensor.matmul(x, w * 3) + tensor(lcgMatrix(seed: 23, rows: c.n, columns: c.t)) + c.offset
        // Target 0 constant over the first rows (one fold's worth for contiguous folds); the last target has a NaN.
        try y.set([.slice(start: 0, stop: 4, step: 1), .index(0)], to: Tensor(scalar: 1.5 + c.offset))
        try y.set([.index(c.n - 2), .index(c.t - 1)], to: Tensor(scalar: Double.nan))
        if c.dropRow { try x.set([.index(5), .index(1)], to: Tensor(scalar: Double.nan)) }
        let features = x.astype(c.dtype), targets = y.astype(c.dtype)
        func fit(crossProducts: Bool) throws -> (summary: RidgeFitSummary, weights: [Double]) {
            var weights = Tensor(uninitializedShape: [c.p, c.t], dtype: c.dtype)
            weights.makeUniqueContiguous()
            let summary = try Ridge.fit(
                features, targets, alphas: [0.001, 0.1, 3, 100, 1e4], folds: c.folds, fitIntercept: c.fitIntercept,
                score: c.score, solver: .primal, nan: .omit, targetBlockSize: c.blockSize, progress: false,
                useCrossProducts: crossProducts, weightMatrix: weights) { _, _ in }
            return (summary, weights.astype(.float64).scalars(as: Double.self))
        }
        let products = try fit(crossProducts: true), basis = try fit(crossProducts: false)
        if c.dtype == .float32 {
            // Against the float64 fit of the same (rounded) data, the cross products are as accurate as the basis:
            // scores within the basis route's own error, weights to 1e-5.
            var weights = Tensor(uninitializedShape: [c.p, c.t], dtype: .float64)
            weights.makeUniqueContiguous()
            let exact = try Ridge.fit(
                features.astype(.float64), targets.astype(.float64), alphas: [0.001, 0.1, 3, 100, 1e4],
                folds: c.folds, fitIntercept: c.fitIntercept, score: c.score, solver: .primal, nan: .omit,
                targetBlockSize: c.blockSize, progress: false, useCrossProducts: false,
                weightMatrix: weights) { _, _ in }
            func scores(_ summary: RidgeFitSummary) -> [Double] {
                summary.cvScores.scalars(as: Double.self).map { $0.isNaN ? 0 : $0 }
            }
            let productError = maxRelativeError(scores(products.summary), scores(exact))
            let basisError = maxRelativeError(scores(basis.summary), scores(exact))
            #expect(productError <= basisError + 1e-6)
            #expect(maxRelativeError(products.weights, weights.scalars(as: Double.self)) <= 1e-5)
        }
        let float64 = c.dtype == .float64
        // float32: both routes carry the data's rounding (~1e-7 relative) through sums of up to 200 rows.
        let scoreTolerance = float64 ? 1e-9 : 1e-5
        #expect(close(products.summary.cvScores.scalars(as: Double.self),
                      basis.summary.cvScores.scalars(as: Double.self), scoreTolerance))
        // Every column is written: the omitted target's weights are zeros in both.
        #expect(maxRelativeError(products.weights, basis.weights) <= (float64 ? 1e-9 : 1e-5))
        #expect((0..<c.p).allSatisfy { products.weights[$0 * c.t + c.t - 1] == 0 })
        #expect(close(products.summary.intercept.astype(.float64).scalars(as: Double.self),
                      basis.summary.intercept.astype(.float64).scalars(as: Double.self),
                      float64 ? 1e-9 : 1e-5))
        #expect(products.summary.omittedTargetCount == 1 && basis.summary.omittedTargetCount == 1)
        #expect(products.summary.droppedRows == basis.summary.droppedRows)
        #expect(products.summary.droppedRows.count == (c.dropRow ? 1 : 0))
        let productAlphas = products.summary.alphas.scalars(as: Double.self)
        let basisAlphas = basis.summary.alphas.scalars(as: Double.self)
        if float64 {
            #expect(close(productAlphas, basisAlphas, 0))
        } else {
            // float32 scores of neighbouring alphas may swap within rounding: the alphas must agree where the two
            // best scores of the basis fit are apart by more than the tolerance.
            let means = basis.summary.cvScores.scalars(as: Double.self), alphaCount = 5
            for target in 0..<c.t where !basisAlphas[target].isNaN {
                let column = (0..<alphaCount).map { means[$0 * c.t + target] }.sorted(by: >)
                if column[0] - column[1] > 1e-3 { #expect(productAlphas[target] == basisAlphas[target]) }
            }
        }
    }
}
