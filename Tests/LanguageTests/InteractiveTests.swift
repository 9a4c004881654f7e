import Foundation
import Language
import Testing

/// The API an interactive host uses: syntax checks, unfinished input, interruption, names for completion.
@Suite struct InteractiveTests {
    @Test(arguments: [("let x = [1,", true), ("fn f(x) {", true), ("f(1, (2", true), ("let x = 1", false),
                      ("}", false), ("print(\"{{\")", false), ("print(\"{\"", false), ("let r = {a: 1}", false)])
    func incompleteInput(source: String, incomplete: Bool) throws {
        #expect(try Interpreter().isIncomplete(source) == incomplete)
    }

    @Test func checkReportsEverySyntaxError() throws {
        let interpreter = try Interpreter()
        do {
            try interpreter.check(source: "let = 1\nprint(1 +)\nlet ok = 2\n", file: "bad.bm")
            Issue.record("expected syntax errors")
        } catch let error as ScriptError {
            #expect(error.kind == "syntax")
            #expect(error.diagnostics.count == 2)
            #expect(error.description.contains("bad.bm:1:"))
            #expect(error.description.contains("bad.bm:2:"))
        }
        try interpreter.check(source: "let fine = 1\n", file: "good.bm")
        #expect(interpreter.global("fine") == nil, "check must not run the code")
    }

    @Test func interruptStopsAnEndlessLoopAndKeepsVariables() throws {
        let interpreter = try Interpreter()
        try interpreter.run(source: "let kept = 42", file: "repl")
        let interrupt = interpreter.interrupt
        let requester = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            interrupt.request()
        }
        requester.start()
        do {
            try interpreter.run(source: "var n = 0\ntry { while true { n += 1 } } catch e { print(\"caught\") }",
                                file: "repl")
            Issue.record("the loop should have been interrupted")
        } catch let error as ScriptError {
            #expect(error.kind == "interrupt")
            #expect(error.message == "interrupted", "try/catch must not swallow an interrupt")
        }
        #expect(interpreter.global("kept") == .number(42))
        // A cleared interrupt does not stop the next command.
        interpreter.interrupt.clear()
        #expect(try interpreter.run(source: "kept + 1", file: "repl") == .number(43))
    }

    @Test func namesForCompletion() throws {
        let interpreter = try Interpreter()
        try interpreter.run(source: "let roi = {name: \"V1\", voxels: 120}\nfn helper() { 1 }", file: "repl")
        #expect(interpreter.mainNames == ["roi", "helper"])
        #expect(interpreter.visibleNames.contains("print") && interpreter.visibleNames.contains("roi"))
        let roi = try #require(interpreter.global("roi"))
        #expect(interpreter.memberNames(of: roi).starts(with: ["name", "voxels"]))
        #expect(interpreter.memberNames(of: roi).contains("keys"))
        #expect(interpreter.member(roi, "voxels") == .number(120))
        #expect(interpreter.memberNames(of: .makeList([])).contains("append"))
    }
}
