import Language
import Tensors

/// A tensor as a script sees it: a native object with attributes (`shape`, `dtype`, `T`…), methods (`sum`,
/// `reshape`…), numpy indexing, operators with numpy broadcasting, iteration over the first axis, and printing.
///
/// The engine's tensors are values; a script variable holds this object, so assignment through an index
/// (`t[0] = 1`) changes what every name bound to the object sees, as with a numpy array.
final class TensorObject: NativeObject {
    private(set) var tensor: Tensor
    let context: BindingContext

    init(_ tensor: Tensor, context: BindingContext) {
        self.tensor = tensor
        self.context = context
    }

    var typeName: String { "tensor" }
    var displayString: String { tensor.description }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "shape": return .makeList(tensor.shape.map { .number(Double($0)) })
        case "dtype": return .string(tensor.dtype.rawValue)
        case "ndim": return .number(Double(tensor.rank))
        case "size": return .number(Double(tensor.count))
        case "T": return context.wrap(tensor.transposed())
        default: break
        }
        guard let method = TensorMethods.table[name] else { return nil }
        let receiver = tensor
        return context.function("tensor.\(name)", method.signature, method.documentation) { [context] arguments in
            try method.body(receiver, arguments, context)
        }
    }

    var memberNames: [String] { ["shape", "dtype", "ndim", "size", "T"] + TensorMethods.table.keys.sorted() }

    func subscriptGet(_ indices: [Subscript]) throws -> Value {
        let converted = try indices.map { try TensorConversion.index($0) }
        let result = try tensor.get(converted)
        // An index of every axis gives a number, as numpy gives a scalar.
        let allIntegers = converted.allSatisfy { if case .index = $0 { return true } else { return false } }
        return result.rank == 0 && allIntegers ? TensorConversion.scalarValue(result) : context.wrap(result)
    }

    func subscriptSet(_ indices: [Subscript], to value: Value) throws {
        let converted = try indices.map { try TensorConversion.index($0) }
        try tensor.set(converted, to: TensorConversion.tensor(from: value, operation: "index assignment"))
    }

    func binaryOperation(_ operation: BinaryOperator, other: Value, side: OperandSide) throws -> Value? {
        let otherTensor: Tensor
        switch other {
        case .number(let number): otherTensor = Tensor.weakScalar(number, partner: tensor.dtype)
        case .bool(let flag): otherTensor = Tensor(scalar: flag)
        case .list: otherTensor = try TensorConversion.tensor(from: other, operation: operation.rawValue)
        case .native(let object):
            guard let tensorObject = object as? TensorObject else { return nil }
            otherTensor = tensorObject.tensor
        default: return nil
        }
        let (left, right) = side == .left ? (tensor, otherTensor) : (otherTensor, tensor)
        return context.wrap(try TensorConversion.apply(operation, left, right))
    }

    func unaryOperation(_ operation: UnaryOperator) throws -> Value? {
        switch operation {
        case .negate: return context.wrap(try tensor.negated())
        case .not: return context.wrap(try tensor.logicalNot())
        }
    }

    func isTruthy() throws -> Bool {
        guard tensor.count == 1 else {
            throw LanguageError("the truth value of a tensor with \(tensor.count) elements is ambiguous; "
                                + "use .any() or .all()")
        }
        return try tensor.item() != 0
    }

    func makeIterator() throws -> (() throws -> Value?)? {
        let value = tensor
        guard value.rank > 0 else { throw LanguageError("cannot iterate over a 0-d tensor") }
        var position = 0
        return { [context] in
            guard position < value.shape[0] else { return nil }
            defer { position += 1 }
            let row = try value.selecting(position, axis: 0)
            return row.rank == 0 ? TensorConversion.scalarValue(row) : context.wrap(row)
        }
    }

    func length() throws -> Int? {
        guard tensor.rank > 0 else { throw LanguageError("len() of a 0-d tensor") }
        return tensor.shape[0]
    }
}

extension BindingContext {
    /// A tensor as a script value.
    func wrap(_ tensor: Tensor) -> Value { .native(TensorObject(tensor, context: self)) }
}
