import Language
import Testing

/// The exact text of error reports: `file.bm:LINE:COL: error: message`, the source line, a caret under the culprit,
/// then the `.bm` call stack innermost first.
@Suite struct ErrorFormatTests {
    @Test func runtimeErrorWithCallStack() {
        let source = """
            fn fib(n) {
                if n < 2 { n + nil } else { fib(n - 1) + fib(n - 2) }
            }
            let x = fib(2)
            """
        let (_, error) = runScript(source, file: "fib.bm")
        #expect(error == """
            fib.bm:2:18: error: unsupported operand types for '+': number and nil
                    if n < 2 { n + nil } else { fib(n - 1) + fib(n - 2) }
                                 ^
              in fib at fib.bm:2:18
              in fib at fib.bm:2:33
              in <script> at fib.bm:4:9
            """)
    }

    @Test func topLevelErrorHasNoStack() {
        let (output, error) = runScript("print(\"first\")\nlet roi = {name: \"V1\"}\nprint(roi.size)", file: "roi.bm")
        #expect(output == "first\n")
        #expect(error == """
            roi.bm:3:11: error: unknown key 'size' (keys: name)
                print(roi.size)
                          ^
            """)
    }

    @Test func multipleParseErrors() {
        let (output, error) = runScript("print(1)\nlet a = )\nvar = 2\nlet ok = 3", file: "syntax.bm")
        #expect(output == "")
        #expect(error == """
            syntax.bm:2:9: error: expected an expression, found ')'
                let a = )
                        ^
            syntax.bm:3:5: error: expected a name after 'var', found '='
                var = 2
                    ^
            """)
    }

    @Test func tabsKeepTheCaretAligned() {
        let (_, error) = runScript("\tx + 1", file: "tab.bm")
        #expect(error == "tab.bm:1:2: error: undefined variable 'x'\n    \tx + 1\n    \t^")
    }

    @Test func errorsInImportedModulesShowTheImport() {
        let path = ScriptFiles.root + "/language/error_import_parse.bm"
        var printed = ""
        do {
            let interpreter = try Interpreter()
            interpreter.output = { printed += $0 }
            try interpreter.runFile(path: path)
            Issue.record("no error")
        } catch {
            #expect(String(describing: error) == """
                lib/broken.bm:1:17: error: expected an expression, found '}'
                    fn oops() { 1 + }
                                    ^
                  in <module lib/broken.bm> at lib/broken.bm:1:17
                  in <script> at error_import_parse.bm:1:1
                """)
        }
    }

    @Test func runtimeErrorInImportedModuleShowsImportChain() throws {
        let interpreter = try Interpreter(searchPaths: [ScriptFiles.root + "/language/lib"])
        do {
            try interpreter.run(source: "import greetings\ngreetings.hello()", file: "main.bm")
            Issue.record("no error")
        } catch {
            #expect(String(describing: error) == """
                main.bm:2:11: error: hello: expected 1 argument, got 0
                    greetings.hello()
                              ^
                """)
        }
    }

    @Test func deepRecursionIsAStackOverflowErrorWithAShortenedStack() {
        let (_, error) = runScript("fn down(n) { down(n + 1) }\ndown(0)", file: "deep.bm")
        let lines = error?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.first == "deep.bm:1:14: error: stack overflow: more than 10000 nested calls (runaway recursion?)")
        #expect(lines.count == 3 + 10 + 1 + 10)
        #expect(lines.contains("  ... 9981 more calls ..."))
        #expect(lines.last == "  in <script> at deep.bm:2:1")
    }
}
