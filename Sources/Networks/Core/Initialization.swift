import Tensors

/// How a parameter is drawn at initialisation.
public enum Initialization: Sendable, Equatable {
    case zeros
    case ones
    /// Every element `value` (LayerScale's 1e-5, say).
    case constant(Double)
    /// Normal with mean 0 and standard deviation `std`.
    case normal(std: Double)
    /// Normal with mean 0 and standard deviation `std`, redrawn until inside `[lower, upper]` (timm's
    /// `trunc_normal_`, which DINOv2 uses with std 0.02 and bounds ±2 — absolute bounds, as timm's are).
    case truncatedNormal(std: Double, lower: Double = -2, upper: Double = 2)
    /// Uniform on `[-bound, bound]` (PyTorch's default for Linear and Conv2d uses bound = 1/√fanIn).
    case uniform(bound: Double)

    /// A float64 tensor of `shape` drawn from this distribution, deterministic in `seed`.
    public func draw(_ shape: [Int], seed: UInt64) throws -> Tensor {
        switch self {
        case .zeros: return try Tensor.zeros(shape)
        case .ones: return try Tensor.ones(shape)
        case .constant(let value): return try Tensor.full(shape, value: value)
        case .normal(let std): return try Tensor.randomNormal(shape, std: std, seed: seed)
        case .uniform(let bound): return try Tensor.randomUniform(shape, low: -bound, high: bound, seed: seed)
        case .truncatedNormal(let std, let lower, let upper):
            guard lower < upper else {
                throw TensorError(.invalidArgument, "truncated_normal", "lower bound \(lower) is not below \(upper)")
            }
            var values = try Tensor.randomNormal(shape, std: std, seed: seed).scalars(as: Double.self)
            var generator = RandomGenerator(seed: Seeds.mix(seed, 0x7472_756e))
            // Rejection: each out-of-range draw is replaced by fresh draws until one falls inside.
            for index in values.indices where values[index] < lower || values[index] > upper {
                repeat {
                    values[index] = try generator.normal([1], std: std).item()
                } while values[index] < lower || values[index] > upper
            }
            return try Tensor(shape: shape, scalars: values)
        }
    }
}
