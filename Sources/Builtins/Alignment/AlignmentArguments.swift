import Alignment
import Language
import Tensors

/// Argument conversions shared by the alignment bindings, so every function spells its options and its messages the
/// same way (`ridge_cv: folds must be …`).
enum AlignmentArguments {
    /// A required tensor argument.
    static func tensor(_ arguments: Arguments, _ index: Int, _ name: String, _ operation: String) throws -> Tensor {
        try TensorConversion.tensor(from: arguments.value(index, name), operation: operation)
    }

    /// An optional tensor argument; nil when absent or nil.
    static func optionalTensor(_ arguments: Arguments, _ index: Int, _ name: String,
                               _ operation: String) throws -> Tensor? {
        guard let value = arguments.optional(index, name), !value.isNil else { return nil }
        return try TensorConversion.tensor(from: value, operation: operation)
    }

    /// A list of tensors (feature bands): a list whose elements are tensors or nested lists.
    static func tensors(_ arguments: Arguments, _ index: Int, _ name: String, _ operation: String) throws -> [Tensor] {
        let value = try arguments.value(index, name)
        guard let list = value.listValue else {
            throw LanguageError("\(operation): \(name) must be a list of tensors, got \(value.typeName)")
        }
        return try list.elements.map { try TensorConversion.tensor(from: $0, operation: operation) }
    }

    /// Penalties: a list or a 1-d tensor of numbers; the default grid `logspace(-1, 6, 15)` when absent.
    static func alphas(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> [Double] {
        guard let value = arguments.optional(index, "alphas"), !value.isNil else { return defaultRidgeAlphas }
        if case .number(let alpha) = value { return [alpha] }
        let tensor = try TensorConversion.tensor(from: value, operation: operation)
        guard tensor.rank == 1 else {
            throw LanguageError("\(operation): alphas must be a number or a 1-d list, got shape \(formatShape(tensor.shape))")
        }
        return tensor.astype(.float64).scalars(as: Double.self)
    }

    /// Whole numbers from a list or tensor (row indices, labels).
    static func integers(_ value: Value, _ name: String, _ operation: String) throws -> [Int] {
        let tensor = try TensorConversion.tensor(from: value, operation: operation)
        guard tensor.rank == 1 else {
            throw LanguageError("\(operation): \(name) must be a 1-d list of integers, got shape \(formatShape(tensor.shape))")
        }
        return try tensor.astype(.float64).scalars(as: Double.self).map { number in
            guard let integer = exactInteger(number) else {
                throw LanguageError("\(operation): \(name) must hold integers, got \(number)")
            }
            return integer
        }
    }

    /// The folds of a ridge fit: `folds=` a number (contiguous k-fold) or a list of validation-index lists, or
    /// `groups=` labels (leave-one-group-out), which wins when given.
    static func folds(_ arguments: Arguments, folds index: Int, groups groupIndex: Int,
                      _ operation: String) throws -> CrossValidation {
        if let groups = arguments.optional(groupIndex, "groups"), !groups.isNil {
            return .groups(try integers(groups, "groups", operation))
        }
        guard let value = arguments.optional(index, "folds"), !value.isNil else { return .kFold(5) }
        switch value {
        case .number(let number):
            guard let count = exactInteger(number) else {
                throw LanguageError("\(operation): folds must be a whole number, got \(number)")
            }
            return .kFold(count)
        case .list(let list):
            return .testIndices(try list.elements.enumerated().map { fold, element in
                guard element.listValue != nil || element.native(as: TensorObject.self) != nil else {
                    throw LanguageError("\(operation): folds must be a number or a list of index lists; fold \(fold) is a \(element.typeName)")
                }
                return try integers(element, "fold \(fold)", operation)
            })
        default:
            throw LanguageError("\(operation): folds must be a number or a list of index lists, got \(value.typeName)")
        }
    }

    /// Held-out rows of `encode`: nil (5 outer folds), a number of outer folds, a list of row indices, or a
    /// boolean mask.
    static func test(_ value: Value?, _ operation: String) throws -> EncodingTest {
        guard let value, !value.isNil else { return .crossValidated(folds: 5) }
        if case .number(let number) = value {
            guard let folds = exactInteger(number) else {
                throw LanguageError("\(operation): test must be a number of folds, row indices or a mask, got \(number)")
            }
            return .crossValidated(folds: folds)
        }
        let tensor = try TensorConversion.tensor(from: value, operation: operation)
        guard tensor.rank == 1 else {
            throw LanguageError("\(operation): test must be 1-d (row indices or a mask), got shape \(formatShape(tensor.shape))")
        }
        if tensor.dtype == .bool { return .mask(tensor.scalars(as: Bool.self)) }
        return .rows(try integers(value, "test", operation))
    }

    /// A seed: a non-negative whole number (default 0).
    static func seed(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> UInt64 {
        guard let seed = try arguments.optionalInteger(index, "seed") else { return 0 }
        guard seed >= 0 else { throw LanguageError("\(operation): seed must be >= 0, got \(seed)") }
        return UInt64(seed)
    }

    /// A named choice among `choices`, with a message listing them.
    static func choice<T>(_ name: String, _ argument: String, _ choices: [(String, T)], _ operation: String) throws -> T {
        guard let match = choices.first(where: { $0.0 == name }) else {
            let names = choices.map { "\"\($0.0)\"" }.joined(separator: ", ")
            throw LanguageError("\(operation): \(argument) must be one of \(names), got \"\(name)\"")
        }
        return match.1
    }

    static func alternative(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> Alternative {
        let name = try arguments.optionalString(index, "alternative") ?? "two-sided"
        return try choice(name, "alternative", Alternative.allCases.map { ($0.rawValue, $0) }, operation)
    }

    static func solver(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> RidgeSolver {
        let name = try arguments.optionalString(index, "solver") ?? "auto"
        return try choice(name, "solver", RidgeSolver.allCases.map { ($0.rawValue, $0) }, operation)
    }

    static func score(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> RidgeScore {
        try RidgeScore(named: try arguments.optionalString(index, "score") ?? "r2", operation: operation)
    }

    static func nanPolicy(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> NaNPolicy {
        let name = try arguments.optionalString(index, "nan") ?? "refuse"
        return try choice(name, "nan", [("refuse", NaNPolicy.refuse), ("omit", .omit)], operation)
    }
}

/// A result object of the alignment toolkit (fitted ridge model, GLM, PCA…): named read-only attributes and
/// methods, listed by `help(x)`.
final class AlignmentObject: NativeObject {
    let typeName: String
    private let attributes: [(String, Value)]
    private let methods: [(String, Value)]

    init(_ typeName: String, attributes: [(String, Value)], methods: [(String, Value)] = []) {
        self.typeName = typeName
        self.attributes = attributes
        self.methods = methods
    }

    var displayString: String {
        "<\(typeName): \((attributes.map(\.0) + methods.map { $0.0 + "()" }).joined(separator: ", "))>"
    }

    func attribute(_ name: String) throws -> Value? {
        attributes.first(where: { $0.0 == name })?.1 ?? methods.first(where: { $0.0 == name })?.1
    }

    var memberNames: [String] { attributes.map(\.0) + methods.map(\.0) }
}

extension TensorMethods {
    /// A Swift number array as a float64 tensor value.
    static func vector(_ context: BindingContext, _ values: [Double]) -> Value { context.wrap(Tensor(values)) }
}
