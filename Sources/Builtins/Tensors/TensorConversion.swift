import Language
import Tensors

/// Conversions between script values and tensors, in one place.
enum TensorConversion {
    /// A tensor from a script value: a tensor itself, a number or bool (0-d), or nested lists of numbers/bools.
    /// bm's numbers are doubles (the language has no separate integer type), so numbers give float64 and bools
    /// bool, unless `dtype` says otherwise; lists of tensors are stacked.
    /// Throws naming `operation` for ragged lists or other element types.
    static func tensor(from value: Value, operation: String, dtype: DType? = nil) throws -> Tensor {
        let result: Tensor
        switch value {
        case .native(let object):
            if let tensorObject = object as? TensorObject {
                result = tensorObject.tensor
            } else if let traced = object as? TracedTensor {
                // The one check that keeps grad honest: a builtin without a gradient rule converts its arguments
                // here, so a traced tensor is refused rather than read as a constant (a silently wrong gradient).
                guard !traced.isTraced else { throw TracedTensor.notDifferentiable(operation) }
                result = traced.value
            } else if let next = try object.makeIterator() {
                // Any other iterable (a range, a host sequence) converts as the list of its elements.
                var elements: [Value] = []
                while let element = try next() { elements.append(element) }
                return try tensor(from: .makeList(elements), operation: operation, dtype: dtype)
            } else {
                throw LanguageError("\(operation): expected a tensor, a number or a list, got \(value.typeName)")
            }
        case .number(let number):
            result = Tensor(scalar: number)
        case .bool(let flag):
            result = Tensor(scalar: flag)
        case .list:
            var shape: [Int] = []
            var scalars: [Double] = []
            var sawNumber = false, sawBool = false
            try flatten(value, depth: 0, shape: &shape, into: &scalars, operation: operation,
                        sawNumber: &sawNumber, sawBool: &sawBool)
            guard !(sawNumber && sawBool) else {
                throw LanguageError("\(operation): a list mixes numbers and bools")
            }
            let inferred: DType = sawBool ? .bool : .float64
            result = try Tensor(shape: shape, scalars: scalars).astype(inferred)
        default:
            throw LanguageError("\(operation): expected a tensor, a number or a list, got \(value.typeName)")
        }
        if let dtype { return result.astype(dtype) }
        return result
    }

    private static func flatten(_ value: Value, depth: Int, shape: inout [Int], into scalars: inout [Double],
                                operation: String, sawNumber: inout Bool,
                                sawBool: inout Bool) throws {
        switch value {
        case .list(let list):
            guard depth < 32 else { throw LanguageError("\(operation): lists nested more than 32 deep") }
            if depth == shape.count {
                // An element already stored fixed the rank: a deeper list now is ragged.
                guard scalars.isEmpty else {
                    throw LanguageError("\(operation): ragged nested list (a list where a number was expected)")
                }
                shape.append(list.count)
            } else if depth > shape.count || shape[depth] != list.count {
                throw LanguageError("\(operation): ragged nested list (rows of different lengths at depth \(depth + 1))")
            }
            for element in list.elements {
                try flatten(element, depth: depth + 1, shape: &shape, into: &scalars, operation: operation,
                            sawNumber: &sawNumber, sawBool: &sawBool)
            }
        case .number(let number):
            guard depth == shape.count else {
                throw LanguageError("\(operation): ragged nested list (a number where a list was expected)")
            }
            sawNumber = true
            scalars.append(number)
        case .bool(let flag):
            guard depth == shape.count else {
                throw LanguageError("\(operation): ragged nested list (a bool where a list was expected)")
            }
            sawBool = true
            scalars.append(flag ? 1 : 0)
        case .native(let object):
            let tensor: Tensor?
            if let tensorObject = object as? TensorObject {
                tensor = tensorObject.tensor
            } else if let traced = object as? TracedTensor {
                guard !traced.isTraced else { throw TracedTensor.notDifferentiable(operation) }
                tensor = traced.value
            } else {
                tensor = nil
            }
            guard let inner = tensor, depth == shape.count || depth < shape.count else {
                throw LanguageError("\(operation): lists may hold numbers, bools or tensors, got \(value.typeName)")
            }
            // A list of tensors stacks them.
            if depth == shape.count { shape.append(contentsOf: inner.shape) }
            guard Array(shape[depth...]) == inner.shape else {
                throw LanguageError("\(operation): tensors in a list have different shapes")
            }
            if inner.dtype == .bool { sawBool = true } else { sawNumber = true }
            scalars.append(contentsOf: inner.scalars(as: Double.self))
        default:
            throw LanguageError("\(operation): lists may hold numbers, bools or tensors, got \(value.typeName)")
        }
    }

    /// A 0-d tensor as a number (or bool for bool tensors).
    static func scalarValue(_ tensor: Tensor) -> Value {
        let number = (try? tensor.item()) ?? .nan
        return tensor.dtype == .bool ? .bool(number != 0) : .number(number)
    }

    /// A script index component as the engine's `TensorIndex`.
    static func index(_ component: Subscript) throws -> TensorIndex {
        switch component {
        case .ellipsis:
            return .ellipsis
        case .slice(let start, let stop, let step):
            return .slice(start: try bound(start, "start"), stop: try bound(stop, "stop"), step: try bound(step, "step"))
        case .value(let value):
            switch value {
            case .nil: return .newAxis
            case .number(let number):
                guard let integer = exactInteger(number) else {
                    throw LanguageError("index: \(number) is not an integer")
                }
                return .index(integer)
            case .list, .native, .bool:
                var indices = try tensor(from: value, operation: "index")
                // A list (or range) of whole numbers indexes positions (numbers are doubles in the language).
                let isTensor: Bool
                if case .native(let object) = value { isTensor = object is TensorObject } else { isTensor = false }
                if !isTensor, indices.dtype == .float64,
                   indices.scalars(as: Double.self).allSatisfy({ $0 == $0.rounded() && abs($0) < 9e15 }) {
                    indices = indices.astype(.int64)
                }
                guard indices.dtype == .int64 || indices.dtype == .bool else {
                    throw LanguageError("index: an index list must hold integers or bools, got \(indices.dtype)")
                }
                return .array(indices)
            default:
                throw LanguageError("index: cannot index a tensor with a \(value.typeName)")
            }
        }
    }

    private static func bound(_ value: Value, _ name: String) throws -> Int? {
        switch value {
        case .nil: return nil
        case .number(let number):
            guard let integer = exactInteger(number) else {
                throw LanguageError("index: slice \(name) \(number) is not an integer")
            }
            return integer
        default:
            throw LanguageError("index: slice \(name) must be an integer, got \(value.typeName)")
        }
    }

    /// `left op right` for tensors: arithmetic, `@` and elementwise comparisons.
    static func apply(_ operation: BinaryOperator, _ left: Tensor, _ right: Tensor) throws -> Tensor {
        switch operation {
        case .add: return try left + right
        case .subtract: return try left - right
        case .multiply: return try left * right
        case .divide: return try left / right
        case .remainder: return try left % right
        case .power: return try left.pow(right)
        case .matrixMultiply: return try Tensor.matmul(left, right)
        case .equal: return try left .== right
        case .notEqual: return try left .!= right
        case .less: return try left .< right
        case .lessOrEqual: return try left .<= right
        case .greater: return try left .> right
        case .greaterOrEqual: return try left .>= right
        }
    }

    /// A dtype from its name, as scripts write it.
    static func dtype(_ name: String, operation: String) throws -> DType {
        let aliases: [String: DType] = ["float": .float64, "double": .float64, "int": .int64, "f32": .float32,
                                        "f64": .float64, "i64": .int64]
        guard let dtype = DType(rawValue: name) ?? aliases[name] else {
            throw LanguageError("\(operation): unknown dtype \"\(name)\" (use float32, float64, int64 or bool)")
        }
        return dtype
    }

    /// Axes from an `axis=` argument: nil (all), a number, or a list of numbers.
    static func axes(_ value: Value?, operation: String) throws -> [Int]? {
        guard let value, !value.isNil else { return nil }
        switch value {
        case .number(let number):
            guard let axis = exactInteger(number) else { throw LanguageError("\(operation): axis must be an integer") }
            return [axis]
        case .list(let list):
            return try list.elements.map { element in
                guard case .number(let number) = element, let axis = exactInteger(number) else {
                    throw LanguageError("\(operation): axis must be an integer or a list of integers")
                }
                return axis
            }
        default:
            throw LanguageError("\(operation): axis must be an integer or a list of integers, got \(value.typeName)")
        }
    }
}
