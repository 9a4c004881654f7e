@testable import Language
import Testing

/// SplitMix64: a small seeded generator so every run feeds the same programs.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random and mutated programs must never crash the interpreter: each either runs or fails with a `ScriptError`,
/// and afterwards the interpreter is clean (empty value stack, depth 0, normal control flow) and still works.
@Suite struct FuzzTests {
    static let fragments = [
        "let", "var", "fn", "if", "else", "while", "for", "in", "return", "break", "continue", "try", "catch", "import",
        "and", "or", "not", "true", "false", "nil", "x", "y", "f", "xs", "print", "len", "range", "map", "error",
        "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "=>", "|>", "...", "+", "-", "*", "/", "%", "**", "@",
        "=", "+=", "-=", "==", "!=", "<", "<=", ">", ">=", "\n", " ", "0", "1", "2.5", "-1", "1e308", "\"s\"",
        "\"{x}\"", "\"{1:.2f}\"", "{a: 1}", "[1, 2]", "x => x", "(a, b) => a", "xs[0]", "xs[1:]", "f(x)", "f(k=1)",
        "fn f(x) { f(x) }", "while true {", "## doc\n", "# comment\n", "'", "\"", "\\", "{{", "}}", "$",
    ]

    func corpus() -> [String] {
        var programs = ScriptFiles.languageScripts()
        programs.append("let xs = [1, 2, 3]\nfn f(x, k=2) { x * k }\nvar s = 0\nfor x in xs { s += f(x) }\nprint(s)")
        return programs
    }

    func mutate(_ program: String, _ generator: inout SeededGenerator) -> String {
        var characters = Array(program)
        let mutations = Int.random(in: 1...4, using: &generator)
        for _ in 0..<mutations where !characters.isEmpty {
            let position = Int.random(in: 0..<characters.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0:  // delete a run
                let end = min(characters.count, position + Int.random(in: 1...20, using: &generator))
                characters.removeSubrange(position..<end)
            case 1:  // insert a fragment
                characters.insert(contentsOf: Self.fragments.randomElement(using: &generator)!, at: position)
            case 2:  // duplicate a run
                let end = min(characters.count, position + Int.random(in: 1...40, using: &generator))
                characters.insert(contentsOf: characters[position..<end], at: position)
            case 3:  // replace one character
                characters[position] = Array("()[]{}\"'.,:;=+-*/<>\n#0x_ ").randomElement(using: &generator)!
            case 4:  // truncate
                characters.removeSubrange(position...)
            default:  // swap two runs
                let other = Int.random(in: 0..<characters.count, using: &generator)
                characters.swapAt(position, other)
            }
        }
        return String(characters)
    }

    func runChecked(_ source: String, _ interpreter: Interpreter) {
        do {
            try interpreter.run(source: source, file: "fuzz.bm")
        } catch let error as ScriptError {
            #expect(!error.description.isEmpty)
        } catch {
            Issue.record("not a ScriptError: \(error)\nprogram:\n\(source)")
        }
        let runtime = interpreter.runtime
        #expect(runtime.stackTop == runtime.stackBase, "value stack not restored after:\n\(source)")
        #expect(runtime.depth == 0 && runtime.flow == .normal, "state not restored after:\n\(source)")
    }

    func makeInterpreter() throws -> Interpreter {
        let interpreter = try Interpreter()
        interpreter.output = { _ in }
        interpreter.stepLimit = 20_000
        interpreter.maximumCallDepth = 500
        return interpreter
    }

    @Test(arguments: 0..<8)
    func mutatedProgramsNeverCrash(seed: Int) throws {
        var generator = SeededGenerator(state: UInt64(seed) &* 7919 &+ 17)
        let programs = corpus()
        let interpreter = try makeInterpreter()
        for _ in 0..<150 {
            let program = mutate(programs.randomElement(using: &generator)!, &generator)
            runChecked(program, interpreter)
        }
        #expect(try interpreter.evaluate("1 + 1") == .number(2))
    }

    @Test(arguments: 0..<4)
    func randomTokenSoupNeverCrashes(seed: Int) throws {
        var generator = SeededGenerator(state: UInt64(seed) &+ 1_000_003)
        let interpreter = try makeInterpreter()
        for _ in 0..<150 {
            let length = Int.random(in: 1...60, using: &generator)
            let program = (0..<length).map { _ in Self.fragments.randomElement(using: &generator)! }.joined(separator: " ")
            runChecked(program, interpreter)
        }
        #expect(try interpreter.evaluate("[1, 2] + [3]") == .makeList([.number(1), .number(2), .number(3)]))
    }

    @Test func deepNestingAndHugeInputsAreErrors() throws {
        let interpreter = try makeInterpreter()
        interpreter.maximumCallDepth = 10_000
        for source in [String(repeating: "[", count: 100_000), String(repeating: "(", count: 100_000) + "1",
                       String(repeating: "{", count: 100_000), String(repeating: "-", count: 100_000) + "1",
                       "let s = \"" + String(repeating: "a", count: 1_000_000) + "\"\nprint(len(s))",
                       String(repeating: "9", count: 100_000), "[" + String(repeating: "1, ", count: 100_000) + "1]"] {
            runChecked(source, interpreter)
        }
        // Data nested deeper than any parser limit, built at run time, still prints, compares and fails cleanly.
        runChecked("var x = []\nfor i in range(5000) { x = [x] }\nprint(str(x) != \"\", x == x)", interpreter)
        runChecked("fn f(n) { f(n + 1) }\nf(0)", interpreter)
        runChecked("\"ab\" * 1e12", interpreter)
        runChecked("list(range(1e12))", interpreter)
    }
}

@Suite struct RobustnessTests {
    @Test func cyclicAndDeepDataNeverCrash() {
        let (output, error) = runScript("""
            let a = [1]
            a.append(a)
            print(a == a, len(str(a)) > 0)
            try { print(a < a) } catch e { print(e.message) }
            var deep = []
            for i in range(200000) { deep = [deep] }
            print(type(deep))
            """)
        #expect(error == nil)
        #expect(output == "true true\ncomparison nested too deeply (a list containing itself?)\nlist\n")
    }
}
