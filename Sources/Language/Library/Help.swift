/// `help`, and the error record `catch e` binds.
extension Runtime {
    func helpText(_ subject: Value?) throws -> String {
        guard let subject, !subject.isNil else {
            var lines = ["bm — type help(f) for a function, help(\"topic\") for a topic.", ""]
            let modules = availableModules()
            lines.append("modules: " + (modules.isEmpty ? "(none)" : modules.joined(separator: ", ")))
            lines.append("topics: " + helpTopics.keys.sorted().joined(separator: ", "))
            let functions = shared.globals.filter { $0.value.isDefined && $0.value.value.functionValue != nil }.keys.sorted()
            lines.append("functions: " + functions.joined(separator: ", "))
            return lines.joined(separator: "\n")
        }
        switch subject {
        case .function(let function):
            var text = function.signature
            if let documentation = function.documentation, !documentation.isEmpty { text += "\n" + documentation }
            return text
        case .string(let topic):
            if let text = helpTopics[topic] { return text }
            if let cell = shared.globals[topic], cell.isDefined { return try helpText(cell.value) }
            if let module = nativeModules[topic] { return try helpText(module) }
            throw LanguageError("help: no topic or function named '\(topic)' (topics: \(helpTopics.keys.sorted().joined(separator: ", ")))")
        case .record(let record):
            var lines: [String] = []
            for (index, key) in record.keys.enumerated() {
                if case .function(let function) = record.values[index] {
                    let summary = function.documentation?.split(separator: "\n").first.map { " — " + $0 } ?? ""
                    lines.append("  \(function.signature)\(summary)")
                } else {
                    lines.append("  \(key): \(record.values[index].typeName)")
                }
            }
            return lines.isEmpty ? "empty record" : lines.joined(separator: "\n")
        case .native(let object):
            return "\(object.typeName): " + object.memberNames.sorted().joined(separator: ", ")
        default:
            return "\(subject.typeName) \(try representation(subject, depth: 0))"
        }
    }

    /// What `catch e` sees: `e.message`, `e.kind`, `e.file`, `e.line`, `e.column`, `e.stack`, and `e.value` (the
    /// value given to `error(value)`).
    func errorRecord(_ error: ScriptError) -> Value {
        let record = Record()
        record["message"] = .string(error.message)
        record["kind"] = .string(error.kind)
        record["file"] = error.location.map { .string($0.file.name) } ?? .nil
        record["line"] = error.location.map { .number(Double($0.line)) } ?? .nil
        record["column"] = error.location.map { .number(Double($0.column)) } ?? .nil
        record["stack"] = .list(List(error.stack.map { .string($0.description.trimmingSpaces()) }))
        record["value"] = error.payload ?? .string(error.message)
        return .record(record)
    }

    static let builtinTopics: [String: String] = [
        "syntax": """
            let x = 1            constant;  var y = 2   variable (assign with =, += -= *= /=)
            fn f(a, k=2) { … }   function; the last expression is the result; return exits early
            x => x * x, (a, b) => a + b, x => { … }   lambdas
            if c { … } else { … }   is an expression;  while c { … };  for x in xs { … };  for k, v in record { … }
            break, continue, try { … } catch e { … }, error(msg), assert(cond, msg)
            a |> f(b) is f(a, b);  a |> f is f(a);  newlines end statements, ';' separates
            """,
        "values": """
            nil, bool (true/false), number (double), string, list [1, 2], record {name: "V1"}, function, range,
            and native objects from the host (tensors, …). Lists and records are shared references:
            `let b = a; b.append(1)` changes a too. Falsy: nil, false, 0, "", [], {}.
            """,
        "strings": """
            "text {expression} more {x:.3f}" interpolates; specs: .Nf .Ne .Ng d % , width and < > ^ alignment.
            {{ and }} are literal braces; escapes \\n \\t \\" \\\\ \\{.
            Methods: split join replace upper lower contains startswith endswith strip find count len; s[i], s[a:b].
            """,
        "lists": """
            xs[i], xs[-1], xs[a:b:step], xs + ys, xs * n, x in xs.
            Methods: append pop insert index reverse extend remove copy count sort(key=, reverse=) contains len clear.
            """,
        "records": """
            r.key, r["key"], r.key = v, "key" in r, for k, v in r { … }.
            Methods: keys values items get(k, default) has(k) remove(k) len copy. Fields shadow methods.
            """,
        "modules": """
            import name            loads name.bm from the search path (host paths, BM_PATH, stdlib/)
            import a.b             loads a/b.bm, bound as b;   import a.b as c
            import "dir/f.bm" as m  loads a file relative to the importing script
            A module is a record of its top-level names (names starting with _ are private); each file loads once.
            """,
        "errors": """
            Errors print as file.bm:LINE:COL: error: message, the line with a caret, then the .bm call stack.
            try { … } catch e { … }: e.message, e.kind, e.file, e.line, e.column, e.stack, e.value.
            """,
    ]
}
