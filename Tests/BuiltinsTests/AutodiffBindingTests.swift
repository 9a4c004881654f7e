import Builtins
import Language
import Testing

/// `grad` from a host's point of view: random `.bm` programs over every differentiable operation, differentiated by
/// the script's `grad` and by central finite differences computed here (float64, ranks 0–4, size-1 axes); the
/// structure and dtype of gradients; and the refusals that keep a gradient from being silently wrong.
@Suite struct AutodiffBindingTests {
    func interpreter() throws -> Interpreter {
        let interpreter = try Interpreter()
        Builtins.install(into: interpreter)
        return interpreter
    }

    /// SplitMix64: a seeded source, so that every program and input is the same on every run.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        /// Uniform in [-1, 1), rounded to 1/64 so that the script literal is exact.
        mutating func value() -> Double { Double(below(128)) / 64 - 1 }
        mutating func pick(_ choices: [String]) -> String { choices[below(choices.count)] }
    }

    /// A random expression of `shape` in `x` (the input), `w0` (a constant of that shape) and numbers: smooth
    /// elementwise functions, arithmetic between subexpressions, reductions broadcast back, movements that restore
    /// the shape, softmax and log_softmax, where, maximum, concat and stack. Kinks (abs, relu, clip) are left to the
    /// golden scripts, where inputs are chosen away from them.
    static func expression(shape: [Int], depth: Int, _ generator: inout Generator) -> String {
        if depth == 0 { return generator.pick(["x", "x", "x", "(x * w0)", "(x - 0.25)"]) }
        let rank = shape.count
        let axis = rank > 0 ? generator.below(rank) - (generator.below(2) == 0 ? 0 : rank) : 0
        var forms = ["tanh", "sigmoid", "global tanh", "exp", "sqrt", "log", "gelu", "negate", "square", "add",
                     "subtract", "multiply", "divide", "maximum", "where", "affine", "number minus", "stack",
                     "reshape"]
        if rank > 0 {
            forms += ["center", "sum", "max", "softmax", "log_softmax", "transpose", "reverse", "flip"]
            if shape[(axis + rank) % rank] > 1 { forms.append("standardize") }
            if shape[rank - 1] > 1 { forms.append("concat") }
        }
        let form = generator.pick(forms)
        let e = expression(shape: shape, depth: depth - 1, &generator)
        let f = expression(shape: shape, depth: depth - 1, &generator)
        switch form {
        case "tanh": return "\(e).tanh()"
        case "sigmoid": return "\(e).sigmoid()"
        case "global tanh": return "tanh(\(e))"
        case "exp": return "\(e).tanh().exp()"
        case "sqrt": return "sqrt(\(e) * \(e) + 1)"
        case "log": return "(\(e) * \(e) + 1).log()"
        case "gelu": return "\(e).gelu()"
        case "negate": return "(-\(e))"
        case "square": return "(\(e) ** 2)"
        case "add": return "(\(e) + \(f))"
        case "subtract": return "(\(e) - \(f))"
        case "multiply": return "(\(e) * \(f))"
        case "divide": return "(\(e) / (\(f) * \(f) + 1))"
        case "maximum": return "maximum(\(e), \(f) + 0.1)"
        case "where": return "where(w0 > 0, \(e), \(f))"
        case "affine": return "(\(e) * 2.5 - 1)"
        case "number minus": return "(3 - \(e))"
        case "stack": return "stack([\(e), \(f)]).sum(axis=0)"
        case "reshape": return "\(e).reshape([-1]).reshape(\(shape))"
        case "center": return "(\(e) - \(e).mean(axis=\(axis), keepdims=true))"
        case "sum": return "(\(e) * \(f).sum(axis=\(axis), keepdims=true))"
        case "max": return "(\(e) + \(f).max(axis=\(axis), keepdims=true))"
        case "softmax": return "\(e).softmax(axis=\(axis))"
        case "log_softmax": return "\(e).log_softmax(axis=\(axis))"
        case "transpose": return "\(e).T.T"
        case "reverse": return "\(e)[::-1]"
        case "flip": return "\(e).flip(\(axis))"
        case "standardize":
            // Plus w0, so that the values along the axis differ: √ has no derivative at a zero variance.
            return "((\(e) + w0) / ((\(e) + w0).std(axis=\(axis), keepdims=true) + 1))"
        default: return "concat([\(e)[..., 0:1], \(e)[..., 1:]], axis=-1)"
        }
    }

    /// A scalar loss of a random expression.
    static func program(shape: [Int], _ generator: inout Generator) -> String {
        let body = expression(shape: shape, depth: 3, &generator)
        var reducers = ["\(body).sum()", "\(body).mean()", "\(body).logsumexp()", "(\(body) * w1).sum()",
                        "\(body).max()"]
        if shape.count == 2 { reducers.append("(\(body) @ \(body).T).sum()") }
        return generator.pick(reducers)
    }

    static let shapes: [[Int]] = [[], [1], [4], [2, 3], [3, 1], [1, 2, 3], [2, 1, 2, 2]]

    @Test(arguments: shapes)
    func randomProgramsMatchFiniteDifferences(shape: [Int]) throws {
        var generator = Generator(state: UInt64(shape.reduce(17) { $0 * 31 + $1 }))
        let count = shape.reduce(1, *)
        var differentiated = 0
        for _ in 0..<20 {
            let bm = try interpreter()
            let source = Self.program(shape: shape, &generator)
            let constants = (0..<2).map { _ in (0..<count).map { _ in generator.value() } }
            try bm.run(source: """
                let w0 = tensor(\(constants[0])).reshape(\(shape))
                let w1 = tensor(\(constants[1])).reshape(\(shape))
                fn f(x) { \(source) }
                fn at(values) { f(tensor(values).reshape(\(shape))) }
                fn gradient(values) { grad(f, tensor(values).reshape(\(shape))).reshape(-1).tolist() }
                """, file: "program.bm")
            let point = (0..<count).map { _ in generator.value() * 1.5 }
            func list(_ values: [Double]) -> Value { .makeList(values.map { .number($0) }) }
            let gradientFunction = try #require(bm.global("gradient"))
            let gradientList = try #require(try bm.call(gradientFunction, [list(point)]).listValue)
            let analytic = try gradientList.elements.map { try #require($0.numberValue) }
            let step = 1e-5
            let at = try #require(bm.global("at"))
            let numeric = try (0..<count).map { index in
                var up = point, down = point
                up[index] += step
                down[index] -= step
                let upper = try #require(try bm.call(at, [list(up)]).numberValue)
                let lower = try #require(try bm.call(at, [list(down)]).numberValue)
                return (upper - lower) / (2 * step)
            }
            #expect(analytic.count == count, "\(source)")
            let scale = 1 + (numeric.map(abs).max() ?? 0)
            for (a, n) in zip(analytic, numeric) {
                #expect(abs(a - n) <= 1e-6 * scale, "\(source) at \(point): grad \(analytic), differences \(numeric)")
            }
            if analytic.contains(where: { $0 != 0 }) { differentiated += 1 }
        }
        // The generator builds programs that depend on x: most gradients are nonzero.
        #expect(differentiated >= 15)
    }

    /// The same random programs in float32 (input and constants): the gradient stays float32 through every
    /// operation (numbers are weak scalars) and agrees with the float64 gradient to float32 precision.
    @Test(arguments: shapes)
    func float32ProgramsStayFloat32(shape: [Int]) throws {
        var generator = Generator(state: UInt64(shape.reduce(29) { $0 * 37 + $1 }))
        let count = shape.reduce(1, *)
        for _ in 0..<10 {
            let source = Self.program(shape: shape, &generator)
            let constants = (0..<3).map { _ in (0..<count).map { _ in generator.value() } }
            var gradients: [[Double]] = []
            for dtype in ["float32", "float64"] {
                let bm = try interpreter()
                try bm.run(source: """
                    let w0 = tensor(\(constants[0]), dtype="\(dtype)").reshape(\(shape))
                    let w1 = tensor(\(constants[1]), dtype="\(dtype)").reshape(\(shape))
                    let point = tensor(\(constants[2]), dtype="\(dtype)").reshape(\(shape))
                    fn f(x) { \(source) }
                    let g = grad(f, point)
                    """, file: "program.bm")
                #expect(try bm.evaluate("g.dtype") == .string(dtype), "\(source)")
                gradients.append(try numbers(bm, "g.astype(\"float64\")"))
            }
            let scale = 1 + (gradients[1].map(abs).max() ?? 0)
            for (single, double) in zip(gradients[0], gradients[1]) {
                #expect(abs(single - double) <= 1e-4 * scale, "\(source): \(gradients[0]) vs \(gradients[1])")
            }
        }
    }

    /// The elements of a script expression's tensor, flattened.
    func numbers(_ bm: Interpreter, _ expression: String) throws -> [Double] {
        let value = try bm.evaluate("tensor(\(expression)).reshape(-1).tolist()")
        return try #require(value.listValue).elements.map { try #require($0.numberValue) }
    }

    @Test func gradientsKeepTheArgumentsStructureShapesAndDtypes() throws {
        let bm = try interpreter()
        try bm.run(source: """
            let p = {w: randn([3, 2], seed=1), layers: [randn([2], seed=2, dtype="float32"), 0.5], b: tensor(1.5)}
            fn loss(p, x) { ((x @ p.w) * p.layers[0].astype("float64") * p.layers[1] + p.b).tanh().sum() }
            let g = grad(loss, p, randn([4, 3], seed=3))
            """, file: "structure.bm")
        #expect(try bm.evaluate("g.keys()") == .makeList([.string("w"), .string("layers"), .string("b")]))
        #expect(try bm.evaluate("[g.w.shape, g.w.dtype, g.layers[0].dtype, type(g.layers[1]), g.b.shape]")
                == .makeList([.makeList([.number(3), .number(2)]), .string("float64"), .string("float32"),
                              .string("number"), .makeList([])]))
        // The original record is untouched: grad differentiates a traced copy.
        #expect(try bm.evaluate("type(p.layers[1])") == .string("number"))
        // The float32 gradient is the float64 one, rounded.
        let single = try numbers(bm, "g.layers[0].astype(\"float64\")")
        try bm.run(source: """
            let p64 = {w: p.w, layers: [p.layers[0].astype("float64"), 0.5], b: p.b}
            let g64 = grad(loss, p64, randn([4, 3], seed=3))
            """, file: "structure.bm")
        let double = try numbers(bm, "g64.layers[0]")
        for (a, b) in zip(single, double) { #expect(abs(a - b) <= 1e-5 * (1 + abs(b))) }
    }

    @Test func valueAndGradGivesTheValueAsANumber() throws {
        let bm = try interpreter()
        let result = try bm.evaluate("value_and_grad(x => (x ** 2).sum() / 2, tensor([1.0, -2.0, 3.0]))")
        let parts = try #require(result.listValue).elements
        #expect(parts.count == 2)
        #expect(parts[0] == .number(7))
        #expect(try numbers(bm, "value_and_grad(x => (x ** 2).sum() / 2, tensor([1.0, -2.0, 3.0]))[1]")
                == [1, -2, 3])
    }

    @Test(arguments: ["prod", "cumsum", "nansum", "nanmean"])
    func methodsWithoutARuleNameThemselves(name: String) throws {
        let bm = try interpreter()
        #expect(throws: (any Error).self) { try bm.evaluate("grad(x => x.\(name)().sum(), tensor([1.0, 2.0]))") }
        do {
            _ = try bm.evaluate("grad(x => x.\(name)().sum(), tensor([1.0, 2.0]))")
        } catch {
            #expect(String(describing: error).contains("grad: tensor.\(name) is not differentiable in bm yet"))
        }
    }

    @Test(arguments: ["spearman(x, x)", "linalg.det(x.reshape(1, 2) * ones([2, 1]))", "cdist(x.reshape(2, 1)).sum()",
                      "ranks(x).sum()", "linalg.svd(x.reshape(1, 2)).s.sum()"])
    func builtinsWithoutARuleRefuseTracedTensors(expression: String) throws {
        let bm = try interpreter()
        let name = String(expression.prefix { $0 != "(" })
        do {
            _ = try bm.evaluate("grad(x => \(expression), tensor([1.0, 2.0]))")
            Issue.record("\(expression) should be refused")
        } catch {
            #expect(String(describing: error).contains("grad: \(name) is not differentiable in bm yet"),
                    "\(error)")
        }
    }

    @Test func everyFunctionIsDocumented() throws {
        let bm = try interpreter()
        var printed = ""
        bm.output = { printed += $0 }
        for name in ["grad", "value_and_grad", "stop_gradient"] {
            printed = ""
            try bm.run(source: "help(\(name))", file: "help.bm")
            #expect(printed.contains("\(name)("))
            #expect(printed.split(separator: "\n").count >= 2)
        }
        printed = ""
        try bm.run(source: "help(\"gradients\")", file: "help.bm")
        #expect(printed.contains("log_softmax") && printed.contains("argmax"))
    }
}
