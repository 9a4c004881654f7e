/// String literals: `"…"` or `'…'`, escapes `\n \t \r \0 \" \' \\ \{ \}`, and interpolation `{expression:spec}` with
/// `{{` and `}}` for literal braces. The embedded expression is kept as source text with its position; the parser
/// parses it (so errors inside it point at the right column).
extension Lexer {
    mutating func lexString(quote: UInt8, _ make: (TokenKind, String) -> Token) -> Token {
        advance()  // opening quote
        var parts: [StringPart] = []
        var literal: [UInt8] = []
        func flushLiteral() {
            if !literal.isEmpty {
                parts.append(.literal(String(decoding: literal, as: UTF8.self)))
                literal.removeAll()
            }
        }
        while true {
            guard position < bytes.count, peek() != UInt8(ascii: "\n") else {
                return make(.invalid, "unterminated string (a string must end on the line where it starts; use \\n)")
            }
            let byte = peek()
            if byte == quote {
                advance()
                break
            }
            if byte == UInt8(ascii: "\\") {
                advance()
                guard position < bytes.count else { continue }
                let escaped = peek()
                advance()
                switch escaped {
                case UInt8(ascii: "n"): literal.append(10)
                case UInt8(ascii: "t"): literal.append(9)
                case UInt8(ascii: "r"): literal.append(13)
                case UInt8(ascii: "0"): literal.append(0)
                case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"):
                    literal.append(escaped)
                default:
                    let character = String(decoding: [escaped], as: UTF8.self)
                    skipToEndOfString(quote: quote)
                    return make(.invalid, "unknown escape sequence '\\\(character)'")
                }
                continue
            }
            if byte == UInt8(ascii: "{") {
                if peek(1) == UInt8(ascii: "{") {
                    advance(); advance()
                    literal.append(byte)
                    continue
                }
                advance()
                flushLiteral()
                guard let part = lexInterpolation(quote: quote) else {
                    skipToEndOfString(quote: quote)
                    return make(.invalid, "unterminated '{' in string interpolation (write '{{' for a literal brace)")
                }
                parts.append(part)
                continue
            }
            if byte == UInt8(ascii: "}") {
                advance()
                if peek() == UInt8(ascii: "}") { advance() }
                literal.append(byte)
                continue
            }
            literal.append(byte)
            advance()
        }
        flushLiteral()
        var token = make(.string, "")
        token.parts = parts
        return token
    }

    /// After the opening `{`: the expression text up to a `:` or `}` at nesting depth zero, then the format spec.
    private mutating func lexInterpolation(quote: UInt8) -> StringPart? {
        let codeLine = line, codeColumn = column, codeStart = position
        var depth = 0
        var codeEnd: Int?
        var specStart: Int?
        while position < bytes.count, peek() != UInt8(ascii: "\n") {
            let byte = peek()
            if specStart == nil {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    // A string inside the expression: skip it whole, honouring escapes.
                    let innerQuote = byte
                    advance()
                    while position < bytes.count, peek() != innerQuote, peek() != UInt8(ascii: "\n") {
                        if peek() == UInt8(ascii: "\\") { advance() }
                        if position < bytes.count { advance() }
                    }
                    if position < bytes.count, peek() == innerQuote { advance() }
                    continue
                }
                if byte == UInt8(ascii: "(") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth += 1 }
                if byte == UInt8(ascii: ")") || byte == UInt8(ascii: "]") { depth -= 1 }
                if byte == UInt8(ascii: "}") {
                    if depth == 0 {
                        codeEnd = position
                        advance()
                        break
                    }
                    depth -= 1
                }
                if byte == UInt8(ascii: ":"), depth == 0 {
                    codeEnd = position
                    advance()
                    specStart = position
                    continue
                }
                advance()
            } else {
                if byte == UInt8(ascii: "}") {
                    break
                }
                if byte == quote { return nil }
                advance()
            }
        }
        guard let end = codeEnd, position <= bytes.count else { return nil }
        let source = String(decoding: bytes[codeStart..<end], as: UTF8.self)
        var spec: String? = nil
        if let specStart {
            guard position < bytes.count, peek() == UInt8(ascii: "}") else { return nil }
            spec = String(decoding: bytes[specStart..<position], as: UTF8.self)
            advance()
        }
        return .code(source: source, line: codeLine, column: codeColumn, spec: spec)
    }

    private mutating func skipToEndOfString(quote: UInt8) {
        while position < bytes.count, peek() != quote, peek() != UInt8(ascii: "\n") { advance() }
        if position < bytes.count, peek() == quote { advance() }
    }
}
