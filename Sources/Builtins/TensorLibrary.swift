import Language
import Tensors

/// Tensor creation and the elementwise functions, as global builtins.
enum TensorLibrary {
    static func install(_ context: BindingContext) {
        context.define("tensor", "tensor(data, dtype=nil)",
                       "A tensor from nested lists of numbers or bools (or a tensor): all whole numbers give int64, any "
                       + "fraction float64, bools bool, unless dtype is given. tensor([[1, 2], [3, 4]]).shape == [2, 2].") {
            arguments in
            let dtype = try arguments.optionalString(1, "dtype").map { try TensorConversion.dtype($0, operation: "tensor") }
            return context.wrap(try TensorConversion.tensor(from: arguments.value(0, "data"), operation: "tensor", dtype: dtype))
        }
        for (name, fill) in [("zeros", 0.0), ("ones", 1.0)] {
            context.define(name, "\(name)(shape, dtype=\"float64\")",
                           "A tensor of the given shape (a list of lengths) filled with \(Int(fill))s.") { arguments in
                context.wrap(try Tensor.full(try arguments.integers(0, "shape"), value: fill,
                                             dtype: try dtype(arguments, 1, default: .float64, name)))
            }
        }
        context.define("full", "full(shape, value, dtype=\"float64\")", "A tensor of the given shape filled with value.") {
            arguments in
            context.wrap(try Tensor.full(try arguments.integers(0, "shape"), value: try arguments.number(1, "value"),
                                         dtype: try dtype(arguments, 2, default: .float64, "full")))
        }
        context.define("arange", "arange(start, stop=nil, step=1, dtype=nil)",
                       "start, start + step, … below stop (numpy's arange); arange(n) is 0…n−1. int64 when all are "
                       + "whole numbers, else float64.") { arguments in
            let first = try arguments.number(0, "start")
            let stop = try arguments.optionalNumber(1, "stop")
            let step = try arguments.optionalNumber(2, "step") ?? 1
            let type = try arguments.optionalString(3, "dtype").map { try TensorConversion.dtype($0, operation: "arange") }
            return context.wrap(stop == nil ? try Tensor.arange(0, first, step: step, dtype: type)
                                            : try Tensor.arange(first, stop!, step: step, dtype: type))
        }
        context.define("linspace", "linspace(start, stop, num=50, endpoint=true)",
                       "num evenly spaced values from start to stop (inclusive unless endpoint=false).") { arguments in
            context.wrap(try Tensor.linspace(try arguments.number(0, "start"), try arguments.number(1, "stop"),
                                             count: try arguments.optionalInteger(2, "num") ?? 50,
                                             endpoint: try arguments.optionalBool(3, "endpoint") ?? true))
        }
        context.define("logspace", "logspace(start, stop, num=50, base=10)",
                       "base ** linspace(start, stop, num): e.g. logspace(-1, 6, 15) for ridge alphas.") { arguments in
            context.wrap(try Tensor.logspace(try arguments.number(0, "start"), try arguments.number(1, "stop"),
                                             count: try arguments.optionalInteger(2, "num") ?? 50,
                                             base: try arguments.optionalNumber(3, "base") ?? 10))
        }
        context.define("eye", "eye(n, m=nil, k=0)", "The n×m identity (ones on diagonal k).") { arguments in
            context.wrap(try Tensor.eye(try arguments.integer(0, "n"), try arguments.optionalInteger(1, "m"),
                                        k: try arguments.optionalInteger(2, "k") ?? 0))
        }
        installRandom(context)
        installJoining(context)
        installElementwise(context)
        context.interpreter.addHelpTopic("tensors", tensorTopic)
    }

    static let tensorTopic = """
        Tensors: N-d arrays of float32, float64, int64 or bool with numpy's broadcasting, promotion and indexing.
          create     tensor(data, dtype=nil), zeros, ones, full, arange, linspace, logspace, eye,
                     randn, rand, randint, permutation (seeded), concat, stack, where
          attributes t.shape, t.dtype, t.ndim, t.size, t.T
          methods    \(TensorMethods.table.keys.sorted().joined(separator: ", "))
          operators  + - * / % ** @ and comparisons, elementwise with broadcasting; a number is a weak scalar
          indexing   t[i], t[i, j], t[:, 1:5], t[::-1], t[nil], t[..., 0], t[mask], t[[0, 2]]; t[...] = value
        A reduction over all axes, or an index of every axis, gives a number. help(t.sum) documents a method;
        help("linalg") the linear algebra; help("figures") the figures.
        """

    static func dtype(_ arguments: Arguments, _ index: Int, default fallback: DType, _ operation: String) throws -> DType {
        try arguments.optionalString(index, "dtype").map { try TensorConversion.dtype($0, operation: operation) } ?? fallback
    }

    static func seed(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> UInt64 {
        let seed = try arguments.optionalInteger(index, "seed") ?? 0
        guard seed >= 0 else { throw LanguageError("\(operation): seed must be >= 0, got \(seed)") }
        return UInt64(seed)
    }

    static func installRandom(_ context: BindingContext) {
        context.define("randn", "randn(shape, seed=0, dtype=\"float64\")",
                       "Standard normal samples; the same seed gives the same numbers on every run and thread count.") {
            arguments in
            context.wrap(try Tensor.randomNormal(try arguments.integers(0, "shape"), seed: try seed(arguments, 1, "randn"),
                                                 dtype: try dtype(arguments, 2, default: .float64, "randn")))
        }
        context.define("rand", "rand(shape, seed=0, dtype=\"float64\")", "Uniform samples in [0, 1), seeded.") { arguments in
            context.wrap(try Tensor.randomUniform(try arguments.integers(0, "shape"), seed: try seed(arguments, 1, "rand"),
                                                  dtype: try dtype(arguments, 2, default: .float64, "rand")))
        }
        context.define("randint", "randint(low, high, shape, seed=0)", "Uniform int64 samples in [low, high), seeded.") {
            arguments in
            context.wrap(try Tensor.randomIntegers(try arguments.integers(2, "shape"),
                                                   low: Int64(try arguments.integer(0, "low")),
                                                   high: Int64(try arguments.integer(1, "high")),
                                                   seed: try seed(arguments, 3, "randint")))
        }
        context.define("permutation", "permutation(n, seed=0)", "A random permutation of 0…n−1 (int64), seeded.") {
            arguments in
            context.wrap(try Tensor.randomPermutation(try arguments.integer(0, "n"), seed: try seed(arguments, 1, "permutation")))
        }
    }

    static func tensors(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> [Tensor] {
        try arguments.elements(try arguments.value(index, "tensors")).map {
            try TensorConversion.tensor(from: $0, operation: operation)
        }
    }

    static func installJoining(_ context: BindingContext) {
        context.define("concat", "concat(tensors, axis=0)", "Joins tensors along an existing axis.",
                       traced: TracedFunctions.join("concat", context)) { arguments in
            context.wrap(try Tensor.concatenate(try tensors(arguments, 0, "concat"),
                                                axis: try arguments.optionalInteger(1, "axis") ?? 0))
        }
        context.define("stack", "stack(tensors, axis=0)", "Joins tensors of one shape along a new axis.",
                       traced: TracedFunctions.join("stack", context)) { arguments in
            context.wrap(try Tensor.stack(try tensors(arguments, 0, "stack"), axis: try arguments.optionalInteger(1, "axis") ?? 0))
        }
        context.define("where", "where(condition, a, b)", "condition ? a : b elementwise, with broadcasting.",
                       traced: TracedFunctions.select(context)) { arguments in
            let parts = try (0..<3).map { try TensorConversion.tensor(from: arguments.value($0), operation: "where") }
            return context.wrap(try Tensor.where(parts[0], parts[1], parts[2]))
        }
        context.define("matmul", "matmul(a, b)", "The matrix product a @ b (numpy's matmul rules, batched).",
                       traced: TracedFunctions.binary("matmul", context)) { arguments in
            context.wrap(try Tensor.matmul(try TensorConversion.tensor(from: arguments.value(0, "a"), operation: "matmul"),
                                           try TensorConversion.tensor(from: arguments.value(1, "b"), operation: "matmul")))
        }
        for (name, op) in [("maximum", ArithmeticOperator.maximum), ("minimum", .minimum)] {
            context.define(name, "\(name)(a, b)", "Elementwise \(name) with broadcasting; NaN wins.",
                           traced: TracedFunctions.binary(name, context)) { arguments in
                context.wrap(try Tensor.arithmetic(op, try TensorConversion.tensor(from: arguments.value(0, "a"), operation: name),
                                                   try TensorConversion.tensor(from: arguments.value(1, "b"), operation: name)))
            }
        }
        context.define("threads", "threads(n=nil)",
                       "The number of threads bm's kernels and BLAS use (BM_THREADS); threads(n) sets it.") { arguments in
            if let count = try arguments.optionalInteger(0, "n") { try Threads.set(count) }
            return .number(Double(Threads.count))
        }
    }

    /// `sqrt(t)`, `exp(t)`… on tensors; numbers keep the language's own functions.
    static func installElementwise(_ context: BindingContext) {
        let functions: [(String, MathFunction?)] = [("sqrt", .sqrt), ("exp", .exp), ("log", .log), ("floor", .floor),
                                                    ("ceil", .ceil), ("round", .round), ("abs", nil), ("tanh", .tanh)]
        for (name, function) in functions {
            let numeric = context.interpreter.global(name)
            context.define(name, "\(name)(x, *rest)",
                           "\(name) of a number (as the language defines it), or of each element of a tensor.",
                           traced: TracedFunctions.elementwise(name, context)) { arguments in
                let value = try arguments.value(0, "x")
                // A traced tensor whose grad call has returned is an ordinary tensor.
                guard case .native(let object) = value,
                      let tensor = (object as? TensorObject)?.tensor ?? (object as? TracedTensor)?.value else {
                    guard let numeric else { throw LanguageError("\(name): expected a tensor, got \(value.typeName)") }
                    return try arguments.call(numeric, arguments.positional, named: arguments.named)
                }
                guard arguments.count == 1 && arguments.named.isEmpty else {
                    throw LanguageError("\(name): a tensor takes no further arguments")
                }
                return context.wrap(try function.map { try tensor.apply($0) } ?? tensor.abs())
            }
        }
    }
}
