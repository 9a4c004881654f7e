import Autodiff
import Language
import Tensors

/// The methods of a traced tensor. Every name is a method of `tensor` (`TensorMethods.table`), with the same
/// signature, documentation and argument checks, and falls in one of three groups:
/// - differentiable: recorded on the Autodiff variable (`sum`, `exp`, `reshape`, `softmax`, …);
/// - value-only: their result carries no gradient (bools, indices, or a function that is flat almost everywhere),
///   so the plain method runs on the value: `argmax`, `isnan`, `floor`, `sign`…, as JAX does;
/// - the rest throw `grad: tensor.name is not differentiable in bm yet`, so that no gradient is silently wrong; a
///   method added to `tensor` later lands here until someone gives it a rule.
enum TracedMethods {
    typealias Body = @Sendable (TracedTensor, Arguments) throws -> Value

    /// `receiver.name` as a bound function value, or nil when tensors have no such method.
    static func method(_ name: String, of receiver: TracedTensor) -> Value? {
        guard let plain = TensorMethods.table[name] else { return nil }
        let context = receiver.context
        let body: (Arguments) throws -> Value
        if let traced = differentiable[name] ?? concretizing[name] {
            body = { arguments in try traced(receiver, arguments) }
        } else if valueOnly.contains(name) {
            body = { arguments in try plain.body(receiver.value, arguments, context) }
        } else {
            body = { _ in throw TracedTensor.notDifferentiable("tensor.\(name)") }
        }
        return context.function("tensor.\(name)", plain.signature, plain.documentation, body)
    }

    /// Methods whose result has no gradient to pass on.
    static let valueOnly: Set<String> = ["argmax", "argmin", "any", "all", "isnan", "isfinite", "summary", "sign",
                                         "floor", "ceil", "round"]

    static let differentiable: [String: Body] = {
        var table: [String: Body] = [:]
        let math: [(String, @Sendable (Variable) throws -> Variable)] = [
            ("sqrt", { try $0.sqrt() }), ("exp", { try $0.exp() }), ("log", { try $0.log() }),
            ("log1p", { try $0.log1p() }), ("tanh", { try $0.tanh() }), ("sigmoid", { try $0.sigmoid() }),
            ("erf", { try $0.erf() }), ("gelu", { try $0.gelu() }), ("square", { try $0.square() }),
            ("abs", { try $0.abs() }), ("relu", { try $0.relu() }),
        ]
        for (name, function) in math {
            table[name] = { receiver, _ in receiver.wrap(try function(receiver.variable)) }
        }
        let reductions: [(String, @Sendable (Variable, [Int]?, Bool) throws -> Variable)] = [
            ("sum", { try $0.sum(axes: $1, keepDims: $2) }), ("mean", { try $0.mean(axes: $1, keepDims: $2) }),
            ("max", { try $0.max(axes: $1, keepDims: $2) }), ("min", { try $0.min(axes: $1, keepDims: $2) }),
            ("logsumexp", { try $0.logsumexp(axes: $1, keepDims: $2) }),
        ]
        for (name, reduce) in reductions {
            table[name] = { receiver, arguments in
                let axes = try TensorConversion.axes(arguments.optional(0, "axis"), operation: "tensor.\(name)")
                let keepDims = try arguments.optionalBool(1, "keepdims") ?? false
                // A 0-d tensor even over all axes (a number would lose the gradient).
                return receiver.wrap(try reduce(receiver.variable, axes, keepDims))
            }
        }
        for name in ["var", "std"] {
            table[name] = { receiver, arguments in
                let axes = try TensorConversion.axes(arguments.optional(0, "axis"), operation: "tensor.\(name)")
                let ddof = try arguments.optionalInteger(1, "ddof") ?? 0
                let keepDims = try arguments.optionalBool(2, "keepdims") ?? false
                let variable = receiver.variable
                return receiver.wrap(name == "var" ? try variable.variance(axes: axes, ddof: ddof, keepDims: keepDims)
                                     : try variable.standardDeviation(axes: axes, ddof: ddof, keepDims: keepDims))
            }
        }
        table.merge(shapeMethods) { first, _ in first }
        table.merge(valueMethods) { first, _ in first }
        return table
    }()

    static let shapeMethods: [String: Body] = [
        "reshape": { receiver, arguments in
            receiver.wrap(try receiver.variable.reshaped(try TensorMethods.shapeArguments(arguments, "shape")))
        },
        "flatten": { receiver, _ in receiver.wrap(try receiver.variable.flattened()) },
        "transpose": { receiver, arguments in
            let variable = receiver.variable
            if arguments.count == 0 { return receiver.wrap(try variable.transposed()) }
            return receiver.wrap(try variable.permuted(try TensorMethods.shapeArguments(arguments, "axes")))
        },
        "squeeze": { receiver, arguments in
            let axes = try TensorConversion.axes(arguments.optional(0, "axis"), operation: "tensor.squeeze")
            return receiver.wrap(try receiver.variable.squeezed(axes: axes))
        },
        "unsqueeze": { receiver, arguments in
            receiver.wrap(try receiver.variable.unsqueezed(axis: try arguments.integer(0, "axis")))
        },
        "flip": { receiver, arguments in
            let variable = receiver.variable
            let axes = try Shapes.normalizeAxes(
                try TensorConversion.axes(arguments.optional(0, "axis"), operation: "tensor.flip"),
                rank: variable.rank, operation: "tensor.flip")
            // Reversal as a read with step -1, so that the gradient is scattered back by the indexing rule.
            let indices = (0..<variable.rank).map { axes.contains($0) ? TensorIndex.slice(start: nil, stop: nil, step: -1)
                                                                        : TensorIndex.all }
            return receiver.wrap(try variable.get(indices))
        },
        "softmax": { receiver, arguments in
            receiver.wrap(try receiver.variable.softmax(axis: try arguments.optionalInteger(0, "axis") ?? -1))
        },
        "log_softmax": { receiver, arguments in
            receiver.wrap(try receiver.variable.logSoftmax(axis: try arguments.optionalInteger(0, "axis") ?? -1))
        },
        "clip": { receiver, arguments in
            receiver.wrap(try receiver.variable.clipped(min: try arguments.optionalNumber(0, "min"),
                                                        max: try arguments.optionalNumber(1, "max")))
        },
        "copy": { receiver, _ in .native(receiver) },
    ]

    static let valueMethods: [String: Body] = [
        "astype": { receiver, arguments in
            let target = try TensorConversion.dtype(try arguments.string(0, "dtype"), operation: "tensor.astype")
            let variable = receiver.variable
            switch (variable.dtype, target) {
            case (let source, let target) where source == target:
                return .native(receiver)
            case (.float32, .float64):
                // Promotion against a float64 zero: the gradient is cast back to float32 by the backward pass.
                return receiver.wrap(try variable + Variable(try Tensor.zeros([], dtype: .float64)))
            case (_, .int64), (_, .bool):
                // Integers and bools carry no gradient: a plain tensor, as a comparison gives.
                return receiver.context.wrap(variable.value.astype(target))
            default:
                throw TracedTensor.notDifferentiable("tensor.astype(\"\(target)\") of a \(variable.dtype) tensor")
            }
        },
    ]

    /// Methods that would turn the value into numbers: refused, with the way to read the value.
    static let concretizing: [String: Body] = [
        "item": { _, _ in throw concretization("tensor.item") },
        "tolist": { _, _ in throw concretization("tensor.tolist") },
    ]

    /// The error for turning a traced tensor into numbers, which would cut the gradient without a trace.
    static func concretization(_ operation: String) -> LanguageError {
        LanguageError("grad: \(operation) would turn a traced tensor into numbers and lose its gradient; use "
                      + "stop_gradient(x).\(operation.split(separator: ".").last ?? "")() to read the value")
    }
}
