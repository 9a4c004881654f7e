import Foundation
import Tensors
@testable import Alignment

/// The 64-bit linear congruential generator of scripts/fixtures/ridge_fixtures.py (`lcg_matrix`), so that fixture
/// features need not be stored.
func lcgMatrix(seed: UInt64, rows: Int, columns: Int) -> [[Double]] {
    var state = seed
    return (0..<rows).map { _ in
        (0..<columns).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(UInt64(1) << 53) - 0.5
        }
    }
}

func tensor(_ rows: [[Double]], dtype: DType = .float64) -> Tensor {
    try! Tensor(rows).astype(dtype)
}

func rows(_ t: Tensor) -> [[Double]] {
    let values = t.astype(.float64).contiguous().scalars(as: Double.self)
    let columns = t.shape[1]
    return (0..<t.shape[0]).map { Array(values[($0 * columns)..<(($0 + 1) * columns)]) }
}

/// `|a − b| ≤ tolerance · max(1, |b|)` elementwise; NaN matches NaN.
func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        if x.isNaN && y.isNaN { continue }
        if !(abs(x - y) <= tolerance * max(1, abs(y))) { return false }
    }
    return true
}

/// The largest `|a − b| / max(1, |b|)`; infinity when the lengths differ or either is empty.
func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count && !a.isEmpty else { return .infinity }
    return zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}

/// The loaded ridge fixture file (scripts/fixtures/ridge_fixtures.py).
struct RidgeFixtures {
    nonisolated(unsafe) static let cases: [[String: Any]] = {
        let url = Bundle.module.url(forResource: "Fixtures/ridge/ridge", withExtension: "json")!
        let object = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return object["cases"] as! [[String: Any]]
    }()

    static func named(_ name: String) -> [String: Any] {
        cases.first { ($0["name"] as! String) == name }!
    }
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int { self[key] as! Int }
    func doubles(_ key: String) -> [Double] { (self[key] as! [Any]).map { ($0 as? Double) ?? Double($0 as! Int) } }
    func matrix(_ key: String) -> [[Double]] {
        (self[key] as! [[Any]]).map { $0.map { ($0 as? Double) ?? Double($0 as! Int) } }
    }

    /// X (training rows), Y and the test rows of the fixture's problem.
    func problem() -> (x: [[Double]], y: [[Double]], test: [[Double]]) {
        let n = int("n"), p = int("p")
        let all = lcgMatrix(seed: UInt64(int("seed")), rows: n + 10, columns: p)
        return (Array(all[0..<n]), matrix("Y"), Array(all[n...]))
    }
}

/// Solves `(XᵀX + αI) w = Xᵀ y` by Gaussian elimination with partial pivoting: the textbook ridge solution.
func naiveRidgeWeights(_ x: [[Double]], _ y: [Double], alpha: Double) -> [Double] {
    let p = x.first?.count ?? 0
    var system = [[Double]](repeating: [Double](repeating: 0, count: p + 1), count: p)
    for i in 0..<p {
        for j in 0..<p {
            var sum = 0.0
            for row in x.indices { sum += x[row][i] * x[row][j] }
            system[i][j] = sum + (i == j ? alpha : 0)
        }
        var sum = 0.0
        for row in x.indices { sum += x[row][i] * y[row] }
        system[i][p] = sum
    }
    for column in 0..<p {
        let pivot = (column..<p).max { abs(system[$0][column]) < abs(system[$1][column]) }!
        system.swapAt(column, pivot)
        for row in (column + 1)..<max(p, column + 1) where row < p {
            let factor = system[row][column] / system[column][column]
            for k in column...p { system[row][k] -= factor * system[column][k] }
        }
    }
    var w = [Double](repeating: 0, count: p)
    for row in stride(from: p - 1, through: 0, by: -1) {
        var sum = system[row][p]
        for k in (row + 1)..<max(p, row + 1) where k < p { sum -= system[row][k] * w[k] }
        w[row] = sum / system[row][row]
    }
    return w
}

func columnMean(_ x: [[Double]], _ rows: [Int], _ column: Int) -> Double {
    rows.map { x[$0][column] }.reduce(0, +) / Double(rows.count)
}

/// Naive score of predictions against truth (plain formulas).
func naiveScore(_ truth: [Double], _ prediction: [Double], _ score: RidgeScore) -> Double {
    let n = Double(truth.count)
    let residual = zip(truth, prediction).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
    let meanTruth = truth.reduce(0, +) / n
    let total = truth.map { ($0 - meanTruth) * ($0 - meanTruth) }.reduce(0, +)
    switch score {
    case .negativeMeanSquaredError: return -residual / n
    case .r2: return total > 0 ? 1 - residual / total : .nan
    case .pearson:
        let meanPrediction = prediction.reduce(0, +) / n
        let covariance = zip(truth, prediction).map { ($0 - meanTruth) * ($1 - meanPrediction) }.reduce(0, +)
        let spread = prediction.map { ($0 - meanPrediction) * ($0 - meanPrediction) }.reduce(0, +)
        return total > 0 && spread > 0 ? covariance / (total * spread).squareRoot() : .nan
    }
}

/// The whole cross-validated ridge by plain loops: per fold and alpha, centre with training means (when fitting an
/// intercept), solve the normal equations, score; mean over folds; argmax with the 1e-10·log α tie slope; refit.
func naiveRidgeCV(_ x: [[Double]], _ y: [[Double]], alphas: [Double], splits: [(train: [Int], test: [Int])],
                  fitIntercept: Bool, score: RidgeScore)
    -> (cvScores: [[Double]], alphas: [Double], weights: [[Double]], intercept: [Double])
{
    let p = x[0].count, t = y[0].count
    var cvScores = [[Double]](repeating: [Double](repeating: 0, count: t), count: alphas.count)
    var counts = cvScores
    for split in splits {
        let xMean = (0..<p).map { fitIntercept ? columnMean(x, split.train, $0) : 0 }
        let xTrain = split.train.map { row in (0..<p).map { x[row][$0] - xMean[$0] } }
        let xTest = split.test.map { row in (0..<p).map { x[row][$0] - xMean[$0] } }
        for target in 0..<t {
            let yMean = fitIntercept ? split.train.map { y[$0][target] }.reduce(0, +) / Double(split.train.count) : 0
            let yTrain = split.train.map { y[$0][target] - yMean }
            let yTest = split.test.map { y[$0][target] - yMean }
            for (a, alpha) in alphas.enumerated() {
                let w = naiveRidgeWeights(xTrain, yTrain, alpha: alpha)
                let prediction = xTest.map { row in zip(row, w).map(*).reduce(0, +) }
                let value = naiveScore(yTest, prediction, score)
                if value.isFinite { cvScores[a][target] += value; counts[a][target] += 1 }
            }
        }
    }
    var chosen = [Double](repeating: .nan, count: t)
    for target in 0..<t {
        var best = -Double.infinity
        for a in alphas.indices {
            cvScores[a][target] = counts[a][target] > 0 ? cvScores[a][target] / counts[a][target] : .nan
            let key = cvScores[a][target] + log(alphas[a]) * 1e-10
            if key > best { best = key; chosen[target] = alphas[a] }
        }
    }
    let all = Array(0..<x.count)
    let xMean = (0..<p).map { fitIntercept ? columnMean(x, all, $0) : 0 }
    let xCentred = x.map { row in (0..<p).map { row[$0] - xMean[$0] } }
    var weights = [[Double]](repeating: [Double](repeating: 0, count: t), count: p)
    var intercept = [Double](repeating: 0, count: t)
    for target in 0..<t {
        let yMean = fitIntercept ? columnMean(y, all, target) : 0
        let w = naiveRidgeWeights(xCentred, y.map { $0[target] - yMean }, alpha: chosen[target])
        for feature in 0..<p { weights[feature][target] = w[feature] }
        intercept[target] = fitIntercept ? yMean - zip(xMean, w).map(*).reduce(0, +) : 0
    }
    return (cvScores, chosen, weights, intercept)
}
