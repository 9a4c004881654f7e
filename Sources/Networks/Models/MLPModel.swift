import Autodiff
import Tensors

/// A multilayer perceptron on flattened inputs (images `[n, c, h, w]`, or any `[n, ...]`): each example is
/// flattened to `inputs` values, then hidden layers hᵢ = activation(hᵢ₋₁·Wᵢᵀ + bᵢ) (with dropout in training),
/// then an optional linear classifier. Without a classifier the last hidden layer is the output (a feature
/// extractor).
///
/// Names: hidden layers "fc1", "fc2", … ("fc1.weight" `[hidden[0], inputs]`, PyTorch's Linear layout) and the
/// classifier "head". Initialisation: PyTorch's Linear default for weights, uniform ±1/√fanIn; biases 0.
public final class MultilayerPerceptron: Layer {
    /// The nonlinearity between layers.
    public enum Activation: Sendable, Equatable { case relu, gelu, silu, tanh }

    /// The number of values in one example.
    public let inputs: Int
    /// The shape of one example the model was built for (`[inputs]` if built from a count).
    public let exampleShape: [Int]
    public let hiddenLayers: [Linear]
    public let head: Linear?
    public let activation: Activation
    public let dropout: Dropout
    public var isTraining = true

    /// The width of the output: the classes, or the last hidden width.
    public var outputs: Int { head?.outputs ?? hiddenLayers.last?.outputs ?? inputs }

    /// - `exampleShape`: the shape of one example, e.g. `[3, 32, 32]` for images; any input whose examples have
    ///   that many values is accepted (and flattened).
    /// - `hidden`: the hidden widths, first to last (may be empty: a linear classifier).
    /// - `classes`: the classifier's outputs, or nil for none.
    /// - `dropout`: the probability of dropping each hidden unit in training.
    /// - Throws `invalidArgument` for non-positive sizes, an empty model (no hidden layer and no classifier) or a
    ///   dropout probability outside [0, 1).
    public init(exampleShape: [Int], hidden: [Int], classes: Int? = nil, activation: Activation = .relu,
                dropout: Double = 0, dtype: DType = .float32, seed: UInt64 = 0) throws {
        let inputs = exampleShape.reduce(1, *)
        guard !exampleShape.isEmpty, exampleShape.allSatisfy({ $0 > 0 }), hidden.allSatisfy({ $0 > 0 }),
              (classes ?? 1) > 0, !(hidden.isEmpty && classes == nil) else {
            throw TensorError(.invalidArgument, "MultilayerPerceptron", "example shape \(formatShape(exampleShape)), "
                              + "hidden widths \(hidden) and classes \(classes.map(String.init) ?? "none") must be "
                              + "positive, with at least one layer")
        }
        (self.inputs, self.exampleShape, self.activation) = (inputs, exampleShape, activation)
        self.dropout = try Dropout(probability: dropout)
        var width = inputs
        hiddenLayers = try hidden.map { outputs in
            defer { width = outputs }
            return try Linear(inputs: width, outputs: outputs,
                              weightInitialization: .uniform(bound: 1 / Double(width).squareRoot()), dtype: dtype)
        }
        head = try classes.map {
            try Linear(inputs: width, outputs: $0,
                       weightInitialization: .uniform(bound: 1 / Double(width).squareRoot()), dtype: dtype)
        }
        try initializeParameters(seed: seed)
    }

    public var children: [(name: String, module: any Module)] {
        hiddenLayers.enumerated().map { ("fc\($0.offset + 1)", $0.element as any Module) }
            + (head.map { [("head", $0 as any Module)] } ?? []) + [("dropout", dropout)]
    }

    /// The names under which `callAsFunction` records activations, in order.
    public var activationNames: [String] {
        hiddenLayers.indices.map { "fc\($0 + 1)" } + (head == nil ? [] : ["head"])
    }

    /// `input` `[n, ...]` with `inputs` values per example → `[n, outputs]`.
    ///
    /// Records "fc1", … (each hidden layer after its activation, before dropout) and "head" (the logits).
    /// Throws `shapeMismatch` naming the input's shape and the expected example shape when an example does not
    /// have `inputs` values.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        guard input.rank >= 2, input.shape.dropFirst().reduce(1, *) == inputs else {
            let expected = "[n, " + exampleShape.map(String.init).joined(separator: ", ") + "]"
            throw TensorError(.shapeMismatch, "MultilayerPerceptron", "input of shape \(formatShape(input.shape)) "
                              + "does not have \(inputs) values per example: expected \(expected) or [n, \(inputs)]")
        }
        let parameterType = (head ?? hiddenLayers[0]).weight.value.dtype
        var x = input.requiresGradient || input.dtype == parameterType
            ? input : Variable(input.value.astype(parameterType))
        x = try x.reshaped([input.shape[0], inputs])
        for (index, layer) in hiddenLayers.enumerated() {
            x = try activate(layer(x, in: pass))
            x = pass.record("fc\(index + 1)", x)
            x = try dropout(x, in: pass)
        }
        guard let head else { return x }
        x = try head(x, in: pass)
        x = pass.record("head", x)
        return x
    }

    /// `callAsFunction` on a tensor (not differentiated with respect to it).
    public func callAsFunction(_ input: Tensor, in pass: ForwardPass) throws -> Variable {
        try self(Variable(input), in: pass)
    }

    private func activate(_ x: Variable) throws -> Variable {
        switch activation {
        case .relu: return try x.relu()
        case .gelu: return try x.gelu()
        case .silu: return try x * x.sigmoid()
        case .tanh: return try x.tanh()
        }
    }
}
