import Autodiff
import Language
import Tensors

/// `grad`, `value_and_grad` and `stop_gradient`: reverse-mode derivatives of `.bm` functions, by tracing.
///
/// `grad(f, x, extra…)` calls `f(x', extra…)` where `x'` is `x` with every tensor (and number) replaced by a traced
/// tensor: an Autodiff `Variable` that records the operations `f` applies to it. `f`'s scalar result is then
/// differentiated by `Variable.backward`, and the gradient is returned in `x`'s structure. Builtins that have no
/// gradient rule refuse traced tensors (see `TensorConversion`), so a gradient is either right or an error.
enum GradientLibrary {
    /// Whether a `grad` call is running in this interpreter: `grad` inside the function being differentiated (grad of
    /// grad) is refused rather than giving a gradient that misses the inner call's dependence on the outer input.
    final class TracingState {
        var isActive = false
    }

    static func install(_ context: BindingContext) {
        let state = TracingState()
        context.define("grad", "grad(f, x, *args)", """
            ∂f(x, args…)/∂x by reverse-mode differentiation: f is a function returning a scalar (a number or a 0-d
            tensor); x is a float tensor, a number, or a list or record of them (nested freely) and the gradient has
            the same structure, shapes and dtypes; further arguments are passed to f unchanged and not differentiated.
            grad(x => (x ** 2).sum(), x) is 2·x. help("gradients") lists what f may use.
            """) { arguments in
            try differentiate(arguments, state: state, context: context, operation: "grad").gradient
        }
        context.define("value_and_grad", "value_and_grad(f, x, *args)", """
            [f(x, args…), ∂f/∂x] in one pass, as grad computes it: let loss, g = value_and_grad(f, params, data).
            The value is a number.
            """) { arguments in
            let result = try differentiate(arguments, state: state, context: context, operation: "value_and_grad")
            return .makeList([result.value, result.gradient])
        }
        context.define("stop_gradient", "stop_gradient(x)", """
            x with no gradient flowing through it (JAX's stop_gradient, PyTorch's detach): inside grad, a traced tensor
            becomes a plain tensor of its value, a constant for the derivative; lists and records are copied with
            their tensors so treated; anything else is returned as is.
            """) { arguments in
            try detached(try arguments.value(0, "x"), context: context, depth: 0)
        }
        context.interpreter.addHelpTopic("gradients", gradientsTopic)
    }

    /// Runs `f` on a traced copy of `x` and differentiates its result.
    static func differentiate(_ arguments: Arguments, state: TracingState, context: BindingContext,
                              operation: String) throws -> (value: Value, gradient: Value) {
        let function = try arguments.function(0, "f")
        let argument = try arguments.value(1, "x")
        guard !state.isActive else {
            throw LanguageError("\(operation): grad of grad is not supported in bm yet (\(operation) was called while "
                                + "another grad was differentiating a function)")
        }
        let tree = try ParameterTree(argument, name: "x", operation: operation)
        let leaves = tree.leaves.map { Variable($0, requiresGradient: true) }
        let trace = Trace()
        let traced = try tree.rebuild(tensorLeaf: { .native(TracedTensor(leaves[$0], trace: trace, context: context)) },
                                      numberLeaf: { .native(TracedTensor(leaves[$0], trace: trace, context: context)) })
        state.isActive = true
        let output: Variable
        do {
            defer {
                state.isActive = false
                trace.close()
            }
            // Read before the trace closes: afterwards a traced result is an ordinary tensor.
            output = try scalarOutput(try arguments.call(function, [traced] + arguments.positional.dropFirst(2)),
                                      operation: operation)
        }
        let gradients = output.requiresGradient
            ? try Variable.gradients(of: output, with: leaves)
            : try leaves.map { try Tensor.zeros($0.shape, dtype: $0.dtype) }
        let gradient = try tree.rebuild(tensorLeaf: { context.wrap(gradients[$0]) },
                                        numberLeaf: { .number(try gradients[$0].item()) })
        return (TensorConversion.scalarValue(output.value), gradient)
    }

    /// `f`'s result as a variable: a 0-d tensor (traced or not) or a number. Anything else is an error that says
    /// what `f` returned.
    static func scalarOutput(_ result: Value, operation: String) throws -> Variable {
        let tensor: Tensor
        switch result {
        case .number(let number):
            return Variable(Tensor(scalar: number))
        case .native(let object):
            if let traced = object as? TracedTensor {
                guard traced.rank == 0 else { throw notScalar("a tensor of shape \(formatShape(traced.shape))", operation) }
                return traced.isTraced ? traced.variable : Variable(traced.value)
            }
            guard let plain = object as? TensorObject else { throw notScalar("a \(result.typeName)", operation) }
            tensor = plain.tensor
        default:
            throw notScalar("a \(result.typeName)", operation)
        }
        guard tensor.rank == 0 else { throw notScalar("a tensor of shape \(formatShape(tensor.shape))", operation) }
        guard tensor.dtype != .bool else { throw notScalar("a bool tensor", operation) }
        return Variable(tensor.astype(tensor.dtype.floatingPointResult))
    }

    static func notScalar(_ description: String, _ operation: String) -> LanguageError {
        let hint = description.hasPrefix("a tensor of shape") ? "; reduce it first, e.g. with .sum() or .mean()" : ""
        return LanguageError("\(operation): f must return a scalar (a number or a 0-d tensor), got \(description)"
                             + hint)
    }

    /// `value` with traced tensors replaced by plain tensors of their values (lists and records copied).
    static func detached(_ value: Value, context: BindingContext, depth: Int) throws -> Value {
        guard depth <= ParameterTree.maximumDepth else {
            throw LanguageError("stop_gradient: x is nested more than \(ParameterTree.maximumDepth) levels deep")
        }
        switch value {
        case .native(let object):
            guard let traced = object as? TracedTensor else { return value }
            return context.wrap(traced.value)
        case .list(let list):
            return .makeList(try list.elements.map { try detached($0, context: context, depth: depth + 1) })
        case .record(let record):
            return .makeRecord(Array(zip(record.keys, try record.values.map {
                try detached($0, context: context, depth: depth + 1)
            })))
        default:
            return value
        }
    }
}

extension GradientLibrary {
    static var gradientsTopic: String {
        """
        Gradients: grad(f, x, *args) → ∂f/∂x; value_and_grad(f, x, *args) → [f(x, …), ∂f/∂x]; stop_gradient(x).
          f          a function returning a scalar (a number or a 0-d tensor); its first argument is differentiated
          x          a float tensor or a number, or lists and records of them: the gradient has the same structure
          inside f   operators + - * / % ** @ (with numbers, tensors and traced tensors on either side), unary -,
                     exp log sqrt abs tanh matmul maximum minimum where concat stack zscore corr linalg.norm,
                     floor ceil round (constant), indexing and slicing, iteration over rows,
                     t.shape t.dtype t.ndim t.size t.T, and the methods
        \(wrapped(TracedMethods.differentiable.keys.sorted(), indent: 13))
          no gradient comparisons (bool tensors) and these methods work on the value:
        \(wrapped(TracedMethods.valueOnly.sorted(), indent: 13))
        Anything else throws "grad: name is not differentiable in bm yet"; stop_gradient(x) passes a value as a
        constant. Inside f a reduction over all axes gives a 0-d tensor (not a number), item()/tolist() and index
        assignment are refused, and grad cannot be nested (grad of grad). Example:
          let loss, g = value_and_grad(p => ((x @ p.w + p.b - y) ** 2).mean(), {w: zeros([3, 1]), b: zeros([1])})
        """
    }

    /// `names` comma-separated in lines of at most 112 characters, each indented by `indent` spaces.
    static func wrapped(_ names: [String], indent: Int) -> String {
        var lines: [String] = [], line = ""
        for name in names {
            if !line.isEmpty && indent + line.count + name.count + 2 > 112 {
                lines.append(line + ",")
                line = ""
            }
            line += (line.isEmpty ? "" : ", ") + name
        }
        lines.append(line)
        return lines.map { String(repeating: " ", count: indent) + $0 }.joined(separator: "\n")
    }
}
