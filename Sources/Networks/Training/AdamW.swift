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
/// The scalars of one AdamW step.
struct AdamWCoefficients: Sendable {
    let decayFactor: Double, beta1: Double, beta2: Double, stepSize: Double, correction2Root: Double, epsilon: Double
}

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
        let coefficients = AdamWCoefficients(
            decayFactor: 1 - learningRate * weightDecay, beta1: beta1, beta2: beta2, stepSize: stepSize,
            correction2Root: correction2Root, epsilon: epsilon)
        for (entry, gradient) in zip(parameters.entries, matched) {
            let dtype = entry.parameter.value.dtype
            var first = try firstMoments.removeValue(forKey: entry.name) ?? Tensor.zeros(gradient.shape, dtype: dtype)
            var second = try secondMoments.removeValue(forKey: entry.name) ?? Tensor.zeros(gradient.shape, dtype: dtype)
            // In place: copies happen only where a checkpoint or a forward pass still holds the old tensors.
            entry.parameter.value.makeUniqueContiguous()
            first.makeUniqueContiguous()
            second.makeUniqueContiguous()
            let decays = entry.decays && weightDecay != 0
            let input = Elements.readable(gradient, for: dtype)
            let value = entry.parameter.value
            switch (dtype, input.dtype) {
            case (.float32, .float32):
                try adamWUpdate(value, input, first, second, decays, coefficients, Float.self, Float.self)
            case (.float32, _):
                try adamWUpdate(value, input, first, second, decays, coefficients, Float.self, Double.self)
            default:
                try adamWUpdate(value, input, first, second, decays, coefficients, Double.self, Double.self)
            }
            firstMoments[entry.name] = first
            secondMoments[entry.name] = second
        }
        stepCount += 1
    }

    /// One parameter's update, elementwise on all threads, in the parameter's dtype (float32 parameters in float32
    /// arithmetic, 4 lanes to a vector instead of 2; float64 ones exactly as before): the moments are stored in that
    /// dtype and the update uses the stored moments, so that a resumed run computes the same (and every element's
    /// result is independent of the thread count). A float64 gradient of a float32 parameter is rounded first.
    private func adamWUpdate<P: TensorFloat, G: TensorFloat>(
        _ parameter: Tensor, _ gradient: Tensor, _ first: Tensor, _ second: Tensor, _ decays: Bool,
        _ c: AdamWCoefficients, _: P.Type, _: G.Type
    ) throws {
        let p = SendablePointer(parameter.mutablePointer(P.self)), g = SendablePointer(gradient.pointer(G.self))
        let m = SendablePointer(first.mutablePointer(P.self)), v = SendablePointer(second.mutablePointer(P.self))
        let decayFactor = P(c.decayFactor), beta1 = P(c.beta1), beta2 = P(c.beta2)
        let keep1 = P(1 - c.beta1), keep2 = P(1 - c.beta2), stepSize = P(c.stepSize)
        let correction2Root = P(c.correction2Root), epsilon = P(c.epsilon)
        try parallelRanges(parameter.count, grain: 4, operation: "AdamW.step") { range in
            for i in range {
                var value = p.base[i]
                if decays { value *= decayFactor }
                let slope = P(g.base[i])
                let mean = beta1 * m.base[i] + keep1 * slope
                let square = beta2 * v.base[i] + keep2 * slope * slope
                m.base[i] = mean
                v.base[i] = square
                value -= stepSize * mean / (square.squareRoot() / correction2Root + epsilon)
                p.base[i] = value
            }
        }
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
