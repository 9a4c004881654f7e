import Foundation
import Tensors

/// The outcome of `Ridge.timeResolvedEncode`: how well features predict every sensor at every time point of a
/// MEG/EEG recording.
public struct TimeResolvedEncodingResult: Sendable {
    /// `[sensors, times]` float64: held-out Pearson r of each sensor at each time point (NaN for a constant one).
    public let correlation: Tensor
    /// `[sensors, times]` float64: held-out R² (ȳ the test rows' own mean).
    public let r2: Tensor
    /// `[times]` float64: the mean of `correlation` over sensors, ignoring NaN (the latency curve of a layer).
    public let meanCorrelation: Tensor
    /// `[folds, sensors, times]` float64: the penalty each outer fold chose (constant over time with shared alphas).
    public let alphas: Tensor
}

extension Ridge {
    /// Time-resolved encoding of MEG/EEG: one ridge per time point, `Y_t = X W_t` with `Y_t = meg[:, :, t]`,
    /// scored on held-out trials, giving `r[s, t]` and the curve `mean_s r[s, t]`.
    ///
    /// Every (sensor, time) target is an independent ridge problem, so all of them are solved together from one
    /// factorisation of X per fold; with `sharedAlphas: false` this gives exactly the per-time-point loop over
    /// `encode`, alpha chosen per sensor and time. With `sharedAlphas: true` each sensor keeps one alpha for all time
    /// points (the one with the best inner cross-validation score averaged over time), which stabilises the curve
    /// where the signal is weak (before stimulus onset) — as is usual for MEG encoding.
    ///
    /// - `x`: `[trials, features]`; `meg`: `[trials, sensors, times]`.
    /// - `test`, `alphas`, `folds`, `fitIntercept`: as `encode` (`folds`: inner folds over the training trials).
    /// Throws `AlignmentError` for `x` not 2-d, `meg` not 3-d, different trial counts (both shapes named), and
    /// everything `encode` throws.
    public static func timeResolvedEncode(
        _ x: Tensor, _ meg: Tensor, test: EncodingTest = .crossValidated(folds: 5),
        alphas: [Double] = defaultRidgeAlphas, folds: Int = 5, sharedAlphas: Bool = false, fitIntercept: Bool = true
    ) throws -> TimeResolvedEncodingResult {
        let operation = "time_resolved_encoding"
        guard x.rank == 2 else {
            throw AlignmentError(operation, "X must be [trials, features], got shape \(formatShape(x.shape))")
        }
        guard meg.rank == 3 else {
            throw AlignmentError(operation, "meg must be [trials, sensors, times], got shape \(formatShape(meg.shape))")
        }
        guard meg.shape[0] == x.shape[0] else {
            throw AlignmentError(operation, "X \(formatShape(x.shape)) and meg \(formatShape(meg.shape)) have different numbers of trials")
        }
        let (n, sensors, times) = (meg.shape[0], meg.shape[1], meg.shape[2])
        // Column s·times + t of the flattened targets is sensor s at time t.
        let targets = try meg.contiguous().reshaped([n, sensors * times])
        if !sharedAlphas {
            let result = try encode(x, targets, test: test, alphas: alphas, folds: folds, fitIntercept: fitIntercept,
                                    progress: false)
            return try assemble(result.correlation, result.r2, result.alphas, sensors: sensors, times: times)
        }
        var predictions: [Tensor] = [], chosen: [Tensor] = [], allTest: [Int] = []
        for rows in try testSets(test, rowCount: n, folds: folds, operation: operation) {
            var isTest = [Bool](repeating: false, count: n)
            for row in rows { isTest[row] = true }
            let train = Tensor((0..<n).filter { !isTest[$0] }.map { Int64($0) })
            let xTrain = try x.take(train, axis: 0), yTrain = try targets.take(train, axis: 0)
            let xTest = try x.take(Tensor(rows.map { Int64($0) }), axis: 0)
            let search = try crossValidated(xTrain, yTrain, alphas: alphas, folds: .kFold(folds),
                                            fitIntercept: fitIntercept, progress: false)
            // Mean inner score over time per sensor and alpha: [alphas, sensors].
            let scores = try search.cvScores.astype(.float64).reshaped([alphas.count, sensors, times])
                .nanMean(axes: [2]).scalars(as: Double.self)
            var best = [Int](repeating: 0, count: sensors)
            for sensor in 0..<sensors {
                var bestScore = -Double.infinity
                for index in alphas.indices where scores[index * sensors + sensor] > bestScore {
                    bestScore = scores[index * sensors + sensor]
                    best[sensor] = index
                }
            }
            var prediction = [Double](repeating: 0, count: rows.count * sensors * times)
            var alphaValues = [Double](repeating: 0, count: sensors * times)
            for index in Set(best).sorted() {
                let group = (0..<sensors).filter { best[$0] == index }
                let columns = group.flatMap { sensor in (0..<times).map { sensor * times + $0 } }
                let model = try crossValidated(xTrain, try yTrain.take(Tensor(columns.map { Int64($0) }), axis: 1),
                                               alphas: [alphas[index]], folds: .kFold(folds),
                                               fitIntercept: fitIntercept, progress: false)
                let predicted = try model.predict(xTest).astype(.float64).scalars(as: Double.self)
                for (position, column) in columns.enumerated() {
                    alphaValues[column] = alphas[index]
                    for row in 0..<rows.count {
                        prediction[row * sensors * times + column] = predicted[row * columns.count + position]
                    }
                }
            }
            predictions.append(try Tensor(shape: [rows.count, sensors * times], scalars: prediction))
            chosen.append(Tensor(alphaValues))
            allTest += rows
        }
        let measured = try targets.take(Tensor(allTest.map { Int64($0) }), axis: 0)
        let (correlation, r2) = try heldOutScores(measured, try Tensor.concatenate(predictions, axis: 0))
        return try assemble(correlation, r2, try Tensor.stack(chosen), sensors: sensors, times: times)
    }

    private static func assemble(_ correlation: Tensor, _ r2: Tensor, _ alphas: Tensor, sensors: Int,
                                 times: Int) throws -> TimeResolvedEncodingResult {
        let r = try correlation.reshaped([sensors, times])
        return TimeResolvedEncodingResult(
            correlation: r, r2: try r2.reshaped([sensors, times]), meanCorrelation: try r.nanMean(axes: [0]),
            alphas: try alphas.astype(.float64).reshaped([alphas.shape[0], sensors, times]))
    }

    /// The test rows of each outer fold, checked as `encode` checks them.
    static func testSets(_ test: EncodingTest, rowCount n: Int, folds: Int, operation: String) throws -> [[Int]] {
        let sets: [[Int]]
        switch test {
        case .rows(let rows): sets = [rows]
        case .mask(let mask):
            guard mask.count == n else { throw AlignmentError(operation, "test mask has \(mask.count) entries for \(n) rows") }
            sets = [mask.indices.filter { mask[$0] }]
        case .crossValidated(let outer):
            sets = try CrossValidation.kFold(outer).splits(rowCount: n, operation: operation).map(\.test)
        }
        for rows in sets {
            guard !rows.isEmpty else { throw AlignmentError(operation, "no test rows") }
            var seen = Set<Int>()
            for row in rows {
                guard row >= 0 && row < n else { throw AlignmentError(operation, "test row \(row) is outside 0..<\(n)") }
                guard seen.insert(row).inserted else { throw AlignmentError(operation, "test row \(row) is listed twice") }
            }
            guard seen.count < n else { throw AlignmentError(operation, "no training rows (every row is a test row)") }
        }
        return sets
    }
}
