import Autodiff
import Tensors

/// Batch normalisation over axis 1 of `[n, features, ...]` (PyTorch's `BatchNorm1d/2d`):
/// y = (x - μ) / √(σ² + epsilon) · weight + bias, with μ, σ² the batch statistics over every axis but 1 in
/// training (biased variance) and the running statistics in evaluation. Each training pass updates
/// running = (1 - momentum)·running + momentum·batch, with the unbiased batch variance, as PyTorch does.
public final class BatchNorm: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter
    public let features: Int
    public let epsilon: Double
    public let momentum: Double
    public var isTraining = true

    /// Throws `invalidArgument` for non-positive `features` or a momentum outside [0, 1].
    public init(features: Int, epsilon: Double = 1e-5, momentum: Double = 0.1, dtype: DType = .float32) throws {
        guard features > 0, momentum >= 0, momentum <= 1 else {
            throw TensorError(.invalidArgument, "BatchNorm", "features \(features) must be positive and momentum "
                              + "\(momentum) in [0, 1]")
        }
        (self.features, self.epsilon, self.momentum) = (features, epsilon, momentum)
        weight = Parameter(try Tensor.ones([features], dtype: dtype), initialization: .ones)
        bias = Parameter(try Tensor.zeros([features], dtype: dtype), initialization: .zeros)
        runningMean = Parameter(try Tensor.zeros([features], dtype: dtype), initialization: .zeros)
        runningVariance = Parameter(try Tensor.ones([features], dtype: dtype), initialization: .ones)
    }

    public var localParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }
    public var localBuffers: [(name: String, parameter: Parameter)] {
        [("running_mean", runningMean), ("running_var", runningVariance)]
    }

    /// `[n, features, ...]` (rank ≥ 2), same shape out. Throws `shapeMismatch` naming the shapes, and
    /// `invalidShape` in training when there is only one value per feature (no variance to estimate).
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        guard input.rank >= 2, input.shape[1] == features else {
            throw TensorError(.shapeMismatch, "BatchNorm", "input of shape \(formatShape(input.shape)) is not "
                              + "[n, \(features), ...]")
        }
        let axes = [0] + Array(2..<input.rank)
        let statisticShape = [1, features] + Array(repeating: 1, count: input.rank - 2)
        let mean: Variable, variance: Variable
        if isTraining {
            let count = input.count / features
            guard count > 1 else {
                throw TensorError(.invalidShape, "BatchNorm", "input of shape \(formatShape(input.shape)) has one "
                                  + "value per feature: batch statistics need more than one")
            }
            mean = try input.mean(axes: axes, keepDims: true)
            variance = try (input - mean).square().mean(axes: axes, keepDims: true)
            let unbiased = try variance.value.reshaped([features]) * (Double(count) / Double(count - 1))
            runningMean.value = try (runningMean.value * (1 - momentum) + mean.value.reshaped([features]) * momentum)
                .astype(runningMean.value.dtype)
            runningVariance.value = try (runningVariance.value * (1 - momentum) + unbiased * momentum)
                .astype(runningVariance.value.dtype)
        } else {
            mean = Variable(try runningMean.value.reshaped(statisticShape))
            variance = Variable(try runningVariance.value.reshaped(statisticShape))
        }
        let normalized = try (input - mean) / (variance + epsilon).sqrt()
        return try normalized * pass.variable(for: weight).reshaped(statisticShape)
            + pass.variable(for: bias).reshaped(statisticShape)
    }
}
