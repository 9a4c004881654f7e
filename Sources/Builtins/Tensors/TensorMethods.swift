import Language
import Tensors

/// The methods of `tensor` values, registered with their signatures: `t.sum(axis=0)`, `t.reshape([2, 3])`.
/// A reduction over all axes (no `axis`, no `keepdims`) gives a number, as the language promises.
enum TensorMethods {
    typealias Method = NativeMethod<Tensor>

    static let table: [String: Method] = {
        var table: [String: Method] = [:]
        for (name, function, documentation) in mathFunctions {
            table[name] = Method(signature: "\(name)()", documentation: documentation) { tensor, arguments, context in
                try wrap(context, try tensor.apply(function))
            }
        }
        for (name, reduce, documentation) in reductions {
            table[name] = Method(signature: "\(name)(axis=nil, keepdims=false)", documentation: documentation) {
                tensor, arguments, context in
                let axes = try TensorConversion.axes(arguments.optional(0, "axis"), operation: "tensor.\(name)")
                let keepDims = try arguments.optionalBool(1, "keepdims") ?? false
                return try reduced(context, try reduce(tensor, axes, keepDims), allAxes: axes == nil && !keepDims)
            }
        }
        for (name, isVariance) in [("var", true), ("std", false)] {
            let formula = isVariance ? "Σ(x − mean)² / (n − ddof)" : "√(Σ(x − mean)² / (n − ddof))"
            table[name] = Method(signature: "\(name)(axis=nil, ddof=0, keepdims=false)",
                                 documentation: "\(isVariance ? "Variance" : "Standard deviation") over axis: \(formula).") {
                tensor, arguments, context in
                let axes = try TensorConversion.axes(arguments.optional(0, "axis"), operation: "tensor.\(name)")
                let ddof = try arguments.optionalInteger(1, "ddof") ?? 0
                let keepDims = try arguments.optionalBool(2, "keepdims") ?? false
                let result = isVariance ? try tensor.variance(axes: axes, ddof: ddof, keepDims: keepDims)
                    : try tensor.standardDeviation(axes: axes, ddof: ddof, keepDims: keepDims)
                return try reduced(context, result, allAxes: axes == nil && !keepDims)
            }
        }
        for (name, largest) in [("argmax", true), ("argmin", false)] {
            table[name] = Method(signature: "\(name)(axis=nil)",
                                 documentation: "Index of the \(largest ? "largest" : "smallest") element along axis "
                                    + "(of the flattened tensor when axis is nil).") { tensor, arguments, context in
                let axis = try arguments.optionalInteger(0, "axis")
                let result = largest ? try tensor.argmax(axis: axis) : try tensor.argmin(axis: axis)
                return try reduced(context, result, allAxes: axis == nil)
            }
        }
        table.merge(shapeMethods) { first, _ in first }
        return table
    }()

    static let mathFunctions: [(String, MathFunction, String)] = [
        ("sqrt", .sqrt, "Square root of each element."), ("exp", .exp, "e^x for each element."),
        ("log", .log, "Natural logarithm of each element."), ("log1p", .log1p, "log(1 + x), accurate for small x."),
        ("tanh", .tanh, "Hyperbolic tangent of each element."),
        ("sigmoid", .sigmoid, "Logistic function 1 / (1 + e^(−x))."), ("erf", .erf, "Error function."),
        ("gelu", .gelu, "x·Φ(x), the exact GELU."), ("floor", .floor, "Largest integer ≤ x."),
        ("ceil", .ceil, "Smallest integer ≥ x."), ("round", .round, "Nearest integer, halves to even (numpy)."),
        ("square", .square, "x² for each element."),
    ]

    static let reductions: [(String, @Sendable (Tensor, [Int]?, Bool) throws -> Tensor, String)] = [
        ("sum", { try $0.sum(axes: $1, keepDims: $2) }, "Σ over axis (all axes when nil): a number, or a tensor."),
        ("mean", { try $0.mean(axes: $1, keepDims: $2) }, "Σx / n over axis."),
        ("prod", { try $0.prod(axes: $1, keepDims: $2) }, "Π over axis."),
        ("min", { try $0.min(axes: $1, keepDims: $2) }, "Smallest element over axis; NaN propagates."),
        ("max", { try $0.max(axes: $1, keepDims: $2) }, "Largest element over axis; NaN propagates."),
        ("any", { try $0.any(axes: $1, keepDims: $2) }, "True where any element over axis is nonzero."),
        ("all", { try $0.all(axes: $1, keepDims: $2) }, "True where every element over axis is nonzero."),
        ("nansum", { try $0.nanSum(axes: $1, keepDims: $2) }, "Σ over axis, ignoring NaN."),
        ("nanmean", { try $0.nanMean(axes: $1, keepDims: $2) }, "Mean over axis of the non-NaN elements."),
        ("logsumexp", { try $0.logsumexp(axes: $1, keepDims: $2) }, "log Σ exp(x) over axis, computed stably."),
    ]

    static let shapeMethods: [String: Method] = [
        "reshape": Method(signature: "reshape(*shape)",
                          documentation: "The same elements in a new shape (a list, or lengths as arguments; one may be -1).") {
            tensor, arguments, context in
            try wrap(context, tensor.reshaped(shapeArguments(arguments, "shape")))
        },
        "astype": Method(signature: "astype(dtype)", documentation: "A copy converted to dtype (float32, float64, int64, bool).") {
            tensor, arguments, context in
            try wrap(context, tensor.astype(TensorConversion.dtype(arguments.string(0, "dtype"), operation: "tensor.astype")))
        },
        "item": Method(signature: "item()", documentation: "The only element of a one-element tensor, as a number.") {
            tensor, _, _ in
            tensor.dtype == .bool ? .bool(try tensor.item() != 0) : .number(try tensor.item())
        },
        "tolist": Method(signature: "tolist()", documentation: "The elements as nested lists of numbers (bools for bool tensors).") {
            tensor, _, _ in nestedList(tensor)
        },
        "copy": Method(signature: "copy()", documentation: "A copy with storage of its own.") { tensor, arguments, context in
            try wrap(context, tensor.copy())
        },
        "flatten": Method(signature: "flatten()", documentation: "The elements as a 1-D tensor, in row-major order.") {
            tensor, arguments, context in try wrap(context, tensor.flattened())
        },
        "transpose": Method(signature: "transpose(*axes)",
                            documentation: "Axes reversed, or permuted as given: t.transpose(1, 0, 2).") { tensor, arguments, context in
            if arguments.count == 0 { return try wrap(context, tensor.transposed()) }
            return try wrap(context, tensor.permuted(shapeArguments(arguments, "axes")))
        },
        "squeeze": Method(signature: "squeeze(axis=nil)", documentation: "Removes axes of length 1 (all, or those given).") {
            tensor, arguments, context in
            try wrap(context, tensor.squeezed(axes: TensorConversion.axes(arguments.optional(0, "axis"), operation: "tensor.squeeze")))
        },
        "unsqueeze": Method(signature: "unsqueeze(axis)", documentation: "Inserts an axis of length 1 at axis (numpy's expand_dims).") {
            tensor, arguments, context in try wrap(context, tensor.unsqueezed(axis: arguments.integer(0, "axis")))
        },
        "flip": Method(signature: "flip(axis=nil)", documentation: "Reverses the order of elements along axis (all when nil).") {
            tensor, arguments, context in
            try wrap(context, tensor.flipped(axes: TensorConversion.axes(arguments.optional(0, "axis"), operation: "tensor.flip")))
        },
        "cumsum": Method(signature: "cumsum(axis=nil)", documentation: "Running sum along axis (of the flattened tensor when nil).") {
            tensor, arguments, context in try wrap(context, tensor.cumsum(axis: arguments.optionalInteger(0, "axis")))
        },
        "softmax": Method(signature: "softmax(axis=-1)", documentation: "exp(x − max) / Σ exp(x − max) along axis.") {
            tensor, arguments, context in try wrap(context, tensor.softmax(axis: arguments.optionalInteger(0, "axis") ?? -1))
        },
        "log_softmax": Method(signature: "log_softmax(axis=-1)",
                              documentation: "x − logsumexp(x) along axis: the log of softmax, computed stably.") {
            tensor, arguments, context in
            let axis = try arguments.optionalInteger(0, "axis") ?? -1
            return try wrap(context, tensor - tensor.logsumexp(axes: [axis], keepDims: true))
        },
        "relu": Method(signature: "relu()", documentation: "max(x, 0) for each element (NaN stays NaN).") {
            tensor, arguments, context in
            try wrap(context, Tensor.maximum(tensor, Tensor.weakScalar(0, partner: tensor.dtype)))
        },
        "abs": Method(signature: "abs()", documentation: "|x| for each element.") { tensor, arguments, context in
            try wrap(context, tensor.abs())
        },
        "sign": Method(signature: "sign()", documentation: "−1, 0 or 1 by the sign of each element.") { tensor, arguments, context in
            try wrap(context, tensor.sign())
        },
        "clip": Method(signature: "clip(min=nil, max=nil)", documentation: "Each element limited to [min, max].") {
            tensor, arguments, context in
            try wrap(context, tensor.clipped(min: arguments.optionalNumber(0, "min"), max: arguments.optionalNumber(1, "max")))
        },
        "isnan": Method(signature: "isnan()", documentation: "True where an element is NaN.") { tensor, arguments, context in
            try wrap(context, tensor.isNaN())
        },
        "isfinite": Method(signature: "isfinite()", documentation: "True where an element is finite.") { tensor, arguments, context in
            try wrap(context, tensor.isFinite())
        },
        "summary": Method(signature: "summary()", documentation: "A one-line description: dtype, shape, mean, std, min, max.") {
            tensor, _, _ in .string(tensor.summary)
        },
    ]

    static func wrap(_ context: BindingContext, _ tensor: Tensor) throws -> Value { context.wrap(tensor) }

    /// A shape or an axis order given as one list or as numbers: `reshape([2, 3])`, `reshape(2, 3)`.
    static func shapeArguments(_ arguments: Arguments, _ name: String) throws -> [Int] {
        arguments.count == 1 && arguments[0]?.listValue != nil
            ? try arguments.integers(0, name) : try (0..<arguments.count).map { try arguments.integer($0) }
    }

    /// A reduction's result: a number (or bool) when every axis was reduced, otherwise a tensor.
    static func reduced(_ context: BindingContext, _ tensor: Tensor, allAxes: Bool) throws -> Value {
        allAxes && tensor.rank == 0 ? TensorConversion.scalarValue(tensor) : context.wrap(tensor)
    }

    static func nestedList(_ tensor: Tensor) -> Value {
        let values = tensor.scalars(as: Double.self)
        let isBool = tensor.dtype == .bool
        func build(_ axis: Int, _ start: Int) -> Value {
            if axis == tensor.rank { return isBool ? .bool(values[start] != 0) : .number(values[start]) }
            let step = tensor.shape[(axis + 1)...].reduce(1, *)
            return .makeList((0..<tensor.shape[axis]).map { build(axis + 1, start + $0 * step) })
        }
        return build(0, 0)
    }
}
