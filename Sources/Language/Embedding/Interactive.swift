/// What an interactive host (the REPL, an editor) needs beyond running code: syntax checks without running,
/// detection of unfinished input, interruption from another thread, and the names for completion.
extension Interpreter {
    /// Parses `source` without running it. Throws a `ScriptError` of kind "syntax" listing every syntax error.
    public func check(source: String, file: String) throws {
        let parser = Parser(source: source)
        _ = parser.parseProgram()
        guard parser.failures.isEmpty else {
            let sourceFile = SourceFile(name: file, text: source)
            throw ScriptError(diagnostics: parser.failures.map { failure in
                Diagnostic(message: failure.message, location: SourceLocation(
                    file: sourceFile, line: failure.position.line, column: failure.position.column))
            }, kind: "syntax")
        }
    }

    /// True when `source` ends inside an open `(`, `[` or `{`: a REPL then reads another line. Input with a lexical
    /// error is complete, so that the error is reported at once.
    public func isIncomplete(_ source: String) -> Bool {
        var depth = 0
        for token in Lexer.tokenize(source) {
            switch token.kind {
            case .invalid: return false
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            default: break
            }
        }
        return depth > 0
    }

    /// The flag another thread sets to stop the running code with an "interrupted" error at its next loop
    /// iteration or call. The error cannot be caught by `try`/`catch`, so control returns to the host.
    public var interrupt: InterruptFlag { runtime.interrupt }

    /// The main script's top-level names, in declaration order.
    public var mainNames: [String] { mainModule.order.filter { mainModule.globals[$0]?.isDefined == true } }

    /// Every name a script can use here: its own top-level names and the builtins and prelude.
    public var visibleNames: [String] {
        Array(Set(mainNames + runtime.shared.globals.filter { $0.value.isDefined }.map(\.key)))
    }

    /// Modules `import` can load: native ones and `.bm` files in the search path.
    public var moduleNames: [String] { runtime.availableModules() }

    /// Attribute and method names of a value (record keys, list/string methods, a native object's members).
    public func memberNames(of value: Value) -> [String] {
        switch value {
        case .list: return ListMethods.names
        case .string: return StringMethods.names
        case .record(let record): return record.keys + RecordMethods.names
        case .native(let object): return object.memberNames
        default: return []
        }
    }

    /// `value.name` as a script would read it; nil when there is no such member.
    public func member(_ value: Value, _ name: String) -> Value? {
        switch value {
        case .record(let record): return record[name]
        case .native(let object): return (try? object.attribute(name)) ?? nil
        default: return nil
        }
    }
}
