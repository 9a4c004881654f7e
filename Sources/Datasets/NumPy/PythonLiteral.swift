/// The small subset of Python literal syntax that `.npy` headers use: `{'descr': '<f8', 'fortran_order': False,
/// 'shape': (200, 25, 25), }`. numpy writes them with `repr` and reads them with `ast.literal_eval`; we parse the same
/// grammar (dicts, tuples, lists, strings, integers, True/False/None) and reject everything else with a message.
enum PythonLiteral: Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dictionary([(key: PythonLiteral, value: PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.boolean(x), .boolean(y)): return x == y
        case (.none, .none): return true
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
        case let (.dictionary(x), .dictionary(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Parses `text`; the message of a thrown `ParseError` says what was expected where.
    static func parse(_ text: String) throws(ParseError) -> PythonLiteral {
        var parser = Parser(characters: Array(text.unicodeScalars))
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == parser.characters.count else {
            throw parser.failure("unexpected text after the literal")
        }
        return value
    }

    struct ParseError: Error { let message: String }

    private struct Parser {
        let characters: [Unicode.Scalar]
        var position = 0

        func failure(_ message: String) -> ParseError {
            ParseError(message: "\(message) at character \(position + 1)")
        }

        mutating func skipSpace() {
            while position < characters.count, characters[position].properties.isWhitespace { position += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> PythonLiteral {
            // Real headers nest two levels (a structured dtype's list of tuples); a deep one is hostile.
            guard depth < 16 else { throw failure("nesting is too deep") }
            skipSpace()
            guard position < characters.count else { throw failure("the header ends where a value was expected") }
            let character = characters[position]
            switch character {
            case "'", "\"": return .string(try string(quote: character))
            case "{": return try dictionary(depth: depth)
            case "(":
                let (items, trailingComma) = try sequence(closing: ")", depth: depth)
                // `(5)` is just 5 in Python; only `(5,)` is a tuple.
                if items.count == 1 && !trailingComma { return items[0] }
                return .tuple(items)
            case "[": return .list(try sequence(closing: "]", depth: depth).items)
            case "-", "+", "0"..."9": return .integer(try integer())
            default:
                var word = ""
                let start = position
                while position < characters.count, characters[position].properties.isAlphabetic {
                    word.unicodeScalars.append(characters[position])
                    position += 1
                }
                switch word {
                case "True": return .boolean(true)
                case "False": return .boolean(false)
                case "None": return .none
                default:
                    position = start
                    throw failure(word.isEmpty ? "unexpected character '\(character)'" : "unexpected word '\(word)'")
                }
            }
        }

        mutating func string(quote: Unicode.Scalar) throws(ParseError) -> String {
            position += 1
            var result = ""
            while position < characters.count {
                let character = characters[position]
                position += 1
                if character == quote { return result }
                if character == "\\" {
                    guard position < characters.count else { break }
                    let escaped = characters[position]
                    position += 1
                    switch escaped {
                    case "n": result.unicodeScalars.append("\n")
                    case "t": result.unicodeScalars.append("\t")
                    default: result.unicodeScalars.append(escaped)
                    }
                } else {
                    result.unicodeScalars.append(character)
                }
            }
            throw failure("unterminated string")
        }

        mutating func integer() throws(ParseError) -> Int {
            var negative = false
            if characters[position] == "-" || characters[position] == "+" {
                negative = characters[position] == "-"
                position += 1
            }
            var value = 0
            var digits = 0
            while position < characters.count, let digit = characters[position].properties.numericType == .decimal
                    ? Int(String(characters[position])) : nil {
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (added, overflow2) = shifted.addingReportingOverflow(digit)
                guard !overflow1 && !overflow2 else { throw failure("integer too large") }
                value = added
                digits += 1
                position += 1
            }
            guard digits > 0 else { throw failure("expected digits") }
            // Python 2 wrote long integers with an L suffix: `(3L, 4L)`.
            if position < characters.count, characters[position] == "L" { position += 1 }
            return negative ? -value : value
        }

        mutating func sequence(closing: Unicode.Scalar, depth: Int) throws(ParseError)
            -> (items: [PythonLiteral], trailingComma: Bool) {
            position += 1
            var items: [PythonLiteral] = []
            var trailingComma = false
            while true {
                skipSpace()
                guard position < characters.count else { throw failure("missing '\(closing)'") }
                if characters[position] == closing { position += 1; return (items, trailingComma) }
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard position < characters.count else { throw failure("missing '\(closing)'") }
                if characters[position] == "," {
                    position += 1
                    trailingComma = true
                } else if characters[position] == closing {
                    trailingComma = false
                } else {
                    throw failure("expected ',' or '\(closing)'")
                }
            }
        }

        mutating func dictionary(depth: Int) throws(ParseError) -> PythonLiteral {
            position += 1
            var entries: [(key: PythonLiteral, value: PythonLiteral)] = []
            while true {
                skipSpace()
                guard position < characters.count else { throw failure("missing '}'") }
                if characters[position] == "}" { position += 1; return .dictionary(entries) }
                let key = try value(depth: depth + 1)
                skipSpace()
                guard position < characters.count, characters[position] == ":" else { throw failure("expected ':'") }
                position += 1
                entries.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard position < characters.count else { throw failure("missing '}'") }
                if characters[position] == "," {
                    position += 1
                } else if characters[position] != "}" {
                    throw failure("expected ',' or '}'")
                }
            }
        }
    }
}
