/// Turns source text into tokens.
///
/// Newlines end statements, except inside `(…)` and `[…]`, where the lexer drops them so long calls and lists can
/// span lines. Inside `{…}` (blocks and records) newlines are kept and the parser decides. Malformed input gives
/// `.invalid` tokens carrying the message, never a trap.
struct Lexer {
    let bytes: [UInt8]
    var position = 0
    var line: Int
    var column: Int
    /// Open brackets; newlines inside `(` and `[` are insignificant.
    private var brackets: [UInt8] = []
    private var pendingDocumentation: [String] = []

    init(_ source: String, line: Int = 1, column: Int = 1) {
        self.bytes = Array(source.utf8)
        self.line = line
        self.column = column
    }

    /// All tokens, ending with `.endOfFile`.
    static func tokenize(_ source: String, line: Int = 1, column: Int = 1) -> [Token] {
        var lexer = Lexer(source, line: line, column: column)
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            if token.kind == .newline, tokens.last?.kind == .newline || tokens.isEmpty { continue }
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    func peek(_ offset: Int = 0) -> UInt8 {
        let index = position + offset
        return index < bytes.count ? bytes[index] : 0
    }

    mutating func advance() {
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    func text(from start: Int) -> String { String(decoding: bytes[start..<position], as: UTF8.self) }

    private mutating func skipSpaceAndComments() {
        while position < bytes.count {
            let byte = peek()
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                advance()
            } else if byte == UInt8(ascii: "\n"), let open = brackets.last, open != UInt8(ascii: "{") {
                if nextLineStartsStatement() {
                    // A bracket left open: a statement keyword cannot continue an expression, so give up on the
                    // bracket here and let the parser report it and go on with the next statements.
                    brackets.removeAll()
                    return
                }
                advance()
            } else if byte == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "\n") {
                advance(); advance()  // explicit line continuation
            } else if byte == UInt8(ascii: "#") {
                let isDocumentation = peek(1) == UInt8(ascii: "#")
                let start = position
                while position < bytes.count, peek() != UInt8(ascii: "\n") { advance() }
                if isDocumentation {
                    var comment = text(from: start).dropFirst(2)
                    if comment.first == " " { comment = comment.dropFirst() }
                    pendingDocumentation.append(String(comment))
                } else {
                    pendingDocumentation.removeAll()
                }
            } else {
                return
            }
        }
    }

    /// True when the line after the newline at `position` starts with `let`, `var`, `while`, `for`, `import`,
    /// `return`, `try` or `fn name`.
    private func nextLineStartsStatement() -> Bool {
        var index = position + 1
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        let start = index
        while index < bytes.count, isIdentifierPart(bytes[index]) { index += 1 }
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        switch word {
        case "let", "var", "while", "for", "import", "return", "try": return true
        case "fn":
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            return index < bytes.count && isIdentifierStart(bytes[index])
        default: return false
        }
    }

    mutating func next() -> Token {
        skipSpaceAndComments()
        let startLine = line, startColumn = column, start = position
        func make(_ kind: TokenKind, _ text: String = "") -> Token {
            Token(kind: kind, text: text, line: startLine, column: startColumn)
        }
        guard position < bytes.count else { return make(.endOfFile) }
        let byte = peek()
        if byte == UInt8(ascii: "\n") {
            advance()
            return make(.newline)
        }
        var documentation: String? = nil
        if !pendingDocumentation.isEmpty {
            documentation = pendingDocumentation.joined(separator: "\n")
            pendingDocumentation.removeAll()
        }
        if isIdentifierStart(byte) {
            while position < bytes.count, isIdentifierPart(peek()) { advance() }
            let name = text(from: start)
            var token = make(keywords[name] ?? .identifier, name)
            token.documentation = documentation
            return token
        }
        if isDigit(byte) { return lexNumber(make) }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") { return lexString(quote: byte, make) }
        advance()
        func pick(_ second: Character, _ double: TokenKind, _ single: TokenKind) -> Token {
            if peek() == UInt8(ascii: second.unicodeScalars.first!) {
                advance()
                return make(double, text(from: start))
            }
            return make(single, text(from: start))
        }
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
            brackets.append(byte)
            return make(byte == UInt8(ascii: "(") ? .leftParen : byte == UInt8(ascii: "[") ? .leftBracket : .leftBrace,
                        text(from: start))
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
            if !brackets.isEmpty { brackets.removeLast() }
            return make(byte == UInt8(ascii: ")") ? .rightParen : byte == UInt8(ascii: "]") ? .rightBracket : .rightBrace,
                        text(from: start))
        case UInt8(ascii: ","): return make(.comma, ",")
        case UInt8(ascii: ":"): return make(.colon, ":")
        case UInt8(ascii: ";"): return make(.semicolon, ";")
        case UInt8(ascii: "@"): return make(.at, "@")
        case UInt8(ascii: "%"): return make(.percent, "%")
        case UInt8(ascii: "."):
            if peek() == UInt8(ascii: "."), peek(1) == UInt8(ascii: ".") {
                advance(); advance()
                return make(.ellipsis, "...")
            }
            return make(.dot, ".")
        case UInt8(ascii: "+"): return pick("=", .plusAssign, .plus)
        case UInt8(ascii: "-"): return pick("=", .minusAssign, .minus)
        case UInt8(ascii: "/"): return pick("=", .slashAssign, .slash)
        case UInt8(ascii: "*"):
            if peek() == UInt8(ascii: "*") {
                advance()
                return make(.starStar, "**")
            }
            return pick("=", .starAssign, .star)
        case UInt8(ascii: "="):
            if peek() == UInt8(ascii: ">") {
                advance()
                return make(.arrow, "=>")
            }
            return pick("=", .equal, .assign)
        case UInt8(ascii: "!"):
            if peek() == UInt8(ascii: "=") {
                advance()
                return make(.notEqual, "!=")
            }
            return make(.invalid, "unexpected character '!' (use 'not' for negation)")
        case UInt8(ascii: "<"): return pick("=", .lessOrEqual, .less)
        case UInt8(ascii: ">"): return pick("=", .greaterOrEqual, .greater)
        case UInt8(ascii: "|"):
            if peek() == UInt8(ascii: ">") {
                advance()
                return make(.pipe, "|>")
            }
            return make(.invalid, "unexpected character '|' (did you mean '|>' or 'or'?)")
        default:
            // Skip the rest of a multi-byte character so one bad character gives one error.
            while position < bytes.count, peek() & 0xC0 == 0x80 { advance() }
            return make(.invalid, "unexpected character '\(text(from: start))'")
        }
    }

    private mutating func lexNumber(_ make: (TokenKind, String) -> Token) -> Token {
        let start = position
        if peek() == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X") {
            advance(); advance()
            var digits = ""
            while position < bytes.count, isHexDigit(peek()) || peek() == UInt8(ascii: "_") {
                if peek() != UInt8(ascii: "_") { digits.append(Character(UnicodeScalar(peek()))) }
                advance()
            }
            guard !digits.isEmpty, let value = UInt64(digits, radix: 16) else {
                return make(.invalid, "malformed hexadecimal number '\(text(from: start))'")
            }
            var token = make(.number, text(from: start))
            token.number = Double(value)
            return token
        }
        while position < bytes.count, isDigit(peek()) || peek() == UInt8(ascii: "_") { advance() }
        if peek() == UInt8(ascii: "."), isDigit(peek(1)) {
            advance()
            while position < bytes.count, isDigit(peek()) || peek() == UInt8(ascii: "_") { advance() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let signOffset = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") ? 2 : 1
            if isDigit(peek(signOffset)) {
                for _ in 0..<signOffset { advance() }
                while position < bytes.count, isDigit(peek()) { advance() }
            }
        }
        if position < bytes.count, isIdentifierStart(peek()) {
            while position < bytes.count, isIdentifierPart(peek()) { advance() }
            return make(.invalid, "malformed number '\(text(from: start))'")
        }
        let spelling = text(from: start)
        guard let value = Double(spelling.replacingAll("_", with: "")) else {
            return make(.invalid, "malformed number '\(spelling)'")
        }
        var token = make(.number, spelling)
        token.number = value
        return token
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
@inline(__always) func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
}
@inline(__always) func isIdentifierStart(_ byte: UInt8) -> Bool {
    (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || byte == 95 || byte >= 0xC0
}
@inline(__always) func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) || byte >= 0x80 }

extension String {
    /// Plain replacement without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var remainder = self[...]
        while let range = remainder.firstRange(of: target) {
            result += remainder[..<range.lowerBound]
            result += replacement
            remainder = remainder[range.upperBound...]
        }
        result += remainder
        return result
    }
}
