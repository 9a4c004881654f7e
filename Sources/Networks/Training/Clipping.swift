import Tensors

/// Gradient clipping on named gradients.
public enum GradientClipping {
    /// The L2 norm of all gradients together, √(Σ‖g‖²).
    public static func globalNorm(_ gradients: [(name: String, gradient: Tensor)]) -> Double {
        gradients.reduce(0.0) { total, entry in
            total + entry.gradient.scalars(as: Double.self).reduce(0) { $0 + $1 * $1 }
        }.squareRoot()
    }

    /// PyTorch's `clip_grad_norm_`: every gradient is scaled by maxNorm / (norm + 1e-6) when that is below 1,
    /// where norm is the global norm. Returns the clipped gradients and the norm before clipping.
    /// Throws `invalidArgument` for a negative `maxNorm`.
    public static func clipByGlobalNorm(_ gradients: [(name: String, gradient: Tensor)], maxNorm: Double) throws
        -> (gradients: [(name: String, gradient: Tensor)], norm: Double) {
        guard maxNorm >= 0 else {
            throw TensorError(.invalidArgument, "clipByGlobalNorm", "the maximum norm must be non-negative, got \(maxNorm)")
        }
        let norm = globalNorm(gradients)
        let coefficient = maxNorm / (norm + 1e-6)
        guard coefficient < 1 else { return (gradients, norm) }
        return (try gradients.map { ($0.name, try scaled($0.gradient, coefficient)) }, norm)
    }

    /// DINO's `clip_gradients`: each gradient whose own norm exceeds `maxNorm` is scaled by maxNorm / (norm + 1e-6).
    /// Returns the clipped gradients and each gradient's norm before clipping, by name.
    /// Throws `invalidArgument` for a negative `maxNorm`.
    public static func clipEachParameter(_ gradients: [(name: String, gradient: Tensor)], maxNorm: Double) throws
        -> (gradients: [(name: String, gradient: Tensor)], norms: [(name: String, norm: Double)]) {
        guard maxNorm >= 0 else {
            throw TensorError(.invalidArgument, "clipEachParameter", "the maximum norm must be non-negative, got \(maxNorm)")
        }
        var clipped: [(name: String, gradient: Tensor)] = []
        var norms: [(name: String, norm: Double)] = []
        for (name, gradient) in gradients {
            let norm = globalNorm([(name, gradient)])
            let coefficient = maxNorm / (norm + 1e-6)
            clipped.append((name, coefficient < 1 ? try scaled(gradient, coefficient) : gradient))
            norms.append((name, norm))
        }
        return (clipped, norms)
    }

    private static func scaled(_ gradient: Tensor, _ factor: Double) throws -> Tensor {
        let values = gradient.scalars(as: Double.self).map { $0 * factor }
        return try Tensor(shape: gradient.shape, scalars: values).astype(gradient.dtype)
    }
}
