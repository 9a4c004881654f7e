import Foundation
import Tensors

/// How the held-out variance of each target splits among feature bands (de Heer et al. 2017; Lescroart et al. 2015).
public struct VariancePartition: Sendable {
    /// Every non-empty subset of bands (indices), in order of increasing bitmask (band 0 alone, band 1 alone,
    /// bands 0 and 1, …).
    public let subsets: [[Int]]
    /// `[n_subsets, t]` float64: held-out R² of the model fit on each subset.
    public let subsetR2: Tensor
    /// `[B, t]` float64: variance only band b explains, `R²(all) − R²(all but b)`.
    public let unique: Tensor
    /// `[t]` float64: variance every band explains, by inclusion–exclusion `Σ_S (−1)^{|S|+1} R²(S)` (for two bands
    /// `R²(A) + R²(B) − R²(A ∪ B)`).
    public let shared: Tensor
}

extension Ridge {
    /// Variance partitioning: fits every non-empty subset of `bands` (plain ridge for one band, banded ridge for
    /// several), scores each on held-out rows with R², and derives unique and shared variance.
    ///
    /// - `bands`: B tensors `[n, p_b]` (1 ≤ B ≤ 6: 2^B − 1 fits). `y`: `[n, t]`.
    /// - `test`: held-out rows as in `encode` (default 5 outer folds). `iterations`, `seed`: banded random search.
    /// - other arguments as `crossValidated`, for each inner fit.
    /// Throws `AlignmentError` for no bands or more than 6, and everything `encode` and `bandedCrossValidated` throw.
    /// Note: R² of different subsets are estimated separately, so a partition may come out slightly negative.
    public static func variancePartitioning(
        _ bands: [Tensor], _ y: Tensor, test: EncodingTest = .crossValidated(folds: 5),
        alphas: [Double] = defaultRidgeAlphas, iterations: Int = 20, seed: UInt64 = 0, folds: Int = 5,
        fitIntercept: Bool = true
    ) throws -> VariancePartition {
        let operation = "variance_partitioning"
        guard !bands.isEmpty && bands.count <= 6 else {
            throw AlignmentError(operation, "needs between 1 and 6 bands, got \(bands.count)")
        }
        let subsets = (1..<(1 << bands.count)).map { mask in bands.indices.filter { mask & (1 << $0) != 0 } }
        var scores: [[Double]] = []
        for subset in subsets {
            let chosen = subset.map { bands[$0] }
            let r2 = try heldOutR2(chosen, y, test: test, operation: operation) { trainBands, trainTargets in
                if chosen.count == 1 {
                    let model = try crossValidated(trainBands[0], trainTargets, alphas: alphas, folds: .kFold(folds),
                                                   fitIntercept: fitIntercept, progress: false)
                    return { try model.predict($0[0]) }
                }
                let model = try bandedCrossValidated(trainBands, trainTargets, alphas: alphas, iterations: iterations,
                                                     seed: seed, folds: .kFold(folds), fitIntercept: fitIntercept,
                                                     progress: false)
                return { try model.predict($0) }
            }
            scores.append(r2)
        }
        let targetCount = scores[0].count, all = subsets.count - 1
        var unique: [Double] = []
        for band in bands.indices {
            let without = subsets.firstIndex(of: bands.indices.filter { $0 != band })
            for target in 0..<targetCount {
                unique.append(scores[all][target] - (without.map { scores[$0][target] } ?? 0))
            }
        }
        let shared = (0..<targetCount).map { target in
            subsets.indices.map { index in
                (subsets[index].count % 2 == 1 ? 1.0 : -1.0) * scores[index][target]
            }.reduce(0, +)
        }
        return VariancePartition(subsets: subsets,
                                 subsetR2: try Tensor(shape: [subsets.count, targetCount], scalars: scores.flatMap { $0 }),
                                 unique: try Tensor(shape: [bands.count, targetCount], scalars: unique),
                                 shared: Tensor(shared))
    }

    /// Held-out R² per target of a model made by `fit` (training bands and targets → predictor of test bands).
    static func heldOutR2(_ bands: [Tensor], _ y: Tensor, test: EncodingTest, operation: String,
                          fit: ([Tensor], Tensor) throws -> ([Tensor]) throws -> Tensor) throws -> [Double] {
        let n = y.shape[0]
        for band in bands where band.rank != 2 || band.shape[0] != n {
            throw AlignmentError(operation, "every band must be [\(n), features], got shape \(formatShape(band.shape))")
        }
        let testSets: [[Int]]
        switch test {
        case .rows(let rows): testSets = [rows]
        case .mask(let mask):
            guard mask.count == n else { throw AlignmentError(operation, "test mask has \(mask.count) entries for \(n) rows") }
            testSets = [mask.indices.filter { mask[$0] }]
        case .crossValidated(let outer):
            testSets = try CrossValidation.kFold(outer).splits(rowCount: n, operation: operation).map(\.test)
        }
        var predictions: [Tensor] = [], order: [Int] = []
        for rows in testSets {
            let isTest = Set(rows)
            guard !rows.isEmpty, rows.allSatisfy({ $0 >= 0 && $0 < n }), isTest.count == rows.count, isTest.count < n else {
                throw AlignmentError(operation, "test rows must be distinct, within 0..<\(n), and leave training rows")
            }
            let train = Tensor((0..<n).filter { !isTest.contains($0) }.map { Int64($0) })
            let held = Tensor(rows.map { Int64($0) })
            let predict = try fit(try bands.map { try $0.take(train, axis: 0) }, try y.take(train, axis: 0))
            predictions.append(try predict(try bands.map { try $0.take(held, axis: 0) }))
            order += rows
        }
        let measured = try y.take(Tensor(order.map { Int64($0) }), axis: 0)
        return try heldOutScores(measured, try Tensor.concatenate(predictions, axis: 0)).1.scalars(as: Double.self)
    }
}
