import Tensors

/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD`:
///
///     g ← g + weightDecay · p                      (decaying parameters only)
///     b ← g at the first step, else momentum · b + (1 − dampening) · g
///     g ← g + momentum · b  (Nesterov)   or   g ← b
///     p ← p − learningRate · g
///
/// State: "momentum_buffer.<parameter>" (present once a step with momentum > 0 has been taken).
/// The scalars of one SGD step for one parameter.
struct SGDRule: Sendable {
    let learningRate: Double, weightDecay: Double, momentum: Double, dampening: Double, nesterov: Bool, firstStep: Bool
}

public final class SGD: Optimizer {
    public let kind = "sgd"
    public var learningRate: Double
    public var weightDecay: Double
    public let momentum: Double
    public let dampening: Double
    public let nesterov: Bool
    public private(set) var stepCount = 0
    let parameters: OptimizedParameters
    private var buffers: [String: Tensor] = [:]

    /// Optimises `module`'s parameters; `decays(name, parameter)` chooses the ones weight decay applies to
    /// (DINOv2's groups by default). Throws `invalidArgument` for a negative rate, momentum or decay, and for
    /// Nesterov without momentum or with dampening (as PyTorch).
    public init(_ module: any Module, learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false,
                decays: (String, Parameter) -> Bool = decaysByDefault) throws {
        guard learningRate >= 0, momentum >= 0, weightDecay >= 0 else {
            throw TensorError(.invalidArgument, "SGD", "learning rate, momentum and weight decay must be non-negative, "
                              + "got \(learningRate), \(momentum), \(weightDecay)")
        }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw TensorError(.invalidArgument, "SGD", "Nesterov momentum requires a momentum and zero dampening")
        }
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        parameters = OptimizedParameters(module, decays: decays)
    }

    public var state: [(name: String, value: Tensor)] {
        buffers.sorted { $0.key < $1.key }.map { ("momentum_buffer." + $0.key, $0.value) }
    }

    public func step(_ gradients: [(name: String, gradient: Tensor)]) throws {
        let matched = try parameters.matched(gradients, operation: "SGD.step")
        for (entry, gradient) in zip(parameters.entries, matched) {
            let dtype = entry.parameter.value.dtype
            let rule = SGDRule(learningRate: learningRate, weightDecay: entry.decays ? weightDecay : 0,
                               momentum: momentum, dampening: dampening, nesterov: nesterov,
                               firstStep: buffers[entry.name] == nil)
            // In place: copies happen only where a checkpoint or a forward pass still holds the old tensors.
            // Without momentum there is no buffer: an empty placeholder the loop never reads.
            var buffer = momentum == 0 ? Tensor(uninitializedShape: [0], dtype: dtype)
                : try buffers.removeValue(forKey: entry.name) ?? Tensor.zeros(gradient.shape, dtype: dtype)
            buffer.makeUniqueContiguous()
            entry.parameter.value.makeUniqueContiguous()
            let input = Elements.readable(gradient, for: dtype)
            let value = entry.parameter.value
            switch (dtype, input.dtype) {
            case (.float32, .float32): try update(value, input, buffer, rule, Float.self, Float.self)
            case (.float32, _): try update(value, input, buffer, rule, Float.self, Double.self)
            default: try update(value, input, buffer, rule, Double.self, Double.self)
            }
            if momentum != 0 { buffers[entry.name] = buffer }
        }
        stepCount += 1
    }

    /// One parameter's update, elementwise on all threads, in double precision from the stored values; the momentum
    /// buffer is rounded to the parameter's dtype when stored and the step uses the rounded buffer, so that a
    /// resumed run computes the same (and every element's result is independent of the thread count).
    private func update<P: TensorFloat, G: TensorFloat>(_ parameter: Tensor, _ gradient: Tensor, _ buffer: Tensor,
                                                        _ rule: SGDRule, _: P.Type, _: G.Type) throws {
        let p = SendablePointer(parameter.mutablePointer(P.self)), g = SendablePointer(gradient.pointer(G.self))
        let b = SendablePointer(buffer.mutablePointer(P.self))
        try parallelRanges(parameter.count, grain: 4, operation: "SGD.step") { range in
            for i in range {
                let value = Double(p.base[i])
                var slope = Double(g.base[i])
                if rule.weightDecay != 0 { slope += rule.weightDecay * value }
                if rule.momentum != 0 {
                    let stored = P(rule.firstStep ? slope : rule.momentum * Double(b.base[i]) + (1 - rule.dampening) * slope)
                    b.base[i] = stored
                    slope = rule.nesterov ? slope + rule.momentum * Double(stored) : Double(stored)
                }
                p.base[i] = P(value - rule.learningRate * slope)
            }
        }
    }

    public func load(state: [String: Tensor], stepCount: Int) throws {
        let expected = momentum == 0 || stepCount == 0 ? []
            : parameters.entries.map { ("momentum_buffer." + $0.name, $0.parameter.value.shape) }
        try parameters.checkState(state, expected: expected, operation: "SGD.load")
        buffers = [:]
        for entry in parameters.entries {
            if let tensor = state["momentum_buffer." + entry.name] {
                buffers[entry.name] = tensor.astype(entry.parameter.value.dtype)
            }
        }
        self.stepCount = stepCount
    }
}
