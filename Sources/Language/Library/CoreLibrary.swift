/// The builtins every interpreter has, written in Swift (the rest of the prelude is `stdlib/prelude.bm`).
extension Interpreter {
    func installCoreLibrary() {
        let runtime = self.runtime
        define("print", signature: "print(*values, sep=\" \", end=\"\\n\")",
               documentation: "Writes the values separated by `sep` (default one space), then `end` (default a newline).") { arguments in
            let separator = try arguments.keyword("sep").map { value -> String in
                guard case .string(let text) = value else { throw LanguageError("print: sep must be a string, got \(value.typeName)") }
                return text
            } ?? " "
            let end = try arguments.keyword("end").map { value -> String in
                guard case .string(let text) = value else { throw LanguageError("print: end must be a string, got \(value.typeName)") }
                return text
            } ?? "\n"
            runtime.output(try arguments.positional.map { try runtime.display($0) }.joined(separator: separator) + end)
            return .nil
        }
        define("len", signature: "len(x)", documentation: "Number of elements of a list, record, range or native object, or characters of a string.") { arguments in
            .number(Double(try runtime.length(try arguments.value(0), arguments.location)))
        }
        define("type", signature: "type(x)", documentation: "The type name: nil, bool, number, string, list, record, function, range, or a native type's name.") { arguments in
            .string(try arguments.value(0).typeName)
        }
        define("str", signature: "str(x)", documentation: "The text `print` shows for x.") { arguments in
            .string(try runtime.display(try arguments.value(0)))
        }
        define("repr", signature: "repr(x)", documentation: "The source-like text of x (strings quoted).") { arguments in
            .string(try runtime.representation(try arguments.value(0), depth: 0))
        }
        define("num", signature: "num(x)", documentation: "Converts a string (\"3.5\", \"1e-3\", \"inf\"), bool or number to a number; errors on malformed text.") { arguments in
            let value = try arguments.value(0)
            switch value {
            case .number: return value
            case .bool(let flag): return .number(flag ? 1 : 0)
            case .string(let text):
                let trimmed = text.trimmingSpaces().replacingAll("_", with: "")
                if let number = Double(trimmed) { return .number(number) }
                if trimmed.hasPrefix("0x"), let number = UInt64(trimmed.dropFirst(2), radix: 16) { return .number(Double(number)) }
                throw LanguageError("num: cannot convert \(quote(text)) to a number")
            default:
                throw arguments.typeError(0, "x", expected: "a string, bool or number", got: value)
            }
        }
        define("range", signature: "range(start_or_stop, stop=nil, step=1)",
               documentation: "A lazy sequence of numbers: range(n) is 0 … n-1, range(a, b) is a … b-1, range(a, b, step) counts by step (may be negative).") { arguments in
            let first = try arguments.number(0, "start_or_stop")
            if let stop = try arguments.optionalNumber(1, "stop") {
                let step = try arguments.optionalNumber(2, "step") ?? 1
                return .native(try RangeObject(start: first, stop: stop, step: step))
            }
            return .native(try RangeObject(start: 0, stop: first, step: 1))
        }
        define("list", signature: "list(iterable=nil)", documentation: "A new list of the elements of any iterable (a copy for a list); [] without argument.") { arguments in
            guard let value = arguments.optional(0) else { return .list(List()) }
            return .list(List(try runtime.collect(value, arguments.location)))
        }
        define("error", signature: "error(message)",
               documentation: "Raises an error with this message (any value; a record's `message` field is used as the message). `try … catch e` catches it; e.message is the message and e.value the value.") { arguments in
            let value = try arguments.value(0)
            let message: String
            if case .record(let record) = value, case .string(let text)? = record["message"] { message = text } else {
                message = try runtime.display(value)
            }
            let error = ScriptError(message, at: arguments.location, kind: "user")
            error.payload = value
            throw error
        }
        define("assert", signature: "assert(condition, message=nil)",
               documentation: "Raises \"assertion failed: message\" when the condition is false.") { arguments in
            if try runtime.truthy(try arguments.value(0), arguments.location) { return .nil }
            if let message = arguments.optional(1, "message"), !message.isNil {
                throw LanguageError("assertion failed: \(try runtime.display(message))")
            }
            throw LanguageError("assertion failed")
        }
        define("sorted", signature: "sorted(xs, key=nil, reverse=false)",
               documentation: "A new sorted list of the elements (stable). key: a function giving the sort key of each element; reverse=true sorts descending.") { arguments in
            let values = try runtime.collect(try arguments.value(0), arguments.location)
            return .list(List(try runtime.sortedValues(values, key: arguments.keyword("key"), reverse: arguments.keyword("reverse"),
                                                       "sorted", arguments.location)))
        }
        define("sum", signature: "sum(xs, start=0)", documentation: "The sum of the elements (numbers, or anything `+` adds).") { arguments in
            var total = arguments.optional(1, "start") ?? .number(0)
            try runtime.forEach(try arguments.value(0), arguments.location) { element in
                if case .number(let x) = total, case .number(let y) = element { total = .number(x + y) } else {
                    total = try runtime.binary(.add, total, element, arguments.location)
                }
                return true
            }
            return total
        }
        for (name, wantSmaller) in [("min", true), ("max", false)] {
            define(name, signature: "\(name)(*values, key=nil)",
                   documentation: "The \(wantSmaller ? "smallest" : "largest") element of one iterable argument, or of several arguments. key: a function giving each element's comparison key.") { arguments in
                let values = arguments.count == 1 ? try runtime.collect(arguments.positional[0], arguments.location)
                    : arguments.positional
                guard !values.isEmpty else { throw LanguageError("\(name): empty sequence") }
                let key = arguments.keyword("key").flatMap { $0.isNil ? nil : $0 }
                var best = values[0]
                var bestKey = try key.map { try runtime.call($0, [best], location: arguments.location) } ?? best
                for value in values.dropFirst() {
                    let candidateKey = try key.map { try runtime.call($0, [value], location: arguments.location) } ?? value
                    let order = try runtime.compare(candidateKey, bestKey, wantSmaller ? .less : .greater, arguments.location)
                    if wantSmaller ? order < 0 : order > 0 {
                        best = value
                        bestKey = candidateKey
                    }
                }
                return best
            }
        }
        define("help", signature: "help(x=nil)",
               documentation: "help() lists modules and topics; help(f) shows a function's signature and docstring; help(\"topic\") shows a topic or the function with that name.") { arguments in
            runtime.output(try runtime.helpText(arguments.optional(0, "x")) + "\n")
            return .nil
        }
    }
}
