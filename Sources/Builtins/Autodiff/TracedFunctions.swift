import Autodiff
import Language
import Tensors

extension BindingContext {
    /// Defines a global builtin that `grad` can differentiate through: when a positional or keyword argument is a
    /// traced tensor (or a list holding one), `traced` runs instead of `body`. Both share the signature, so arity
    /// and keyword names are checked once, by the language. Without traced arguments the only cost is that check
    /// of the arguments' cases.
    ///
    /// Builtins defined with plain `define` need nothing: their tensor arguments go through
    /// `TensorConversion.tensor(from:operation:)`, which rejects a traced tensor with
    /// `grad: name is not differentiable in bm yet`.
    func define(_ name: String, _ signature: String, _ documentation: String,
                traced: @escaping (Arguments) throws -> Value, _ body: @escaping (Arguments) throws -> Value) {
        define(name, signature, documentation, Self.dispatch(traced: traced, body))
    }

    /// A builtin function value (for modules such as `linalg`) that `grad` can differentiate through, as `define`.
    func function(_ name: String, _ signature: String, _ documentation: String,
                  traced: @escaping (Arguments) throws -> Value,
                  _ body: @escaping (Arguments) throws -> Value) -> Value {
        function(name, signature, documentation, Self.dispatch(traced: traced, body))
    }

    private static func dispatch(traced: @escaping (Arguments) throws -> Value,
                                 _ body: @escaping (Arguments) throws -> Value) -> (Arguments) throws -> Value {
        { arguments in
            if arguments.positional.contains(where: TracedOperands.holdsTracedTensor)
                || arguments.named.contains(where: { TracedOperands.holdsTracedTensor($0.1) }) {
                return try traced(arguments)
            }
            return try body(arguments)
        }
    }
}

/// The traced implementations of the differentiable global builtins (`exp(x)`, `matmul`, `concat`, `where`…),
/// passed to `define(_:_:_:traced:_:)` where each builtin is defined.
enum TracedFunctions {
    /// `name(x)` for the elementwise globals `sqrt exp log abs tanh floor ceil round`; floor, ceil and round are
    /// flat almost everywhere, so they give a constant (zero gradient, as in JAX).
    static func elementwise(_ name: String, _ context: BindingContext) -> (Arguments) throws -> Value {
        { arguments in
            guard arguments.count == 1 && arguments.named.isEmpty else {
                throw LanguageError("\(name): a tensor takes no further arguments")
            }
            let traced = try tracedArgument(arguments, 0, name)
            let x = traced.variable
            let result: Variable
            switch name {
            case "sqrt": result = try x.sqrt()
            case "exp": result = try x.exp()
            case "log": result = try x.log()
            case "abs": result = try x.abs()
            case "tanh": result = try x.tanh()
            case "floor", "ceil", "round":
                let function: MathFunction = name == "floor" ? .floor : name == "ceil" ? .ceil : .round
                return context.wrap(try x.value.apply(function))
            default: throw TracedTensor.notDifferentiable(name)
            }
            return traced.wrap(result)
        }
    }

    /// `matmul(a, b)`, `maximum(a, b)`, `minimum(a, b)`.
    static func binary(_ name: String, _ context: BindingContext) -> (Arguments) throws -> Value {
        { arguments in
            let (a, b) = try pair(arguments, name)
            let result: Variable
            switch name {
            case "matmul": result = try Variable.matmul(a, b)
            case "maximum": result = try Variable.maximum(a, b)
            case "minimum": result = try Variable.minimum(a, b)
            default: throw TracedTensor.notDifferentiable(name)
            }
            return try wrap(result, arguments, context)
        }
    }

    /// `where(condition, a, b)`: the gradient flows to `a` and `b`; the condition is used by value.
    static func select(_ context: BindingContext) -> (Arguments) throws -> Value {
        { arguments in
            let condition = try arguments.value(0, "condition")
            let conditionTensor: Tensor
            if case .native(let object) = condition, let traced = object as? TracedTensor {
                conditionTensor = traced.value
            } else {
                conditionTensor = try TensorConversion.tensor(from: condition, operation: "where")
            }
            let operands = try variables([arguments.value(1, "a"), arguments.value(2, "b")], names: ["a", "b"],
                                         operation: "where")
            return try wrap(Variable.where(conditionTensor, operands[0], operands[1]), arguments, context)
        }
    }

    /// `concat(tensors, axis=0)` and `stack(tensors, axis=0)`.
    static func join(_ name: String, _ context: BindingContext) -> (Arguments) throws -> Value {
        { arguments in
            let elements = try arguments.elements(try arguments.value(0, "tensors"))
            let parts = try variables(elements, names: elements.indices.map { "element \($0)" }, operation: name)
            guard !parts.isEmpty else { throw LanguageError("\(name): no tensors to join") }
            let axis = try arguments.optionalInteger(1, "axis") ?? 0
            let result = name == "stack" ? try Variable.stack(parts, axis: axis)
                : try Variable.concatenate(parts, axis: axis)
            return try wrap(result, arguments, context)
        }
    }

    /// Arguments 0 (`a`) and 1 (`b`) as variables.
    private static func pair(_ arguments: Arguments, _ name: String) throws -> (Variable, Variable) {
        let operands = try variables([arguments.value(0, "a"), arguments.value(1, "b")], names: ["a", "b"],
                                     operation: name)
        return (operands[0], operands[1])
    }

    /// `values` as variables; numbers are weak scalars of the first traced operand's dtype, as with operators.
    static func variables(_ values: [Value], names: [String], operation: String) throws -> [Variable] {
        var partner: Variable?
        for case .native(let object) in values {
            if let traced = object as? TracedTensor, traced.isTraced { partner = traced.variable; break }
        }
        return try zip(values, names).map { value, name in
            try TracedOperands.required(value, partner: partner, operation: operation, argument: name)
        }
    }

    /// The traced tensor at `index`.
    private static func tracedArgument(_ arguments: Arguments, _ index: Int, _ name: String) throws -> TracedTensor {
        let value = try arguments.value(index)
        guard case .native(let object) = value, let traced = object as? TracedTensor else {
            throw arguments.typeError(index, nil, expected: "a tensor", got: value)
        }
        return traced
    }

    /// A result built from the arguments of one call: traced in the trace of the traced argument it depends on.
    static func wrap(_ result: Variable, _ arguments: Arguments, _ context: BindingContext) throws -> Value {
        let values = arguments.positional + arguments.named.map(\.1)
        for value in values {
            if case .native(let object) = value, let traced = object as? TracedTensor, traced.isTraced {
                return traced.wrap(result)
            }
            if case .list(let list) = value {
                for case .native(let object) in list.elements {
                    if let traced = object as? TracedTensor, traced.isTraced { return traced.wrap(result) }
                }
            }
        }
        return context.wrap(result.value)
    }
}
