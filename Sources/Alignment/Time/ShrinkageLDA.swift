import Foundation
import Tensors

/// Linear discriminant analysis with a shrunk pooled covariance: scikit-learn's
/// `LinearDiscriminantAnalysis(solver='lsqr', shrinkage=α)`, the classifier MNE's decoding tutorials use.
///
/// Each class covariance `S_k` (ddof 0, class-centred) is shrunk toward a scaled identity,
/// `(1 − α) S_k + α · tr(S_k)/d · I`, and pooled with the class priors (class proportions):
/// `Σ = Σ_k π_k S̃_k`. Then `w_k = Σ⁻¹ μ_k`, `b_k = −½ μ_kᵀ w_k + log π_k`; the predicted class is
/// `argmax_k (xᵀw_k + b_k)`. With two classes the decision value is the difference of class 1 and class 0.
struct ShrinkageLDA {
    /// [classes, d] and [classes].
    var weights: Matrix
    var intercepts: [Double]

    /// - Parameters: `x` [n, d]; `labels` class indices 0..<classes, each class present.
    init(x: Matrix, labels: [Int], classes: Int, shrinkage: Double) throws {
        let d = x.columns, n = x.rows
        var means = Matrix(rows: classes, columns: d)
        var counts = [Int](repeating: 0, count: classes)
        for row in 0..<n {
            counts[labels[row]] += 1
            for column in 0..<d { means[labels[row], column] += x[row, column] }
        }
        for k in 0..<classes { for column in 0..<d { means[k, column] /= Double(counts[k]) } }
        var pooled = Matrix(rows: d, columns: d)
        for k in 0..<classes {
            // S_k = (1/n_k) Σ (x − μ_k)(x − μ_k)ᵀ via one GEMM of the centred class rows.
            let members = (0..<n).filter { labels[$0] == k }
            var centred = Matrix(rows: members.count, columns: d)
            for (index, row) in members.enumerated() {
                for column in 0..<d { centred[index, column] = x[row, column] - means[k, column] }
            }
            let t = centred.tensor
            let scatter = Inputs.values(try Tensor.matmul(t.transposed(), t))
            let prior = Double(counts[k]) / Double(n)
            var trace = 0.0
            for i in 0..<d { trace += scatter[i * d + i] / Double(members.count) }
            let mu = trace / Double(d)
            for i in 0..<d {
                for j in 0..<d {
                    var value = (1 - shrinkage) * scatter[i * d + j] / Double(members.count)
                    if i == j { value += shrinkage * mu }
                    pooled[i, j] += prior * value
                }
            }
        }
        // Σ W = Mᵀ by least squares, as sklearn's lstsq (the pooled covariance may be singular without shrinkage).
        let solution = try Linalg.lstsq(pooled.tensor, means.tensor.transposed().contiguous()).solution
        let w = Matrix(rows: d, columns: classes, values: Inputs.values(solution))
        weights = Matrix(rows: classes, columns: d)
        intercepts = []
        for k in 0..<classes {
            var quadratic = 0.0
            for column in 0..<d { weights[k, column] = w[column, k]; quadratic += means[k, column] * w[column, k] }
            intercepts.append(-0.5 * quadratic + log(Double(counts[k]) / Double(n)))
        }
    }

    /// Decision values [n, classes].
    func decisions(_ x: Matrix) throws -> Matrix {
        let product = Inputs.values(try Tensor.matmul(x.tensor, weights.tensor.transposed()))
        var result = Matrix(rows: x.rows, columns: weights.rows, values: product)
        for row in 0..<x.rows { for k in 0..<weights.rows { result[row, k] += intercepts[k] } }
        return result
    }
}

