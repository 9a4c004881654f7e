import Language
import Tensors

/// The argument `grad` differentiates with respect to: a tensor or a number, or lists and records of them nested to
/// any depth (JAX's "pytree"). It is flattened into leaves for the backward pass, and the gradient is rebuilt with
/// the same structure: a record of tensors gives a record with the same keys, in the same order, of tensors of the
/// same shapes and dtypes; a number gives a number.
struct ParameterTree {
    indirect enum Node {
        case tensor(Int)
        case number(Int)
        case list([Node])
        case record(keys: [String], values: [Node])
    }

    let root: Node
    /// The leaves' values, in the order of their indices in `root` (depth first, as written).
    let leaves: [Tensor]

    /// Nesting deeper than this is refused: it is a structure that holds itself, not a model's parameters.
    static let maximumDepth = 64

    /// Flattens `value`, naming parts in messages from `name` (`x`, `x.w`, `x[0]`).
    /// Throws for a tensor that is not float32/float64, for any leaf that is not a tensor or a number, and for
    /// nesting deeper than `maximumDepth`.
    init(_ value: Value, name: String, operation: String) throws {
        var leaves: [Tensor] = []
        func notALeaf(_ value: Value, _ path: String) -> LanguageError {
            LanguageError("\(operation): \(path) is a \(value.typeName); differentiate with respect to tensors and "
                          + "numbers (or lists and records of them) and pass other values as further arguments")
        }
        func flatten(_ value: Value, path: String, depth: Int) throws -> Node {
            guard depth <= Self.maximumDepth else {
                throw LanguageError("\(operation): \(path) is nested more than \(Self.maximumDepth) levels deep "
                                    + "(does it contain itself?)")
            }
            switch value {
            case .number(let number):
                leaves.append(Tensor(scalar: number))
                return .number(leaves.count - 1)
            case .list(let list):
                return .list(try list.elements.enumerated().map { index, element in
                    try flatten(element, path: "\(path)[\(index)]", depth: depth + 1)
                })
            case .record(let record):
                return .record(keys: record.keys, values: try zip(record.keys, record.values).map { key, element in
                    try flatten(element, path: "\(path).\(key)", depth: depth + 1)
                })
            case .native(let object):
                let tensor: Tensor
                if let plain = object as? TensorObject {
                    tensor = plain.tensor
                } else if let traced = object as? TracedTensor, !traced.isTraced {
                    tensor = traced.value
                } else {
                    throw notALeaf(value, path)
                }
                guard tensor.dtype.isFloatingPoint else {
                    throw LanguageError("\(operation): \(path) has dtype \(tensor.dtype); gradients are taken with "
                                        + "respect to float32 or float64 tensors (use \(path).astype(\"float64\"))")
                }
                leaves.append(tensor)
                return .tensor(leaves.count - 1)
            default:
                throw notALeaf(value, path)
            }
        }
        root = try flatten(value, path: name, depth: 0)
        self.leaves = leaves
    }

    /// The structure again, with leaf `i` replaced by `tensorLeaf(i)` or `numberLeaf(i)`; lists and records are new.
    func rebuild(tensorLeaf: (Int) throws -> Value, numberLeaf: (Int) throws -> Value) throws -> Value {
        func build(_ node: Node) throws -> Value {
            switch node {
            case .tensor(let index): return try tensorLeaf(index)
            case .number(let index): return try numberLeaf(index)
            case .list(let elements): return .makeList(try elements.map(build))
            case .record(let keys, let values): return .makeRecord(Array(zip(keys, try values.map(build))))
            }
        }
        return try build(root)
    }
}
