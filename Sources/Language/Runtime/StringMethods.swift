/// Methods of strings. Strings are immutable values: every method returns a new string.
enum StringMethods {
    static let names = ["split", "join", "replace", "upper", "lower", "contains", "startswith", "endswith", "strip",
                        "len", "find", "count", "lstrip", "rstrip"]

    static func call(_ string: String, _ name: String, _ arguments: Arguments, _ runtime: Runtime) throws -> Value? {
        switch name {
        case "split":
            try checkCount(arguments, 0, 1)
            if let separator = try arguments.optionalString(0, "separator") {
                guard !separator.isEmpty else { throw LanguageError("string.split: empty separator") }
                return .list(List(string.split(separator: separator, omittingEmptySubsequences: false)
                    .map { .string(String($0)) }))
            }
            return .list(List(string.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
                .map { .string(String($0)) }))
        case "join":
            try checkCount(arguments, 1, 1)
            let parts = try runtime.collect(arguments.positional[0], arguments.location)
            return .string(try parts.map { try runtime.display($0) }.joined(separator: string))
        case "replace":
            try checkCount(arguments, 2, 2)
            let target = try arguments.string(0, "old"), replacement = try arguments.string(1, "new")
            guard !target.isEmpty else { throw LanguageError("string.replace: the text to replace is empty") }
            return .string(string.replacingAll(target, with: replacement))
        case "upper":
            try checkCount(arguments, 0, 0)
            return .string(string.uppercased())
        case "lower":
            try checkCount(arguments, 0, 0)
            return .string(string.lowercased())
        case "contains":
            try checkCount(arguments, 1, 1)
            let part = try arguments.string(0, "text")
            return .bool(part.isEmpty || string.contains(part))
        case "startswith":
            try checkCount(arguments, 1, 1)
            return .bool(string.hasPrefix(try arguments.string(0, "prefix")))
        case "endswith":
            try checkCount(arguments, 1, 1)
            return .bool(string.hasSuffix(try arguments.string(0, "suffix")))
        case "strip", "lstrip", "rstrip":
            try checkCount(arguments, 0, 0)
            var slice = Substring(string)
            if name != "rstrip" { while let first = slice.first, first.isWhitespace { slice.removeFirst() } }
            if name != "lstrip" { while let last = slice.last, last.isWhitespace { slice.removeLast() } }
            return .string(String(slice))
        case "len":
            try checkCount(arguments, 0, 0)
            return .number(Double(string.count))
        case "find":
            try checkCount(arguments, 1, 1)
            let part = try arguments.string(0, "text")
            guard let range = string.firstRange(of: part) else { return .number(-1) }
            return .number(Double(string.distance(from: string.startIndex, to: range.lowerBound)))
        case "count":
            try checkCount(arguments, 1, 1)
            let part = try arguments.string(0, "text")
            guard !part.isEmpty else { throw LanguageError("string.count: empty text") }
            return .number(Double(string.ranges(of: part).count))
        default:
            return nil
        }
    }
}
