import Autodiff
import Tensors

/// The exact GELU, x·Φ(x) (PyTorch's default `nn.GELU()`, DINOv2's MLP activation).
public final class GELU: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable { try input.gelu() }
}

/// max(x, 0).
public final class ReLU: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable { try input.relu() }
}

/// SiLU (swish), x·σ(x).
public final class SiLU: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try input * input.sigmoid()
    }
}

/// Inverted dropout: in training each element is zeroed with `probability` and the rest scaled by 1/(1 - p), so the
/// expectation is unchanged; in evaluation (or with p = 0) the identity. Masks come from the pass's seed.
public final class Dropout: Layer {
    public let probability: Double
    public var isTraining = true

    /// Throws `invalidArgument` unless 0 ≤ probability < 1.
    public init(probability: Double) throws {
        guard probability >= 0, probability < 1 else {
            throw TensorError(.invalidArgument, "Dropout", "probability must be in [0, 1), got \(probability)")
        }
        self.probability = probability
    }

    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        guard isTraining, probability > 0 else { return input }
        let keep = try Tensor.randomUniform(input.shape, seed: pass.nextSeed()) .>= probability
        let scale = try keep.astype(input.dtype) * (1 / (1 - probability))
        return try input * Variable(scale)
    }
}

/// Stochastic depth (DropPath): in training each example (first axis) of a residual branch is zeroed with
/// `probability` and kept ones scaled by 1/(1 - p); the identity in evaluation.
public final class DropPath: Layer {
    public let probability: Double
    public var isTraining = true

    /// Throws `invalidArgument` unless 0 ≤ probability < 1.
    public init(probability: Double) throws {
        guard probability >= 0, probability < 1 else {
            throw TensorError(.invalidArgument, "DropPath", "probability must be in [0, 1), got \(probability)")
        }
        self.probability = probability
    }

    /// Input `[n, ...]` of rank ≥ 1. Throws `invalidShape` for a 0-d input.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        guard isTraining, probability > 0 else { return input }
        guard input.rank >= 1 else {
            throw TensorError(.invalidShape, "DropPath", "input of shape [] has no example axis")
        }
        let maskShape = [input.shape[0]] + Array(repeating: 1, count: input.rank - 1)
        let keep = try Tensor.randomUniform(maskShape, seed: pass.nextSeed()) .>= probability
        return try input * Variable(try keep.astype(input.dtype) * (1 / (1 - probability)))
    }
}
