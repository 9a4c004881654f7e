import Tensors

/// A tensor that remembers how it was computed, so that reverse mode can differentiate through it.
///
/// A `Variable` is immutable: its value, whether it needs a gradient, and — when it was produced by an operation on
/// variables that need gradients — the primitive and its inputs. The graph is held by the variables themselves
/// (each node keeps its parents); there is no global tape, so separate threads can build and differentiate separate
/// graphs, and a graph can be differentiated any number of times.
///
/// No cost when nothing requires a gradient: an operation whose inputs all have `requiresGradient == false` returns a
/// plain `Variable` with no node and no reference to its inputs.
public final class Variable: Sendable, CustomStringConvertible {
    /// The value this variable stands for.
    public let value: Tensor
    /// Whether gradients flow to this variable: true for leaves created so, and for every result of an operation
    /// with at least one such input.
    public let requiresGradient: Bool
    /// The operation that produced this variable, or nil for a leaf (or any untracked value).
    let node: Node?

    /// A leaf: `tensor` as an input of a computation. Gradients with respect to it are computed only when
    /// `requiresGradient` is true.
    public init(_ tensor: Tensor, requiresGradient: Bool = false) {
        value = tensor
        self.requiresGradient = requiresGradient
        node = nil
    }

    init(value: Tensor, node: Node) {
        self.value = value
        requiresGradient = true
        self.node = node
    }

    /// Whether this variable was produced by a recorded operation (false for leaves and for untracked results).
    public var isRecorded: Bool { node != nil }
    /// The name of the primitive that produced this variable ("add", "matmul", …), or nil for a leaf or an untracked
    /// value.
    public var operationName: String? { node?.primitive.name }

    /// The value's shape.
    public var shape: [Int] { value.shape }
    /// The value's element type.
    public var dtype: DType { value.dtype }
    /// The value's number of axes.
    public var rank: Int { value.rank }
    /// The value's number of elements.
    public var count: Int { value.count }

    /// This variable if it already requires a gradient; otherwise its value as a new leaf that does. Operations from
    /// here on are recorded, so that a fixed network can report the gradient with respect to a layer's output
    /// without recording (or differentiating) anything before it.
    public func requiringGradient() -> Variable {
        requiresGradient ? self : Variable(value, requiresGradient: true)
    }

    /// The same value with the graph cut: a leaf that does not require a gradient (PyTorch's `detach`, JAX's
    /// `stop_gradient`).
    public func detached() -> Variable { Variable(value) }

    public var description: String {
        "Variable(\(formatShape(shape)) \(dtype)\(requiresGradient ? ", requiresGradient" : "")"
            + "\(operationName.map { ", from " + $0 } ?? ""))"
    }
}

/// One recorded operation: the primitive and the variables it read.
struct Node: Sendable {
    let primitive: Primitive
    let inputs: [Variable]
}

/// The primitives whose vector-Jacobian products `Derivatives.swift` defines. Every differentiable operation on
/// `Variable` records one of these; composites (softmax, layer norm, losses, …) are built from them.
enum Primitive: Sendable {
    case add, subtract, multiply, divide, negate
    /// `x ** exponent` for a constant exponent.
    case powerScalar(Double)
    /// `a ** b` for two tensors.
    case power
    case exp, log, log1p, sqrt, tanh, sigmoid, erf, abs
    case maximum, minimum
    /// `where(condition, a, b)`; the condition is a constant.
    case select(condition: Tensor)
    case matmul
    case sum(axes: [Int], keepDims: Bool)
    case mean(axes: [Int], keepDims: Bool)
    case max(axes: [Int], keepDims: Bool)
    /// reshape, squeeze and unsqueeze: the same elements under another shape.
    case reshape
    case permute(axes: [Int])
    case broadcast
    case get(indices: [TensorIndex])
    case concatenate(axis: Int)
    case stack(axis: Int)
    case clip(minimum: Double?, maximum: Double?)
    /// Fused primitives (`Fused.swift`): x·Wᵀ (+ b); layer norm with scale and shift over the last axis; the exact
    /// GELU; softmax over the last axis; multi-head self-attention from a fused qkv projection, with the attention
    /// probabilities `[n, heads, tokens, tokens]` kept for the backward pass.
    case linear
    case layerNorm(epsilon: Double)
    case gelu
    case softmax
    case attention(heads: Int, probabilities: Tensor)

    var name: String {
        switch self {
        case .add: "add"
        case .subtract: "subtract"
        case .multiply: "multiply"
        case .divide: "divide"
        case .negate: "negate"
        case .powerScalar, .power: "power"
        case .exp: "exp"
        case .log: "log"
        case .log1p: "log1p"
        case .sqrt: "sqrt"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .erf: "erf"
        case .abs: "abs"
        case .maximum: "maximum"
        case .minimum: "minimum"
        case .select: "where"
        case .matmul: "matmul"
        case .sum: "sum"
        case .mean: "mean"
        case .max: "max"
        case .reshape: "reshape"
        case .permute: "permute"
        case .broadcast: "broadcast_to"
        case .get: "index"
        case .concatenate: "concatenate"
        case .stack: "stack"
        case .clip: "clip"
        case .linear: "linear"
        case .layerNorm: "layer_norm"
        case .gelu: "gelu"
        case .softmax: "softmax"
        case .attention: "self_attention"
        }
    }
}

extension Variable {
    /// The result of `primitive` applied to `inputs`, whose value is `value`: recorded only when an input requires a
    /// gradient (the check comes before any node is built, so untracked code pays nothing but this test).
    static func record(_ primitive: Primitive, _ inputs: [Variable], value: Tensor) -> Variable {
        guard inputs.contains(where: \.requiresGradient) else { return Variable(value) }
        return Variable(value: value, node: Node(primitive: primitive, inputs: inputs))
    }

    /// A constant scalar of this variable's dtype (numpy's weak scalar: it does not promote float32 to float64).
    func constant(_ scalar: Double) -> Variable {
        Variable(Tensor.weakScalar(scalar, partner: dtype))
    }
}
