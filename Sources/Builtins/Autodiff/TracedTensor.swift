import Autodiff
import Language
import Tensors

/// One call of `grad` or `value_and_grad`: open while the function being differentiated runs.
///
/// A traced tensor that escapes its call (stored in an outer variable, returned inside a record) outlives the trace;
/// once the trace is closed it behaves exactly as an ordinary tensor of its value, so it can be printed or reused
/// and is a constant for any later `grad`.
final class Trace {
    private(set) var isOpen = true
    func close() { isOpen = false }
}

/// A tensor that `grad` is differentiating: an Autodiff `Variable` whose operations are recorded while the function
/// runs. Scripts cannot tell it from a tensor (`type(x)` is "tensor", it prints its value, has `shape`, `dtype`…);
/// every operation either records a differentiable step, works on the value when its result carries no gradient
/// (comparisons, `argmax`, `isnan`), or throws naming the operation, so that no gradient is ever silently wrong.
///
/// Differences from a tensor, all because the value must stay traced: a reduction over all axes or an index of
/// every axis gives a 0-d tensor rather than a number; `item()`/`tolist()` throw (use `stop_gradient(x)`), and so
/// does assignment through an index.
final class TracedTensor: NativeObject {
    let variable: Variable
    let trace: Trace
    let context: BindingContext

    init(_ variable: Variable, trace: Trace, context: BindingContext) {
        self.variable = variable
        self.trace = trace
        self.context = context
    }

    var value: Tensor { variable.value }
    var shape: [Int] { variable.shape }
    var rank: Int { variable.rank }
    /// Whether operations on this tensor are recorded (false once its `grad` call has returned).
    var isTraced: Bool { trace.isOpen }
    /// The ordinary tensor an escaped traced tensor stands for.
    private var plain: TensorObject { TensorObject(value, context: context) }

    /// The result of an operation on traced values: traced when it depends on them, otherwise a plain tensor.
    func wrap(_ result: Variable) -> Value {
        guard result.requiresGradient, trace.isOpen else { return context.wrap(result.value) }
        return .native(TracedTensor(result, trace: trace, context: context))
    }

    var typeName: String { "tensor" }
    /// The value as a tensor prints; a 0-d value as the number a reduction outside grad would give.
    var displayString: String { rank == 0 ? TensorConversion.scalarValue(value).description : value.description }

    func attribute(_ name: String) throws -> Value? {
        guard isTraced else { return try plain.attribute(name) }
        switch name {
        case "shape": return .makeList(value.shape.map { .number(Double($0)) })
        case "dtype": return .string(value.dtype.rawValue)
        case "ndim": return .number(Double(value.rank))
        case "size": return .number(Double(value.count))
        case "T": return wrap(try variable.transposed())
        default: return TracedMethods.method(name, of: self)
        }
    }

    var memberNames: [String] { plain.memberNames }

    func subscriptGet(_ indices: [Subscript]) throws -> Value {
        guard isTraced else { return try plain.subscriptGet(indices) }
        // Always a tensor, even for an index of every axis: a number would lose the gradient.
        return wrap(try variable.get(indices.map { try TensorConversion.index($0) }))
    }

    func subscriptSet(_ indices: [Subscript], to value: Value) throws {
        guard isTraced else { return try plain.subscriptSet(indices, to: value) }
        throw LanguageError("grad: index assignment cannot change a traced tensor in place; build a new tensor "
                            + "instead (where(mask, new, x), concat, stack)")
    }

    func binaryOperation(_ operation: BinaryOperator, other: Value, side: OperandSide) throws -> Value? {
        guard isTraced else {
            var operand = other
            if case .native(let object) = other, let escaped = object as? TracedTensor, !escaped.isTraced {
                operand = context.wrap(escaped.value)
            }
            return try plain.binaryOperation(operation, other: operand, side: side)
        }
        guard let otherVariable = try TracedOperands.variable(other, partner: variable, operation: operation.rawValue)
        else { return nil }
        let (left, right) = side == .left ? (variable, otherVariable) : (otherVariable, variable)
        if let comparison = TracedOperands.comparison(operation) {
            // A comparison has no gradient: a plain bool tensor, as outside grad.
            return context.wrap(try TensorConversion.apply(comparison, left.value, right.value))
        }
        return wrap(try TracedOperands.arithmetic(operation, left, right))
    }

    func unaryOperation(_ operation: UnaryOperator) throws -> Value? {
        guard isTraced else { return try plain.unaryOperation(operation) }
        switch operation {
        case .negate: return wrap(try variable.negated())
        case .not: return context.wrap(try value.logicalNot())
        }
    }

    func isTruthy() throws -> Bool { try plain.isTruthy() }

    func makeIterator() throws -> (() throws -> Value?)? {
        guard isTraced else { return try plain.makeIterator() }
        guard variable.rank > 0 else { throw LanguageError("cannot iterate over a 0-d tensor") }
        var position = 0
        let rows = variable.shape[0]
        return { [self] in
            guard position < rows else { return nil }
            defer { position += 1 }
            return wrap(try variable.selecting(position, axis: 0))
        }
    }

    func length() throws -> Int? { try plain.length() }

    func format(spec: String) throws -> String? { try plain.format(spec: spec) }
}

extension TracedTensor {
    /// The error for an operation that has no gradient rule: it names the operation and the way out.
    static func notDifferentiable(_ operation: String) -> LanguageError {
        LanguageError("grad: \(operation) is not differentiable in bm yet (stop_gradient(x) passes a traced "
                      + "tensor's value as a constant)")
    }
}
