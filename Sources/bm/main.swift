import Builtins
import Foundation
import Language

/// bm's command line:
///   bm                     the REPL on a terminal; otherwise runs standard input as a script
///   bm FILE.bm [ARGS…]     runs a script (`argv` holds ARGS)
///   bm -e CODE             runs CODE
///   bm --check FILE.bm     parses only, reporting every syntax error
///   bm --version | --help
/// Exit codes: 0 success, 1 runtime error, 2 usage or syntax error. Errors go to stderr, results to stdout.

let version = "bm 0.1.0"
let usage = """
    usage: bm [FILE.bm [ARGS...]]     run a script, or start the REPL when no file is given
           bm -e CODE                 run CODE
           bm --check FILE.bm         check syntax only
           bm --version | --help

    environment: BM_PATH (extra module folders, ':'-separated), BM_THREADS (threads for kernels and BLAS),
                 BM_HISTORY (REPL history file, default ~/.bm_history)
    """

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write((message.hasSuffix("\n") ? message : message + "\n").data(using: .utf8)!)
    exit(code)
}

/// Folders holding bm's stdlib: beside an installed binary (PREFIX/share/bm/stdlib), else the source checkout's.
func standardLibraryPaths() -> [String] {
    // The running binary itself, wherever PATH found it (argv[0] may be a bare name).
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let installed = executable.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("share/bm/stdlib").path
    return FileManager.default.fileExists(atPath: installed + "/prelude.bm") ? [installed] : []
}

func makeInterpreter(arguments: [String]) -> Interpreter {
    do {
        let interpreter = try Interpreter(searchPaths: standardLibraryPaths())
        Builtins.install(into: interpreter)
        interpreter.setGlobal("argv", .makeList(arguments.map { .string($0) }))
        return interpreter
    } catch {
        fail("bm: cannot start: \(error)", code: 1)
    }
}

/// Runs `body`, turning a script error into its report on stderr and the documented exit code.
func runReportingErrors(_ body: () throws -> Void) -> Never {
    do {
        try body()
        exit(0)
    } catch let error as ScriptError {
        fail(error.description, code: error.kind == "syntax" ? 2 : 1)
    } catch {
        fail("error: \(error)", code: 1)
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "--help", "-h":
    print(usage)
case "--version":
    print(version)
case "-e":
    guard arguments.count >= 2 else { fail("bm: -e needs CODE\n" + usage, code: 2) }
    let interpreter = makeInterpreter(arguments: Array(arguments.dropFirst(2)))
    runReportingErrors {
        let result = try interpreter.run(source: arguments[1], file: "<-e>")
        if !result.isNil { print(interpreter.display(result)) }
    }
case "--check":
    guard arguments.count == 2 else { fail("bm: --check needs exactly one FILE\n" + usage, code: 2) }
    let interpreter = makeInterpreter(arguments: [])
    runReportingErrors {
        guard let text = try? String(contentsOfFile: arguments[1], encoding: .utf8) else {
            fail("bm: cannot read file '\(arguments[1])'", code: 2)
        }
        try interpreter.check(source: text, file: arguments[1])
    }
case let option? where option.hasPrefix("-") && option != "-":
    fail("bm: unknown option \(option)\n" + usage, code: 2)
case let path?:
    let interpreter = makeInterpreter(arguments: Array(arguments.dropFirst()))
    runReportingErrors {
        if path == "-" {
            try interpreter.run(source: readStandardInput(), file: "<stdin>")
        } else {
            guard FileManager.default.isReadableFile(atPath: path) else { fail("bm: cannot read file '\(path)'", code: 2) }
            try interpreter.runFile(path: path)
        }
    }
case nil:
    let interpreter = makeInterpreter(arguments: [])
    if isatty(STDIN_FILENO) != 0 {
        REPL(interpreter: interpreter).run()
    } else {
        runReportingErrors { try interpreter.run(source: readStandardInput(), file: "<stdin>") }
    }
}

func readStandardInput() -> String {
    String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
}
