@testable import Language
import Testing

/// The AST as an S-expression, to state structure and precedence compactly.
func render(_ expression: Expression) -> String {
    switch expression.kind {
    case .literal(let value):
        switch value {
        case .number(let number): return numberText(number)
        case .string(let text): return quote(text)
        case .bool(let flag): return flag ? "true" : "false"
        default: return "nil"
        }
    case .interpolation(let parts):
        return "(str " + parts.map { part -> String in
            switch part {
            case .literal(let text): return quote(text)
            case .expression(let inner, let spec): return render(inner) + (spec.map { ":" + $0 } ?? "")
            }
        }.joined(separator: " ") + ")"
    case .name(let name): return name
    case .list(let elements): return "[" + elements.map(render).joined(separator: " ") + "]"
    case .record(let fields): return "{" + fields.map { "\($0.key): \(render($0.value))" }.joined(separator: " ") + "}"
    case .unary(let operation, let operand): return "(\(operation.rawValue) \(render(operand)))"
    case .binary(let operation, let left, let right): return "(\(operation.rawValue) \(render(left)) \(render(right)))"
    case .and(let left, let right): return "(and \(render(left)) \(render(right)))"
    case .or(let left, let right): return "(or \(render(left)) \(render(right)))"
    case .contains(let element, let container, let negated):
        return "(\(negated ? "not in" : "in") \(render(element)) \(render(container)))"
    case .call(let callee, let arguments):
        return "(call \(render(callee))" + arguments.map { " " + ($0.name.map { "\($0)=" } ?? "") + render($0.value) }.joined() + ")"
    case .field(let object, let name): return "(. \(render(object)) \(name))"
    case .index(let object, let components):
        return "(index \(render(object))" + components.map { component -> String in
            switch component {
            case .value(let inner): return " " + render(inner)
            case .slice(let start, let stop, let step):
                return " " + [start, stop, step].map { $0.map(render) ?? "_" }.joined(separator: ":")
            case .ellipsis: return " ..."
            }
        }.joined() + ")"
    case .function(let declaration):
        return "(fn \(declaration.signature) \(declaration.body.statements.count))"
    case .ifElse(let condition, let then, let otherwise):
        return "(if \(render(condition)) \(then.statements.count) \(otherwise.map { String($0.statements.count) } ?? "-"))"
    case .block(let block): return "(block \(block.statements.count))"
    }
}

func parseExpression(_ source: String) -> String {
    let parser = Parser(source: source)
    guard let expression = parser.parseStandaloneExpression() else {
        return "error: " + parser.failures.map(\.message).joined(separator: "; ")
    }
    return render(expression)
}

@Suite struct ParserTests {
    @Test(arguments: [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("-2 ** 2", "(- (** 2 2))"),
        ("2 ** 3 ** 2", "(** 2 (** 3 2))"),
        ("2 ** -1", "(** 2 -1)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a @ b + c", "(+ (@ a b) c)"),
        ("a < b == c", "(== (< a b) c)"),
        ("not a == b", "(not (== a b))"),
        ("a and not b or c", "(or (and a (not b)) c)"),
        ("x in xs and y not in ys", "(and (in x xs) (not in y ys))"),
        ("a |> f", "(call f a)"),
        ("a |> f(b, k=1) |> g", "(call g (call f a b k=1))"),
        ("xs |> map(x => x * 2)", "(call map xs (fn <lambda>(x) 1))"),
        ("t.T[0, 1]", "(index (. t T) 0 1)"),
        ("t[:, 1:5]", "(index t _:_:_ 1:5:_)"),
        ("t[::2, ..., -1]", "(index t _:_:2 ... -1)"),
        ("t.sum().mean(axis=0)", "(call (. (call (. t sum)) mean) axis=0)"),
        ("f(a)(b)", "(call (call f a) b)"),
        ("(a, b=2) => a + b", "(fn <lambda>(a, b=2) 1)"),
        ("() => 1", "(fn <lambda>() 1)"),
        ("x => y => x + y", "(fn <lambda>(x) 1)"),
        ("if a { 1 } else if b { 2 } else { 3 }", "(if a 1 1)"),
        ("{a: 1, \"b c\": [1, 2]}", "{a: 1 b c: [1 2]}"),
        ("{}", "{}"),
        ("\"x={x:.2f}!\"", "(str \"x=\" x:.2f \"!\")"),
        ("fn(a) { a }", "(fn <lambda>(a) 1)"),
        ("[1,\n 2,\n]", "[1 2]"),
    ])
    func expressionStructure(source: String, expected: String) {
        #expect(parseExpression(source) == expected)
    }

    func parseProgram(_ source: String) -> (Program, [ParseFailure]) {
        let parser = Parser(source: source)
        let program = parser.parseProgram()
        return (program, parser.failures)
    }

    @Test func statementsOfEveryKind() {
        let (program, failures) = parseProgram("""
            let a, b = [1, 2]
            var c
            c += 1
            r.x = 2; xs[0] -= 1
            fn f(x, k=2) { return x * k }
            while c < 3 { c += 1; if c == 2 { continue } else { break } }
            for k, v in r { print(k) }
            try { error("e") } catch e { print(e.message) }
            import a.b as c
            import "file.bm" as m
            { let scoped = 1 }
            """)
        #expect(failures.isEmpty)
        let kinds = program.statements.map { statement -> String in
            switch statement.kind {
            case .declaration: return "declaration"
            case .assignment(_, let operation, _): return operation.map { "assign\($0.rawValue)" } ?? "assign"
            case .function: return "function"
            case .whileLoop: return "while"
            case .forLoop(let names, _, _): return "for\(names.count)"
            case .tryCatch: return "try"
            case .importModule(let target, let alias):
                if case .module(let components) = target { return "import \(components.joined(separator: ".")) as \(alias ?? "-")" }
                return "import file as \(alias ?? "-")"
            case .expression(let expression): return render(expression)
            default: return "other"
            }
        }
        #expect(kinds == ["declaration", "declaration", "assign+", "assign", "assign-", "function", "while", "for2", "try",
                          "import a.b as c", "import file as m", "(block 1)"])
    }

    @Test func parseErrorsAreAllReported() {
        let (_, failures) = parseProgram("let x = * 2\nlet y = (3 + )\nlet = 5\nfn f( {}\nprint(1)")
        #expect(failures.map(\.message) == [
            "expected an expression, found '*'",
            "expected an expression, found ')'",
            "expected a name after 'let', found '='",
            "expected a name as a parameter name, found '{'",
        ])
        #expect(failures.map(\.position.line) == [1, 2, 3, 4])
    }

    @Test func anUnclosedBracketDoesNotSwallowTheRestOfTheFile() {
        let (_, failures) = parseProgram("let a = (1 +\nlet b = [2,\nfn f() { 1 + }\nprint(\"ok\")")
        #expect(failures.map(\.position.line) == [2, 3])
        #expect(failures.map(\.message) == ["expected an expression, found 'let'", "expected an expression, found '}'"])
    }

    @Test(arguments: [
        ("x = ", "expected an expression, found end of file"),
        ("1 = 2", "cannot assign to this expression (only to a name, a field or an index)"),
        ("f(a=1, 2)", "a positional argument cannot follow a named one"),
        ("fn f(a, a) {}", "duplicate parameter 'a'"),
        ("fn f(a=1, b) {}", "parameter 'b' without a default follows one with a default"),
        ("let x", "'let x' needs a value: 'let x = …' (use 'var' for a variable set later)"),
        ("import \"f.bm\"", "importing a file needs a name: import \"f.bm\" as name"),
        ("x[]", "empty index '[]'"),
        ("a b", "expected end of statement (a new line or ';'), found 'b'"),
        ("while x { ", "expected '}' to close the block opened at line 1, found end of file"),
        ("\"{}\"", "empty '{}' in string interpolation (write '{{}}' for braces)"),
        ("+1", "unary '+' is not supported; write the number alone"),
    ])
    func syntaxErrorMessages(source: String, message: String) {
        let (_, failures) = parseProgram(source)
        #expect(failures.first?.message == message)
    }

    @Test func pathologicalNestingIsAnErrorNotACrash() {
        for opener in ["[", "(", "{a: ", "-", "not ", "x => ", "if x { "] {
            let source = String(repeating: opener, count: 100_000) + "1"
            let (_, failures) = parseProgram(source)
            #expect(failures.contains { $0.message.hasPrefix("nesting too deep") }, "opener \(opener)")
        }
    }

    @Test func hugeLiteralsAreErrorsOrNumbersNeverCrashes() {
        let digits = String(repeating: "9", count: 10_000)
        #expect(parseExpression(digits) == "inf")
        let (_, failures) = parseProgram("0x" + String(repeating: "F", count: 100))
        #expect(failures.first?.message.hasPrefix("malformed hexadecimal number") == true)
    }

    @Test func capturedNamesAreTracked() {
        let (program, _) = parseProgram("var n = 0\nfn f(a) { let g = () => a + n + b; g }\n")
        #expect(program.capturedNames.isSuperset(of: ["n", "b"]))
        guard case .function(let declaration) = program.statements[1].kind else {
            Issue.record("not a function")
            return
        }
        #expect(declaration.capturedNames.isSuperset(of: ["a", "n", "b"]))
    }
}
