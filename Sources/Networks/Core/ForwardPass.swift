import Autodiff
import Tensors

/// One forward evaluation of a network: the leaf variable of each parameter, the randomness of Dropout and
/// DropPath, and the activations recorded by name.
///
/// A pass created with `recordsGradients: true` makes every parameter a leaf that requires a gradient, so that
/// `gradients(of:for:)` can return ∂loss/∂parameter by name after the forward computation. Random masks are drawn
/// from `seed` and a counter, so the same network, input and seed give the same result.
public final class ForwardPass {
    /// Whether parameters are leaves that require gradients.
    public let recordsGradients: Bool
    /// The seed of the random masks drawn in this pass.
    public let seed: UInt64
    private var parameterVariables: [ObjectIdentifier: Variable] = [:]
    private var randomDraws: UInt64 = 0
    /// Activations recorded by name ("blocks.0", "norm", …), in the order they were computed.
    public private(set) var activations: [(name: String, value: Variable)] = []

    public init(recordsGradients: Bool = false, seed: UInt64 = 0) {
        self.recordsGradients = recordsGradients
        self.seed = seed
    }

    /// The leaf variable standing for `parameter` in this pass (the same one every time it is asked for).
    public func variable(for parameter: Parameter) -> Variable {
        let key = ObjectIdentifier(parameter)
        if let existing = parameterVariables[key] { return existing }
        let variable = Variable(parameter.value, requiresGradient: recordsGradients)
        parameterVariables[key] = variable
        return variable
    }

    /// A fresh seed for one random mask: the pass seed mixed with the number of masks drawn before.
    public func nextSeed() -> UInt64 {
        randomDraws += 1
        return Seeds.mix(seed, randomDraws)
    }

    /// A hook: called with a layer's name and output where the model records it; returns the value the network
    /// continues with (the same variable to only read it, another of the same shape to replace it).
    public typealias Hook = (_ name: String, _ value: Variable) throws -> Variable

    /// Hooks by layer name ("blocks.1"), applied by `record`: `pass.hooks["blocks.1"] = { _, x in try x * 0 }`
    /// zeroes that block's output for everything downstream; `{ name, x in seen[name] = x.value; return x }` reads
    /// it. A model sees a replacement only where it continues with `record`'s result (VisionTransformer does).
    public var hooks: [String: Hook] = [:]
    /// A hook applied to every recorded layer, after the layer's own hook in `hooks` (if any).
    public var everyLayerHook: Hook?
    /// The first error a hook threw, if any. `record` cannot throw (models call it in many places), so once a hook
    /// fails, no further hook runs, the failing layer's output is left as it was, and `checkHooks()` rethrows the
    /// error after the forward computation (the reading API calls it for you).
    public private(set) var hookError: (any Error)?

    /// Records `value` under `name` (a later record under the same name is kept as well, in order), after passing
    /// it through `hooks[name]` and `everyLayerHook`; returns what was recorded, which the model continues with.
    @discardableResult
    public func record(_ name: String, _ value: Variable) -> Variable {
        var result = value
        if hookError == nil {
            do {
                if let hook = hooks[name] { result = try hook(name, result) }
                if let everyLayerHook { result = try everyLayerHook(name, result) }
            } catch {
                hookError = error
                result = value
            }
        }
        activations.append((name, result))
        return result
    }

    /// Rethrows the first error a hook threw during this pass (see `hookError`); does nothing otherwise.
    public func checkHooks() throws {
        if let hookError { throw hookError }
    }

    /// The last activation recorded under `name`, or nil.
    public func activation(_ name: String) -> Variable? {
        activations.last(where: { $0.name == name })?.value
    }

    /// ∂loss/∂parameter for every parameter of `module`, by full name, in `module.namedParameters` order.
    /// Parameters the loss does not depend on get zeros. Throws `invalidArgument` when the pass does not record
    /// gradients, and what `Variable.backward` throws (a loss that is not a scalar).
    public func gradients(of loss: Variable, for module: any Module) throws -> [(name: String, gradient: Tensor)] {
        guard recordsGradients else {
            throw TensorError(.invalidArgument, "gradients", "this forward pass does not record gradients: "
                              + "create it with ForwardPass(recordsGradients: true)")
        }
        let named = module.namedParameters
        let gradients = try Variable.gradients(of: loss, with: named.map { variable(for: $0.parameter) })
        return zip(named, gradients).map { ($0.name, $1) }
    }
}
