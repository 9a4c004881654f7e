import Foundation
import Tensors

/// Adam with decoupled weight decay, as PyTorch's `torch.optim.AdamW` (t is the step number, from 1):
///
///     p ← p − learningRate · weightDecay · p       (decaying parameters only)
///     m ← β₁ · m + (1 − β₁) · g
///     v ← β₂ · v + (1 − β₂) · g²
///     p ← p − (learningRate / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// State: "exp_avg.<parameter>" (m) and "exp_avg_sq.<parameter>" (v), in the parameter's dtype.
public final class AdamW: Optimizer {
    public let kind = "adamw"
    public var learningRate: Double
    public var weightDecay: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public private(set) var stepCount = 0
    let parameters: OptimizedParameters
    private var firstMoments: [String: Tensor] = [:]
    private var secondMoments: [String: Tensor] = [:]

    /// Optimises `module`'s parameters; `decays(name, parameter)` chooses the ones weight decay applies to
    /// (DINOv2's groups by default). Defaults are PyTorch's (β = (0.9, 0.999), ε = 1e-8, weight decay 0.01).
    /// Throws `invalidArgument` for a negative rate, decay or ε, or β outside [0, 1).
    public init(_ module: any Module, learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0.01,
                decays: (String, Parameter) -> Bool = decaysByDefault) throws {
        guard learningRate >= 0, weightDecay >= 0, epsilon >= 0 else {
            throw TensorError(.invalidArgument, "AdamW", "learning rate, weight decay and epsilon must be "
                              + "non-negative, got \(learningRate), \(weightDecay), \(epsilon)")
        }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw TensorError(.invalidArgument, "AdamW", "betas must lie in [0, 1), got \(beta1), \(beta2)")
        }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        parameters = OptimizedParameters(module, decays: decays)
    }

    public var state: [(name: String, value: Tensor)] {
        (firstMoments.map { ("exp_avg." + $0.key, $0.value) } + secondMoments.map { ("exp_avg_sq." + $0.key, $0.value) })
            .sorted { $0.0 < $1.0 }
    }

    public func step(_ gradients: [(name: String, gradient: Tensor)]) throws {
        let matched = try parameters.matched(gradients, operation: "AdamW.step")
        let t = Double(stepCount + 1)
        let correction1 = 1 - Foundation.pow(beta1, t), correction2 = 1 - Foundation.pow(beta2, t)
        let stepSize = learningRate / correction1
        let correction2Root = correction2.squareRoot()
        for (entry, gradient) in zip(parameters.entries, matched) {
            let value = entry.parameter.value
            var p = Elements.values(value)
            let g = Elements.values(gradient)
            var m = firstMoments[entry.name].map(Elements.values) ?? [Double](repeating: 0, count: p.count)
            var v = secondMoments[entry.name].map(Elements.values) ?? [Double](repeating: 0, count: p.count)
            if entry.decays && weightDecay != 0 {
                let factor = 1 - learningRate * weightDecay
                for i in p.indices { p[i] *= factor }
            }
            for i in p.indices {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            }
            let storedM = Elements.tensor(m, shape: value.shape, dtype: value.dtype)
            let storedV = Elements.tensor(v, shape: value.shape, dtype: value.dtype)
            firstMoments[entry.name] = storedM
            secondMoments[entry.name] = storedV
            // The update uses the stored (possibly rounded) moments, so that a resumed run computes the same.
            m = Elements.values(storedM)
            v = Elements.values(storedV)
            for i in p.indices { p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + epsilon) }
            entry.parameter.value = Elements.tensor(p, shape: value.shape, dtype: value.dtype)
        }
        stepCount += 1
    }

    public func load(state: [String: Tensor], stepCount: Int) throws {
        let expected = stepCount == 0 ? [] : parameters.entries.flatMap {
            [("exp_avg." + $0.name, $0.parameter.value.shape), ("exp_avg_sq." + $0.name, $0.parameter.value.shape)]
        }
        try parameters.checkState(state, expected: expected, operation: "AdamW.load")
        firstMoments = [:]
        secondMoments = [:]
        for entry in parameters.entries {
            let dtype = entry.parameter.value.dtype
            if let m = state["exp_avg." + entry.name] { firstMoments[entry.name] = m.astype(dtype) }
            if let v = state["exp_avg_sq." + entry.name] { secondMoments[entry.name] = v.astype(dtype) }
        }
        self.stepCount = stepCount
    }
}
