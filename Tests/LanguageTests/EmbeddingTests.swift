import Language
import Testing

/// A toy native type, as a host would bind one: a 2-D point with `.x`, `.y`, `+`, `*` by a number, `==`, unary `-`,
/// a method, indexing (`p[0]`), iteration, a length and a format spec.
/// Number text as the language prints it.
func numberText(_ value: Double) -> String { Value.number(value).description }

final class Point: NativeObject {
    var x: Double
    var y: Double
    init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    var typeName: String { "point" }
    var displayString: String { "point(\(numberText(x)), \(numberText(y)))" }
    var memberNames: [String] { ["x", "y", "norm", "scaled"] }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "x": return .number(x)
        case "y": return .number(y)
        default: return nil
        }
    }

    func setAttribute(_ name: String, to value: Value) throws -> Bool {
        guard name == "x" || name == "y" else { return false }
        guard case .number(let number) = value else { throw LanguageError("point.\(name) must be a number, got \(value.typeName)") }
        if name == "x" { x = number } else { y = number }
        return true
    }

    func callMethod(_ name: String, arguments: Arguments) throws -> Value? {
        switch name {
        case "norm": return .number((x * x + y * y).squareRoot())
        case "scaled":
            let factor = try arguments.number(0, "factor")
            return .native(Point(x * factor, y * factor))
        default: return nil
        }
    }

    func subscriptGet(_ indices: [Subscript]) throws -> Value {
        guard indices.count == 1, case .value(.number(let index)) = indices[0], index == 0 || index == 1 else {
            throw LanguageError("point index must be 0 or 1")
        }
        return .number(index == 0 ? x : y)
    }

    func subscriptSet(_ indices: [Subscript], to value: Value) throws {
        guard case .value(.number(let index)) = indices.first, case .number(let number) = value else {
            throw LanguageError("point[i] = number")
        }
        if index == 0 { x = number } else { y = number }
    }

    func binaryOperation(_ operation: BinaryOperator, other: Value, side: OperandSide) throws -> Value? {
        switch (operation, other) {
        case (.add, .native(let object)):
            guard let point = object as? Point else { return nil }
            return .native(Point(x + point.x, y + point.y))
        case (.multiply, .number(let factor)):
            return .native(Point(x * factor, y * factor))
        case (.subtract, .number(let number)):
            return side == .left ? .native(Point(x - number, y - number)) : .native(Point(number - x, number - y))
        case (.equal, .native(let object)):
            guard let point = object as? Point else { return .bool(false) }
            return .bool(point.x == x && point.y == y)
        default:
            return nil
        }
    }

    func unaryOperation(_ operation: UnaryOperator) throws -> Value? {
        operation == .negate ? .native(Point(-x, -y)) : nil
    }

    func isTruthy() throws -> Bool { x != 0 || y != 0 }

    func makeIterator() throws -> (() throws -> Value?)? {
        var index = 0
        return { [x, y] in
            defer { index += 1 }
            return index == 0 ? .number(x) : index == 1 ? .number(y) : nil
        }
    }

    func length() throws -> Int? { 2 }

    func format(spec: String) throws -> String? {
        "(\(cFormatted(x, spec)), \(cFormatted(y, spec)))"
    }

    private func cFormatted(_ value: Double, _ spec: String) -> String {
        // Good enough for the test: ".Nf" only.
        guard spec.hasPrefix("."), spec.hasSuffix("f"), let digits = Int(spec.dropFirst().dropLast()) else { return numberText(value) }
        var text = numberText((value * pow10(digits)).rounded() / pow10(digits))
        if !text.contains(".") { text += "." + String(repeating: "0", count: digits) }
        return text
    }
    private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 10 } }
}

func makePointInterpreter() throws -> (Interpreter, () -> String) {
    let interpreter = try Interpreter()
    var printed = ""
    interpreter.output = { printed += $0 }
    interpreter.define("point", signature: "point(x, y=0)", documentation: "A 2-D point.") { arguments in
        .native(Point(try arguments.number(0, "x"), try arguments.optionalNumber(1, "y") ?? 0))
    }
    interpreter.define("norm_of", signature: "norm_of(p)") { arguments in
        let point = try arguments.native(0, as: Point.self, "p", expected: "a point")
        return .number((point.x * point.x + point.y * point.y).squareRoot())
    }
    return (interpreter, { printed })
}

@Suite struct EmbeddingTests {
    @Test func nativeTypeAttributesOperatorsAndMethods() throws {
        let (interpreter, printed) = try makePointInterpreter()
        try interpreter.run(source: """
            let p = point(3, 4)
            let q = point(1, y=2)
            print(p, p.x, p.y, p.norm(), type(p))
            print(p + q, p * 2, p - 1, 10 - p, -p, p == point(3, 4), p == q, p != q)
            print(p[0], p[1], len(p), list(p), p.scaled(2).x, norm_of(q * 0))
            var r = point(0, 0)
            print(if r { "truthy" } else { "falsy" }, not r)
            r.x = 5
            r[1] = 6
            r.x += 1
            print(r, "{r:.2f}", "{p}")
            for coordinate in r { print(coordinate) }
            """, file: "points.bm")
        #expect(printed() == """
            point(3, 4) 3 4 5 point
            point(4, 6) point(6, 8) point(2, 3) point(7, 6) point(-3, -4) true false true
            3 4 2 [3, 4] 6 0
            falsy true
            point(6, 6) (6.00, 6.00) point(3, 4)
            6
            6

            """)
    }

    @Test func hostErrorsGetTheScriptLocation() throws {
        let (interpreter, _) = try makePointInterpreter()
        struct EngineError: Error, CustomStringConvertible {
            var description: String { "matmul: [3, 4] @ [5, 2]: inner dimensions 4 and 5 differ" }
        }
        interpreter.define("engine", signature: "engine()") { _ in throw EngineError() }
        let cases: [(String, String)] = [
            ("engine()", "e.bm:1:1: error: matmul: [3, 4] @ [5, 2]: inner dimensions 4 and 5 differ"),
            ("point(\"a\")", "e.bm:1:1: error: point: argument 1 (x) must be a number, got string"),
            ("norm_of(3)", "e.bm:1:1: error: norm_of: argument 1 (p) must be a point, got number"),
            ("point()", "e.bm:1:1: error: point: expected 1 to 2 arguments, got 0"),
            ("point(1, z=2)", "e.bm:1:1: error: point: unknown keyword argument 'z'"),
            ("point(1).z", "e.bm:1:10: error: point has no attribute or method 'z' (available: norm, scaled, x, y)"),
            ("point(1) @ point(2)", "e.bm:1:10: error: unsupported operand types for '@': point and point"),
            ("point(1)[5]", "e.bm:1:9: error: point index must be 0 or 1"),
            ("point(1).x = \"s\"", "e.bm:1:1: error: point.x must be a number, got string"),
            ("point(1).w = 1", "e.bm:1:1: error: cannot set attribute 'w' of point"),
        ]
        for (source, expected) in cases {
            do {
                try interpreter.run(source: source, file: "e.bm")
                Issue.record("no error for \(source)")
            } catch let error as ScriptError {
                #expect(String(describing: error).split(separator: "\n").first.map(String.init) == expected, "\(source)")
            }
        }
        do {
            try interpreter.run(source: "engine()", file: "e.bm")
        } catch let error as ScriptError {
            #expect(error.underlying is EngineError)
            #expect(error.kind == "host")
        }
    }

    @Test func runEvaluateGlobalsAndCallbacks() throws {
        let (interpreter, printed) = try makePointInterpreter()
        interpreter.setGlobal("threshold", .number(2.5))
        try interpreter.run(source: "fn double(x) { x * 2 }\nlet names = [\"a\", \"b\"]")
        #expect(try interpreter.evaluate("double(threshold)").numberValue == 5)
        #expect(interpreter.global("names")?.listValue?.elements.map(\.stringValue) == ["a", "b"])
        #expect(interpreter.global("nonexistent") == nil)
        let double = try #require(interpreter.global("double"))
        #expect(try interpreter.call(double, [.number(21)]).numberValue == 42)
        interpreter.define("apply_twice", signature: "apply_twice(f, x)") { arguments in
            let function = try arguments.function(0, "f")
            return try arguments.call(function, [try arguments.call(function, [try arguments.value(1)])])
        }
        #expect(try interpreter.evaluate("apply_twice(x => x + 1, 1)").numberValue == 3)
        #expect(try interpreter.evaluate("apply_twice(double, 5)").numberValue == 20)
        let closure = try interpreter.evaluate("if true { let a = 7; () => a } else { nil }")
        #expect(try interpreter.call(closure, []) == .number(7))
        // A script value built by the host.
        interpreter.setGlobal("config", .makeRecord(["name": .string("V1"), "sizes": .makeList([.number(1), .number(2)])]))
        try interpreter.run(source: "print(config.name, config.sizes[1])")
        #expect(printed() == "V1 2\n")
        let record = try interpreter.evaluate("{a: 1, b: [true, nil]}")
        #expect(record.recordValue?.keys == ["a", "b"])
        #expect(record == .makeRecord(["a": .number(1), "b": .makeList([.bool(true), .nil])]))
        #expect(record.description == "{a: 1, b: [true, nil]}")
    }

    @Test func nativeModulesImportAndGlobal() throws {
        let (interpreter, printed) = try makePointInterpreter()
        let solve = interpreter.makeFunction("solve", signature: "solve(a, b)", documentation: "Solves a x = b.") { arguments in
            .number(try arguments.number(1, "b") / arguments.number(0, "a"))
        }
        interpreter.registerModule("linalg", [("solve", solve), ("version", .string("1.0"))],
                                   documentation: "Linear algebra.", global: false)
        interpreter.registerModule("h5", [("open", solve)], global: true)
        try interpreter.run(source: """
            import linalg
            print(linalg.solve(2, 8), linalg.version, type(h5))
            help(linalg.solve)
            help("linalg")
            """)
        #expect(printed() == "4 1.0 record\nsolve(a, b)\nSolves a x = b.\nLinear algebra.\n")
    }

    @Test func helpListsModulesTopicsAndFunctions() throws {
        let interpreter = try Interpreter(searchPaths: [ScriptFiles.root + "/language/lib"])
        var printed = ""
        interpreter.output = { printed += $0 }
        interpreter.registerModule("linalg", [], documentation: "Linear algebra.")
        try interpreter.run(source: "help()\nhelp(\"records\")\nhelp(\"sorted\")\nhelp(map)")
        let lines = printed.split(separator: "\n").map(String.init)
        #expect(lines.contains("modules: broken, cycle_a, cycle_b, geometry, greetings, linalg"))
        #expect(lines.contains("topics: errors, linalg, lists, modules, records, strings, syntax, values"))
        #expect(lines.contains { $0.hasPrefix("functions: ") && $0.contains("sorted") && $0.contains("map") })
        #expect(lines.contains("sorted(xs, key=nil, reverse=false)"))
        #expect(lines.contains("map(xs, f)"))
        #expect(lines.contains { $0.hasPrefix("A new list with f(x) for each element x of xs") })
        #expect(lines.contains { $0.hasPrefix("r.key, r[\"key\"], r.key = v") })
    }

    @Test func errorsThrowScriptErrorWithDiagnostics() throws {
        let interpreter = try Interpreter()
        #expect(throws: ScriptError.self) { try interpreter.evaluate("1 +") }
        do {
            try interpreter.run(source: "let a = (\nlet b = ]", file: "bad.bm")
        } catch let error as ScriptError {
            #expect(error.kind == "syntax")
            #expect(error.diagnostics.count >= 1)
            #expect(error.location?.file.name == "bad.bm")
        }
    }

    @Test func stepLimitStopsRunawayLoopsAndCannotBeCaught() throws {
        let interpreter = try Interpreter()
        interpreter.stepLimit = 10_000
        do {
            try interpreter.run(source: "while true { try { while true {} } catch e { } }", file: "loop.bm")
            Issue.record("the loop finished")
        } catch let error as ScriptError {
            #expect(error.message == "execution budget exhausted (step limit 10000)")
        }
        interpreter.stepLimit = nil
        #expect(try interpreter.evaluate("sum(range(20000))").numberValue == 199_990_000)
    }
}
