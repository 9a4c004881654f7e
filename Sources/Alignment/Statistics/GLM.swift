import Tensors

/// An ordinary-least-squares general linear model fitted to many targets at once.
public struct GLMFit: Sendable {
    /// Estimated weights [k, targets]: the minimum-norm least-squares solution `β = X⁺ Y`.
    public let betas: Tensor
    /// Residual variance per target [targets]: `σ² = ‖Y − Xβ‖² / (n − rank X)`.
    public let residualVariance: Tensor
    /// Residual degrees of freedom `n − rank X`.
    public let degreesOfFreedom: Int
    /// `(XᵀX)⁺` [k, k], kept for contrasts.
    let unscaledCovariance: Matrix

    /// The t test of the contrast `cᵀβ = 0` per target: `t = cᵀβ / √(σ² cᵀ(XᵀX)⁺c)` with `n − rank X` degrees of
    /// freedom; p from Student's t (`Distributions.studentTSurvival`).
    /// - Parameter c: [k] weights over the design's columns.
    /// - Throws: `AlignmentError` when `c` is not [k] (both shapes named) or is not finite.
    public func contrast(_ c: Tensor, alternative: Alternative = .twoSided) throws -> TestResult {
        let operation = "glm_contrast"
        let k = unscaledCovariance.rows
        guard c.shape == [k] else {
            throw AlignmentError(operation, "contrast \(formatShape(c.shape)) must be [\(k)] for a design with \(k) columns")
        }
        let weights = Inputs.values(c)
        try Inputs.requireFinite(weights, "contrast", operation)
        var quadratic = 0.0
        for i in 0..<k { for j in 0..<k { quadratic += weights[i] * unscaledCovariance[i, j] * weights[j] } }
        let beta = Inputs.values(betas), variances = Inputs.values(residualVariance)
        let targets = variances.count
        let nu = Double(degreesOfFreedom)
        var statistics = [Double](), pValues = [Double]()
        for target in 0..<targets {
            var effect = 0.0
            for i in 0..<k { effect += weights[i] * beta[i * targets + target] }
            let t = effect / (variances[target] * quadratic).squareRoot()
            statistics.append(t)
            pValues.append(degreesOfFreedom > 0 ? Inference.studentP(t, nu, alternative) : .nan)
        }
        return Inference.result(statistics, pValues, [Double](repeating: nu, count: targets), [targets])
    }
}

extension Inference {
    /// Fits `Y = Xβ + ε` by least squares through the SVD of the design (rank-deficient designs get the
    /// minimum-norm solution; singular values below `max(n, k) · ε · s_max` count as zero, as numpy's `pinv`).
    /// - Parameters: `design` X [n, k]; `Y` [n, targets] (or [n]).
    /// - Throws: `AlignmentError` for wrong ranks, different row counts (both shapes named), non-finite values
    ///   (column named), or no residual degrees of freedom.
    public static func glm(design: Tensor, _ y: Tensor) throws -> GLMFit {
        let operation = "glm"
        let x = try Inputs.matrix(design, "design", operation)
        let targets = y.rank == 1 ? y.reshapedColumn() : y
        let data = try Inputs.matrix(targets, "Y", operation)
        guard data.rows == x.rows else {
            throw AlignmentError(operation, "design \(formatShape(design.shape)) and Y \(formatShape(y.shape)) have different numbers of rows")
        }
        _ = try Inputs.finiteColumns(x, "design", operation, policy: .refuse)
        _ = try Inputs.finiteColumns(data, "Y", operation, policy: .refuse)
        let (u, s, vt) = try Linalg.svd(x.tensor.astype(.float64))
        let singular = s.scalars(as: Double.self)
        let tolerance = Double(Swift.max(x.rows, x.columns)) * Double.ulpOfOne * (singular.max() ?? 0)
        let rank = singular.filter { $0 > tolerance }.count
        guard x.rows - rank > 0 else {
            throw AlignmentError(operation, "design \(formatShape(design.shape)) has rank \(rank): no residual degrees of freedom")
        }
        let inverse = singular.map { $0 > tolerance ? 1 / $0 : 0 }
        // β = V S⁻¹ Uᵀ Y
        let uty = try Tensor.matmul(u.transposed(), data.tensor)
        let scaled = try uty * Tensor(shape: [inverse.count, 1], scalars: inverse)
        let betas = try Tensor.matmul(vt.transposed(), scaled)
        let residuals = try data.tensor - Tensor.matmul(x.tensor, betas)
        let rss = Inputs.values(try (residuals * residuals).sum(axes: [0]))
        let nu = x.rows - rank
        let v = Matrix(rows: x.columns, columns: inverse.count, values: Inputs.values(vt.transposed()))
        var covariance = Matrix(rows: x.columns, columns: x.columns)
        for i in 0..<x.columns {
            for j in 0..<x.columns {
                var sum = 0.0
                for r in 0..<inverse.count { sum += v[i, r] * inverse[r] * inverse[r] * v[j, r] }
                covariance[i, j] = sum
            }
        }
        return GLMFit(betas: betas, residualVariance: Tensor(rss.map { $0 / Double(nu) }), degreesOfFreedom: nu,
                      unscaledCovariance: covariance)
    }
}

extension Tensor {
    /// `[n]` viewed as `[n, 1]`.
    func reshapedColumn() -> Tensor { try! Tensor(shape: [count, 1], scalars: scalars(as: Double.self)) }
}
