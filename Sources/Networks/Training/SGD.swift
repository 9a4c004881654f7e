import Tensors

/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD`:
///
///     g ← g + weightDecay · p                      (decaying parameters only)
///     b ← g at the first step, else momentum · b + (1 − dampening) · g
///     g ← g + momentum · b  (Nesterov)   or   g ← b
///     p ← p − learningRate · g
///
/// State: "momentum_buffer.<parameter>" (present once a step with momentum > 0 has been taken).
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
            let value = entry.parameter.value
            let p = Elements.values(value)
            var g = Elements.values(gradient)
            if entry.decays && weightDecay != 0 { for i in g.indices { g[i] += weightDecay * p[i] } }
            if momentum != 0 {
                var buffer: [Double]
                if let previous = buffers[entry.name] {
                    buffer = Elements.values(previous)
                    for i in buffer.indices { buffer[i] = momentum * buffer[i] + (1 - dampening) * g[i] }
                } else {
                    buffer = g
                }
                let stored = Elements.tensor(buffer, shape: value.shape, dtype: value.dtype)
                buffers[entry.name] = stored
                buffer = Elements.values(stored)
                if nesterov { for i in g.indices { g[i] += momentum * buffer[i] } } else { g = buffer }
            }
            var updated = p
            for i in updated.indices { updated[i] -= learningRate * g[i] }
            entry.parameter.value = Elements.tensor(updated, shape: value.shape, dtype: value.dtype)
        }
        stepCount += 1
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
