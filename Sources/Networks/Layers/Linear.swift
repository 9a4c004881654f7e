import Autodiff
import Tensors

/// Checks that `input`'s last axis has `expected` features; the error names the layer and both shapes.
func checkFeatures(_ input: Variable, _ expected: Int, layer: String) throws {
    guard input.rank >= 1, input.shape[input.rank - 1] == expected else {
        throw TensorError(.shapeMismatch, layer, "input of shape \(formatShape(input.shape)) does not end in "
                          + "\(expected) features (expected [..., \(expected)])")
    }
}

/// y = x·Wᵀ + b, PyTorch's layout: `weight` `[outputs, inputs]`, `bias` `[outputs]`.
/// Input `[..., inputs]`, output `[..., outputs]`.
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public var isTraining = true
    public let inputs: Int
    public let outputs: Int

    /// Weights drawn from `weightInitialization` (trunc-normal std 0.02 by default, as DINOv2's ViT), biases zero.
    /// Throws `invalidArgument` for non-positive sizes.
    public init(inputs: Int, outputs: Int, bias: Bool = true,
                weightInitialization: Initialization = .truncatedNormal(std: 0.02),
                dtype: DType = .float32, seed: UInt64 = 0) throws {
        guard inputs > 0, outputs > 0 else {
            throw TensorError(.invalidArgument, "Linear", "sizes must be positive, got \(inputs) → \(outputs)")
        }
        self.inputs = inputs
        self.outputs = outputs
        weight = Parameter(try Tensor.zeros([outputs, inputs], dtype: dtype), initialization: weightInitialization)
        self.bias = bias ? Parameter(try Tensor.zeros([outputs], dtype: dtype), initialization: .zeros) : nil
        try initializeParameters(seed: seed)
    }

    public var localParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Throws `shapeMismatch` when the last axis is not `inputs`.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try checkFeatures(input, inputs, layer: "Linear")
        return try Variable.linear(input, weight: pass.variable(for: weight), bias: bias.map(pass.variable(for:)))
    }
}

/// Layer normalisation over the last axis with a learned scale and shift:
/// y = (x - mean) / √(var + epsilon) · weight + bias (biased variance). `weight` starts at ones, `bias` at zeros.
public final class LayerNorm: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let epsilon: Double
    public let features: Int
    public var isTraining = true

    /// `epsilon` is 1e-6 in DINOv2 (PyTorch's default 1e-5). Throws `invalidArgument` for non-positive `features`.
    public init(features: Int, epsilon: Double = 1e-6, dtype: DType = .float32) throws {
        guard features > 0 else {
            throw TensorError(.invalidArgument, "LayerNorm", "features must be positive, got \(features)")
        }
        self.features = features
        self.epsilon = epsilon
        weight = Parameter(try Tensor.ones([features], dtype: dtype), initialization: .ones)
        bias = Parameter(try Tensor.zeros([features], dtype: dtype), initialization: .zeros)
    }

    public var localParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// Input `[..., features]`, same shape out. Throws `shapeMismatch` for another last axis.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try checkFeatures(input, features, layer: "LayerNorm")
        return try input.layerNormalized(weight: pass.variable(for: weight), bias: pass.variable(for: bias),
                                         epsilon: epsilon)
    }
}

/// A lookup table: row `i` of `weight` `[count, width]` for each int64 index `i` (initialised N(0, 1), PyTorch's
/// default).
public final class Embedding: Module {
    public let weight: Parameter
    public var isTraining = true

    /// Throws `invalidArgument` for non-positive sizes.
    public init(count: Int, width: Int, dtype: DType = .float32, seed: UInt64 = 0) throws {
        guard count > 0, width > 0 else {
            throw TensorError(.invalidArgument, "Embedding", "sizes must be positive, got \(count) × \(width)")
        }
        weight = Parameter(try Tensor.zeros([count, width], dtype: dtype), initialization: .normal(std: 1))
        try initializeParameters(seed: seed)
    }

    public var localParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }

    /// `indices` int64 of any shape → `indices.shape + [width]`. Throws `dtype` for non-int64 indices and `index`
    /// naming the index and the table size when one is out of range.
    public func callAsFunction(_ indices: Tensor, in pass: ForwardPass) throws -> Variable {
        guard indices.dtype == .int64 else {
            throw TensorError(.dtype, "Embedding", "indices must be int64, got \(indices.dtype)")
        }
        let count = weight.value.shape[0]
        if let bad = indices.flattened().scalars(as: Int64.self).first(where: { $0 < 0 || $0 >= Int64(count) }) {
            throw TensorError(.index, "Embedding", "index \(bad) is out of range for a table of \(count) rows")
        }
        return try pass.variable(for: weight).take(indices, axis: 0)
    }
}

/// x · gamma with a learned per-feature `gamma` `[features]` (DINOv2's LayerScale, initialised to `initialValue`).
public final class LayerScale: Layer {
    public let gamma: Parameter
    public var isTraining = true

    public init(features: Int, initialValue: Double = 1e-5, dtype: DType = .float32) throws {
        guard features > 0 else {
            throw TensorError(.invalidArgument, "LayerScale", "features must be positive, got \(features)")
        }
        gamma = Parameter(try Tensor.full([features], value: initialValue, dtype: dtype),
                          initialization: .constant(initialValue))
    }

    public var localParameters: [(name: String, parameter: Parameter)] { [("gamma", gamma)] }

    /// Input `[..., features]`. Throws `shapeMismatch` for another last axis.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try checkFeatures(input, gamma.value.count, layer: "LayerScale")
        return try input * pass.variable(for: gamma)
    }
}
