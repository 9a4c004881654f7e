import Tensors

/// Functions built from primitives: their gradients follow from `Derivatives` by the chain rule, so none of them
/// needs a rule of its own. Numerically delicate ones (softmax, logsumexp) shift by a detached maximum first: the
/// result does not depend on the shift, so cutting its gradient changes nothing but avoids overflow.
extension Variable {
    /// x².
    public func square() throws -> Variable { try self * self }

    /// max(x, 0). The gradient at 0 is 0 (as JAX's and PyTorch's relu), not the ½ that `maximum` gives a tie.
    public func relu() throws -> Variable {
        try Variable.where(value .> 0, self, constant(0))
    }

    /// log Σ exp over `axes`, computed as m + log Σ exp(x - m) with m the (detached) maximum; infinite maxima are
    /// replaced by 0 so that all -inf gives -inf rather than NaN. Throws `invalidAxis`; `invalidShape` when empty.
    public func logsumexp(axes: [Int]? = nil, keepDims: Bool = false) throws -> Variable {
        var shift = try value.max(axes: axes, keepDims: true)
        shift = try Tensor.where(shift.isFinite(), shift, Tensor.weakScalar(0, partner: shift.dtype))
        let shiftVariable = Variable(shift)
        let total = try (self - shiftVariable).exp().sum(axes: axes, keepDims: true).log() + shiftVariable
        guard !keepDims else { return total }
        let removed = try Shapes.normalizeAxes(axes, rank: rank, operation: "logsumexp")
        return try total.squeezed(axes: removed)
    }

    /// log softmax along `axis`: xᵢ - logsumexp(x). Same shape. Throws `invalidAxis`.
    public func logSoftmax(axis: Int = -1) throws -> Variable {
        try self - logsumexp(axes: [axis], keepDims: true)
    }

    /// Σ (x - mean)² / (n - ddof) over `axes` (n the number of elements reduced). Throws `invalidAxis`.
    public func variance(axes: [Int]? = nil, ddof: Int = 0, keepDims: Bool = false) throws -> Variable {
        let normalized = try Shapes.normalizeAxes(axes, rank: rank, operation: "var")
        let count = normalized.reduce(1) { $0 * shape[$1] }
        let deviations = try self - mean(axes: normalized, keepDims: true)
        return try deviations.square().sum(axes: normalized, keepDims: keepDims) / Double(count - ddof)
    }

    /// √variance over `axes`. Throws `invalidAxis`.
    public func standardDeviation(axes: [Int]? = nil, ddof: Int = 0, keepDims: Bool = false) throws -> Variable {
        try variance(axes: axes, ddof: ddof, keepDims: keepDims).sqrt()
    }

    /// Layer normalisation without affine parameters: (x - mean) / √(var + epsilon) over `axes` (the last by
    /// default; biased variance, as PyTorch's `layer_norm` and flax's `LayerNorm`). Same shape. Throws `invalidAxis`.
    public func layerNormalized(axes: [Int] = [-1], epsilon: Double = 1e-5) throws -> Variable {
        let centered = try self - mean(axes: axes, keepDims: true)
        let variance = try centered.square().mean(axes: axes, keepDims: true)
        return try centered / (variance + epsilon).sqrt()
    }
}

/// Losses, averaged over every example (PyTorch's `reduction="mean"`).
public enum Losses {
    /// Mean squared error mean((prediction - target)²); the shapes broadcast. Throws `shapeMismatch`.
    public static func meanSquaredError(_ prediction: Variable, _ target: Variable) throws -> Variable {
        try (prediction - target).square().mean()
    }

    /// Softmax cross-entropy with class labels: -mean over examples of log softmax(logits)[label].
    /// - `logits`: `[..., classes]` (scores along the last axis).
    /// - `labels`: int64 of shape `logits.shape.dropLast()`, each in `0..<classes`.
    /// - Throws `dtype` for labels that are not int64, `shapeMismatch` for labels of the wrong shape, `index` for a
    ///   label out of range, `invalidShape` for 0-d logits.
    public static func crossEntropy(logits: Variable, labels: Tensor) throws -> Variable {
        let operation = "cross_entropy"
        guard logits.rank >= 1 else {
            throw TensorError(.invalidShape, operation, "logits must have a class axis, got shape []")
        }
        guard labels.dtype == .int64 else {
            throw TensorError(.dtype, operation, "labels must be int64 class indices, got \(labels.dtype)")
        }
        let classes = logits.shape[logits.rank - 1]
        guard labels.shape == Array(logits.shape.dropLast()) else {
            throw TensorError(.shapeMismatch, operation,
                              "labels of shape \(formatShape(labels.shape)) for logits of shape "
                              + "\(formatShape(logits.shape)): expected \(formatShape(logits.shape.dropLast()))")
        }
        let flatLabels = labels.flattened()
        if let bad = flatLabels.scalars(as: Int64.self).first(where: { $0 < 0 || $0 >= Int64(classes) }) {
            throw TensorError(.index, operation, "label \(bad) is out of range for \(classes) classes")
        }
        let examples = flatLabels.count
        let logProbabilities = try logits.logSoftmax(axis: -1).reshaped([examples, classes])
        let rows = try Tensor.arange(Double(examples), dtype: .int64)
        let picked = try logProbabilities.get([.array(rows), .array(flatLabels)])
        return try -picked.mean()
    }

    /// Softmax cross-entropy with target distributions: -mean over examples of Σ_c target_c · log softmax(logits)_c.
    /// `logits` and `targets` have one shape `[..., classes]`. Throws `shapeMismatch` when they differ.
    public static func crossEntropy(logits: Variable, targets: Variable) throws -> Variable {
        guard logits.shape == targets.shape, logits.rank >= 1 else {
            throw TensorError(.shapeMismatch, "cross_entropy", "targets of shape \(formatShape(targets.shape)) for "
                              + "logits of shape \(formatShape(logits.shape))")
        }
        return try -(targets * logits.logSoftmax(axis: -1)).sum(axes: [-1]).mean()
    }
}
