import Tensors

/// An optimiser updating a module's parameters in place from gradients given by parameter name.
///
/// The state (momentum buffers, moment estimates) is a list of named tensors ("exp_avg.<parameter>", …) so that a
/// `Checkpoint` can save and restore it exactly.
public protocol Optimizer: AnyObject {
    /// A short name stored in checkpoints ("sgd", "adamw").
    var kind: String { get }
    /// The learning rate of the next step (set it from a schedule before each step).
    var learningRate: Double { get set }
    /// The weight decay of the next step for the parameters that decay (set it from a schedule).
    var weightDecay: Double { get set }
    /// The number of steps taken.
    var stepCount: Int { get }
    /// The optimiser state as named tensors, sorted by name.
    var state: [(name: String, value: Tensor)] { get }
    /// Applies one update. `gradients` must name every parameter of the module exactly once, with its shape.
    /// Throws `invalidArgument` naming a missing or unknown parameter, `shapeMismatch` naming both shapes.
    func step(_ gradients: [(name: String, gradient: Tensor)]) throws
    /// Restores `state` and `stepCount` (from a checkpoint). Throws `invalidArgument` naming a missing or unexpected
    /// tensor and `shapeMismatch` naming both shapes.
    func load(state: [String: Tensor], stepCount: Int) throws
}

/// DINOv2's parameter groups: biases, 1-D parameters (norm scales, layer scales) and tokens (class, mask and register
/// tokens, position embeddings) are not decayed; every other parameter is.
public func decaysByDefault(name: String, parameter: Parameter) -> Bool {
    let last = name.split(separator: ".").last.map(String.init) ?? name
    if parameter.value.rank <= 1 || last == "bias" { return false }
    return !(last.contains("token") || last == "pos_embed")
}

/// The parameters one optimiser updates, with whether weight decay applies to each.
struct OptimizedParameters {
    let entries: [(name: String, parameter: Parameter, decays: Bool)]

    init(_ module: any Module, decays: (String, Parameter) -> Bool) {
        entries = module.namedParameters.map { ($0.name, $0.parameter, decays($0.name, $0.parameter)) }
    }

    /// Gradients by name, checked against the parameters.
    func matched(_ gradients: [(name: String, gradient: Tensor)], operation: String) throws -> [Tensor] {
        var byName: [String: Tensor] = [:]
        for (name, gradient) in gradients {
            guard byName.updateValue(gradient, forKey: name) == nil else {
                throw TensorError(.invalidArgument, operation, "gradient \"\(name)\" is given twice")
            }
        }
        let known = Set(entries.map(\.name))
        if let unknown = gradients.map(\.name).first(where: { !known.contains($0) }) {
            throw TensorError(.invalidArgument, operation, "gradient \"\(unknown)\" names no parameter")
        }
        return try entries.map { entry in
            guard let gradient = byName[entry.name] else {
                throw TensorError(.invalidArgument, operation, "missing gradient for \"\(entry.name)\"")
            }
            guard gradient.shape == entry.parameter.value.shape else {
                throw TensorError(.shapeMismatch, operation, "gradient \"\(entry.name)\" has shape "
                                  + "\(formatShape(gradient.shape)), parameter has \(formatShape(entry.parameter.value.shape))")
            }
            return gradient
        }
    }

    /// Checks a saved state against the names and shapes this optimiser expects.
    func checkState(_ state: [String: Tensor], expected: [(name: String, shape: [Int])], operation: String) throws {
        let names = Set(expected.map(\.name))
        if let unexpected = state.keys.sorted().first(where: { !names.contains($0) }) {
            throw TensorError(.invalidArgument, operation, "unexpected state tensor \"\(unexpected)\"")
        }
        for (name, shape) in expected {
            guard let tensor = state[name] else {
                throw TensorError(.invalidArgument, operation, "missing state tensor \"\(name)\"")
            }
            guard tensor.shape == shape else {
                throw TensorError(.shapeMismatch, operation, "state tensor \"\(name)\" has shape "
                                  + "\(formatShape(tensor.shape)), expected \(formatShape(shape))")
            }
        }
    }
}

/// Elementwise update helpers: updates are computed in double precision and stored in the parameter's dtype.
enum Elements {
    /// A gradient as the update loops read it: contiguous, float32 for a float32 parameter that has a float32
    /// gradient, float64 otherwise (so every element's value reaches the double-precision update unrounded).
    static func readable(_ gradient: Tensor, for parameterType: DType) -> Tensor {
        if parameterType == .float32 && gradient.dtype == .float32 { return gradient.contiguous() }
        return gradient.astype(.float64).contiguous()
    }

    static func values(_ tensor: Tensor) -> [Double] { tensor.scalars(as: Double.self) }

    static func tensor(_ values: [Double], shape: [Int], dtype: DType) -> Tensor {
        // The shape and count agree by construction.
        try! Tensor(shape: shape, scalars: values).astype(dtype)
    }
}
