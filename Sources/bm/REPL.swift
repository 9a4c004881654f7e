import Foundation
import Language

/// The interactive loop: readline editing and history, continuation lines, values printed, `:commands`, Ctrl-C.
final class REPL {
    let interpreter: Interpreter
    private let editor: LineEditor
    private let interrupts: Interrupts

    init(interpreter: Interpreter) {
        self.interpreter = interpreter
        let environment = ProcessInfo.processInfo.environment
        let history = environment["BM_HISTORY"] ?? environment["HOME"].map { $0 + "/.bm_history" }
        editor = LineEditor(historyPath: history)
        interrupts = Interrupts(interpreter: interpreter)
        LineEditor.completer = { [interpreter] line, start, word in
            Completion.candidates(interpreter: interpreter, line: line, wordStart: start, word: word)
        }
    }

    func run() {
        print("\(version) — :help for commands, Ctrl-D to quit")
        while let input = readInput() {
            let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            editor.remember(input)
            if trimmed.hasPrefix(":") {
                if !command(trimmed) { break }
                continue
            }
            evaluate(input)
        }
        print("")
    }

    /// One complete input: more lines are read while braces, brackets or a string are open.
    private func readInput() -> String? {
        guard var text = editor.readLine(prompt: ">>> ", interruptDescriptor: interrupts.promptDescriptor) else {
            return nil
        }
        while !text.hasPrefix(":") && interpreter.isIncomplete(text) {
            guard let more = editor.readLine(prompt: "... ", interruptDescriptor: interrupts.promptDescriptor) else {
                return text
            }
            text += "\n" + more
        }
        return text
    }

    private func evaluate(_ source: String) {
        do {
            let value = try interrupts.whileRunning { try interpreter.run(source: source, file: "<repl>") }
            if !value.isNil { print(interpreter.display(value)) }
        } catch {
            FileHandle.standardError.write("\(error)\n".data(using: .utf8)!)
        }
    }

    /// Runs a `:command`; false means quit.
    private func command(_ line: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ":quit", ":q", ":exit":
            return false
        case ":help":
            print("""
                :help            this list (help() lists functions and modules; help(f) documents f)
                :time EXPR       run EXPR and print its wall time
                :load FILE       run a .bm file in this session
                :vars            the session's variables with their types and shapes
                :reset           forget every variable
                :quit            leave (or Ctrl-D)
                Ctrl-C interrupts a running command and keeps every variable; at the prompt it clears the line.
                """)
        case ":time":
            let start = DispatchTime.now().uptimeNanoseconds
            evaluate(argument)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(String(format: "time: %.6f s", seconds))
        case ":load":
            do {
                try interrupts.whileRunning { _ = try interpreter.runFile(path: argument) }
            } catch {
                FileHandle.standardError.write("\(error)\n".data(using: .utf8)!)
            }
        case ":vars":
            for name in interpreter.mainNames {
                guard let value = interpreter.global(name) else { continue }
                print("\(name): \(describe(value))")
            }
        case ":reset":
            interpreter.resetMainModule()
            print("all variables forgotten")
        default:
            FileHandle.standardError.write("unknown command \(parts[0]); :help lists the commands\n".data(using: .utf8)!)
        }
        return true
    }

    /// `tensor float32 [100, 512]`, `list of 4`, `number 3.5`…
    private func describe(_ value: Value) -> String {
        switch value {
        case .list(let list): return "list of \(list.count)"
        case .record(let record): return "record with keys \(record.keys.joined(separator: ", "))"
        case .string(let text): return "string of \(text.count) characters"
        case .native:
            if let shape = interpreter.member(value, "shape"), let dtype = interpreter.member(value, "dtype") {
                return "\(value.typeName) \(interpreter.display(dtype)) \(interpreter.display(shape))"
            }
            return value.typeName
        default:
            return "\(value.typeName) \(interpreter.display(value))"
        }
    }
}
