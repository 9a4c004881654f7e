import Foundation
import Tensors

/// The kernel of centred kernel alignment.
public enum CKAKernel: Sendable, Equatable {
    /// `k(x, y) = x·y`.
    case linear
    /// `k(x, y) = exp(−‖x−y‖² / (2σ²))` with a fixed bandwidth σ > 0.
    case rbf(sigma: Double)
    /// RBF with Kornblith et al.'s bandwidth `σ² = fraction² · median(‖xᵢ−xⱼ‖²)` (median over all n² pairs,
    /// diagonal included, as their reference code).
    case rbfMedian(fraction: Double)
}

/// Representation similarity indices that need no RDM: CKA and Procrustes.
public enum Similarity {
    /// Centred kernel alignment (Kornblith et al. 2019): `CKA = HSIC(K, L) / √(HSIC(K, K) HSIC(L, L))` with
    /// `HSIC(K, L) ∝ tr(K H L H)`. The linear biased case is computed in feature space,
    /// `‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F)` after centring the columns (BLAS only: one GEMM, and the symmetric norms from
    /// the upper triangle of a ?syrk; in example space `⟨XXᵀ, YYᵀ⟩` when examples are fewer than features). The
    /// linear case makes one centred copy of each input and nothing else of its size.
    /// `debiased` uses the unbiased HSIC estimator of Song et al. (2012) (Kornblith's `center_gram(unbiased=True)`),
    /// which removes the upward bias of CKA when features outnumber examples.
    /// - Parameters: `x` [n, p], `y` [n, q] (same examples in the same order); float32 stays float32 in the GEMMs
    ///   when both are float32 (other pairs are computed in float64).
    /// - Throws: `AlignmentError` for non-2-D inputs or different n (both shapes named), non-finite values (column
    ///   named), n < 4 when debiased, σ or fraction ≤ 0.
    /// A representation with zero variance gives NaN (and a warning).
    public static func cka(_ x: Tensor, _ y: Tensor, kernel: CKAKernel = .linear, debiased: Bool = false,
                           warnings: AlignmentWarnings? = nil) throws -> Double {
        let operation = "cka"
        guard x.rank == 2, y.rank == 2 else {
            throw AlignmentError(operation, "X \(formatShape(x.shape)) and Y \(formatShape(y.shape)) must both be 2-D [examples, features]")
        }
        guard x.shape[0] == y.shape[0] else {
            throw AlignmentError(operation, "X \(formatShape(x.shape)) and Y \(formatShape(y.shape)) have different numbers of examples")
        }
        let n = x.shape[0]
        guard n >= (debiased ? 4 : 2) else {
            throw AlignmentError(operation, "needs at least \(debiased ? 4 : 2) examples\(debiased ? " for the debiased estimator" : ""), got \(n)")
        }
        switch kernel {
        case .rbf(let sigma) where !(sigma > 0 && sigma.isFinite):
            throw AlignmentError(operation, "rbf sigma must be a positive number, got \(sigma)")
        case .rbfMedian(let fraction) where !(fraction > 0 && fraction.isFinite):
            throw AlignmentError(operation, "rbf median fraction must be a positive number, got \(fraction)")
        default: break
        }
        let value: Double
        if kernel == .linear && !debiased {
            // Checks finiteness itself, from the column sums it needs for the centring.
            let (cross, xx, yy) = try GramNorms.linearCKATerms(x, y, operation: operation)
            value = xx > 0 && yy > 0 ? cross / (xx * yy) : .nan
        } else {
            try requireFinite(x, "X", operation)
            try requireFinite(y, "Y", operation)
            let k = try centredGram(gram(x, kernel), unbiased: debiased)
            let l = try centredGram(gram(y, kernel), unbiased: debiased)
            var kl = 0.0, kk = 0.0, ll = 0.0
            for index in k.indices { kl += k[index] * l[index]; kk += k[index] * k[index]; ll += l[index] * l[index] }
            value = kk > 0 && ll > 0 ? kl / (kk * ll).squareRoot() : .nan
        }
        if value.isNaN { warnings?.add("\(operation): a representation has zero variance; CKA is undefined (NaN)") }
        return value
    }

    static func requireFinite(_ x: Tensor, _ name: String, _ operation: String) throws {
        // The vectorised check first; the column is only searched for when something is wrong.
        if x.dtype == .int64 || x.dtype == .bool { return }
        let allFinite = try x.isFinite().all().item()
        if allFinite == 1 { return }
        let matrix = Matrix(rows: x.shape[0], columns: x.shape[1], values: Inputs.values(x))
        _ = try Inputs.finiteColumns(matrix, name, operation, policy: .refuse)
    }

    /// Columns minus their means, in the input's float dtype (int and bool become float64).
    static func centredColumns(_ x: Tensor) throws -> Tensor {
        let floating = x.dtype == .float32 ? x : x.astype(.float64)
        return try floating - floating.mean(axes: [0], keepDims: true)
    }

    static func frobeniusSquared(_ x: Tensor) -> Double { GramNorms.squaredSum(x) }

    /// The n × n kernel matrix, row-major.
    static func gram(_ x: Tensor, _ kernel: CKAKernel) throws -> [Double] {
        let data = x.astype(.float64)
        let dot = Inputs.values(try Tensor.matmul(data, data.transposed()))
        let n = x.shape[0]
        if kernel == .linear { return dot }
        var squared = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { squared[i * n + j] = Swift.max(0, dot[i * n + i] + dot[j * n + j] - 2 * dot[i * n + j]) } }
        let twoSigmaSquared: Double
        switch kernel {
        case .rbf(let sigma): twoSigmaSquared = 2 * sigma * sigma
        case .rbfMedian(let fraction):
            let median = Inference.quantile(squared.sorted(), 0.5)
            twoSigmaSquared = 2 * fraction * fraction * median
        case .linear: preconditionFailure("internal: linear handled above")
        }
        return squared.map { twoSigmaSquared > 0 ? exp(-$0 / twoSigmaSquared) : ($0 == 0 ? 1 : 0) }
    }

    /// Double centring `HKH`, or Song et al.'s unbiased centring (zero diagonal, means over n − 2).
    static func centredGram(_ gram: [Double], unbiased: Bool) throws -> [Double] {
        var k = gram
        let n = Int(Double(gram.count).squareRoot().rounded())
        if unbiased {
            for i in 0..<n { k[i * n + i] = 0 }
            var means = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<n { means[j] += k[i * n + j] } }
            means = means.map { $0 / Double(n - 2) }
            let correction = means.reduce(0, +) / Double(2 * (n - 1))
            means = means.map { $0 - correction }
            for i in 0..<n { for j in 0..<n { k[i * n + j] -= means[i] + means[j] } }
            for i in 0..<n { k[i * n + i] = 0 }
        } else {
            var rowMeans = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<n { rowMeans[i] += k[i * n + j] } }
            rowMeans = rowMeans.map { $0 / Double(n) }
            let grand = rowMeans.reduce(0, +) / Double(n)
            for i in 0..<n { for j in 0..<n { k[i * n + j] += grand - rowMeans[i] - rowMeans[j] } }
        }
        return k
    }
}

