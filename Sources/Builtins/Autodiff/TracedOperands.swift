import Autodiff
import Language
import Tensors

/// Script values as Autodiff variables, and the operators on them, for code that runs while `grad` traces.
enum TracedOperands {
    /// `value` as a variable: a traced tensor's own variable (a constant once its trace has closed), a tensor, number,
    /// bool or nested list as a constant. A number is a weak scalar that takes `partner`'s dtype (float32 stays
    /// float32), as it does outside grad. nil for values an operator does not take (strings, records…), so that the
    /// language reports the unsupported operand; `required` turns that into an error naming `operation`.
    static func variable(_ value: Value, partner: Variable?, operation: String) throws -> Variable? {
        switch value {
        case .native(let object):
            if let traced = object as? TracedTensor {
                return traced.isTraced ? traced.variable : Variable(traced.value)
            }
            guard let tensor = object as? TensorObject else { return nil }
            return Variable(tensor.tensor)
        case .number(let number):
            return Variable(partner.map { Tensor.weakScalar(number, partner: $0.dtype) } ?? Tensor(scalar: number))
        case .bool(let flag):
            return Variable(Tensor(scalar: flag))
        case .list:
            return Variable(try TensorConversion.tensor(from: value, operation: operation))
        default:
            return nil
        }
    }

    /// `value` as a variable, or an error naming `operation` and the argument.
    static func required(_ value: Value, partner: Variable? = nil, operation: String,
                         argument: String) throws -> Variable {
        guard let result = try variable(value, partner: partner, operation: operation) else {
            throw LanguageError("\(operation): \(argument) must be a tensor, a number or a list, got \(value.typeName)")
        }
        return result
    }

    /// Whether `value` is, or is a list holding, a tensor that grad is tracing.
    static func holdsTracedTensor(_ value: Value) -> Bool {
        switch value {
        case .native(let object):
            return (object as? TracedTensor)?.isTraced ?? false
        case .list(let list):
            return list.elements.contains { element in
                if case .native(let object) = element { return (object as? TracedTensor)?.isTraced ?? false }
                return false
            }
        default:
            return false
        }
    }

    /// The comparison operators, which give bool tensors and no gradient; nil for arithmetic ones.
    static func comparison(_ operation: BinaryOperator) -> BinaryOperator? {
        switch operation {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: operation
        default: nil
        }
    }

    /// `left op right` for arithmetic operators and `@`, recorded for differentiation.
    /// `a % b` is `a - b·floor(a/b)` with the floor a constant: its derivative, which is exact wherever the remainder
    /// is continuous (everywhere but the jumps).
    static func arithmetic(_ operation: BinaryOperator, _ left: Variable, _ right: Variable) throws -> Variable {
        switch operation {
        case .add: return try left + right
        case .subtract: return try left - right
        case .multiply: return try left * right
        case .divide: return try left / right
        case .power:
            // A constant scalar exponent uses the cheaper rule, which also never takes log of the base.
            if !right.requiresGradient, right.rank == 0, right.dtype != .bool {
                return try left.pow(try right.value.item())
            }
            return try left.pow(right)
        case .remainder:
            let quotient = try (left.value / right.value).apply(.floor)
            return try left - right * Variable(quotient)
        case .matrixMultiply:
            return try Variable.matmul(left, right)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            preconditionFailure("internal: comparisons are not recorded")
        }
    }
}
