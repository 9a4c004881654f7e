import Tensors

/// Analyses whose result is a curve over time.
public enum TimeResolved {
    /// Time-resolved RSA: the comparison of the data RDM at every time point with a model RDM,
    /// `curve[t] = compare(rdms[t], model)`.
    /// - Parameters: `rdms` [times, n, n] (from `RSA.rdmOverTime`); `model` [n, n] or [m, n, n] for several
    ///   models at once; `method` as `RSA.compare`.
    /// - Returns: float64 [times] (one model) or [m, times].
    /// - Throws: `AlignmentError` as `RSA.compare` (different n names both shapes).
    public static func rsa(_ rdms: Tensor, model: Tensor, method: RDMComparison = .spearman,
                           warnings: AlignmentWarnings? = nil) throws -> Tensor {
        let operation = "time_resolved_rsa"
        guard rdms.rank == 3 else {
            throw AlignmentError(operation, "rdms must be [times, n, n], got shape \(formatShape(rdms.shape))")
        }
        let (data, n) = try RSA.rdmStack(rdms, "rdms", operation)
        let (models, nm) = try RSA.rdmStack(model, "model", operation)
        guard n == nm else {
            throw AlignmentError(operation, "rdms \(formatShape(rdms.shape)) and model \(formatShape(model.shape)) describe different numbers of conditions")
        }
        let modelVectors = models.map { RSA.upperTriangleValues($0, n) }
        let dataVectors = data.map { RSA.upperTriangleValues($0, n) }
        try RSA.requireNoInfinity(modelVectors, "model", n: n, operation)
        try RSA.requireNoInfinity(dataVectors, "rdms", n: n, operation)
        let values = try RSA.compareVectors(modelVectors, dataVectors, n: n, method: method, operation: operation,
                                            warnings: warnings)
        return Inputs.tensor(values, shape: model.rank == 2 ? [data.count] : [models.count, data.count])
    }

    /// Time-resolved RSA straight from recordings: `rsa(RSA.rdmOverTime(x, metric), model, method)`.
    /// - Parameters: `x` [n, sensors, times]; the rest as `rdmOverTime` and `rsa`.
    public static func rsa(recording x: Tensor, model: Tensor, metric: RDMMetric = .correlation,
                           method: RDMComparison = .spearman, warnings: AlignmentWarnings? = nil) throws -> Tensor {
        try rsa(RSA.rdmOverTime(x, metric: metric, warnings: warnings), model: model, method: method, warnings: warnings)
    }
}
