/// A syntax error at a position.
struct ParseFailure: Error {
    var message: String
    var position: Position
}

/// Recursive-descent parser producing the AST. It reports every error it can: after one, it skips to the next
/// statement boundary and goes on. Nesting deeper than `maximumDepth` is an error, so no input can exhaust the stack.
final class Parser {
    var tokens: [Token]
    var index = 0
    var failures: [ParseFailure] = []
    var depth = 0
    static let maximumDepth = 200
    /// Names referenced in each function being parsed (innermost last); index 0 is the program.
    var referencedNames: [Set<String>] = [[]]
    /// Names that functions nested in each function being parsed reference.
    var capturedNames: [Set<String>] = [[]]
    let source: String
    private lazy var lineOffsets: [String.Index] = {
        var offsets = [source.startIndex]
        var index = source.startIndex
        while index < source.endIndex {
            if source[index] == "\n" { offsets.append(source.index(after: index)) }
            index = source.index(after: index)
        }
        return offsets
    }()

    init(source: String) {
        self.source = source
        self.tokens = Lexer.tokenize(source)
    }

    /// Parses a whole file; `failures` lists the syntax errors (empty on success).
    func parseProgram() -> Program {
        var statements: [Statement] = []
        skipSeparators()
        while current.kind != .endOfFile {
            if let statement = parseStatementRecovering() { statements.append(statement) }
            skipSeparators()
        }
        return Program(statements: statements, capturedNames: capturedNames[0])
    }

    /// Parses a single expression (for `Interpreter.evaluate`).
    func parseStandaloneExpression() -> Expression? {
        skipNewlines()
        do {
            let expression = try parseExpression()
            skipNewlines()
            if current.kind != .endOfFile { throw failure("unexpected \(describe(current)) after the expression") }
            return expression
        } catch let error as ParseFailure {
            failures.append(error)
            return nil
        } catch {
            return nil
        }
    }

    // MARK: Token access

    var current: Token { tokens[index] }
    func peek(_ offset: Int = 1) -> Token { tokens[min(index + offset, tokens.count - 1)] }
    var position: Position { Position(line: current.line, column: current.column) }

    @discardableResult
    func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func check(_ kind: TokenKind) -> Bool { current.kind == kind }

    func match(_ kind: TokenKind) -> Bool {
        if current.kind == kind {
            advance()
            return true
        }
        return false
    }

    @discardableResult
    func expect(_ kind: TokenKind, _ context: String) throws -> Token {
        if current.kind == kind { return advance() }
        throw failure("expected \(kind.spelling) \(context), found \(describe(current))")
    }

    func failure(_ message: String, at position: Position? = nil) -> ParseFailure {
        if current.kind == .invalid { return ParseFailure(message: current.text, position: self.position) }
        return ParseFailure(message: message, position: position ?? self.position)
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier: return "'\(token.text)'"
        case .number: return "number \(token.text)"
        case .string: return "a string"
        case .newline: return "end of line"
        case .endOfFile: return "end of file"
        case .invalid: return token.text
        default: return "'\(token.text)'"
        }
    }

    func skipNewlines() { while current.kind == .newline { advance() } }
    func skipSeparators() { while current.kind == .newline || current.kind == .semicolon { advance() } }

    /// Source text between two positions (for default-argument text in signatures).
    func sourceText(from start: Position, to end: Position) -> String {
        guard start.line - 1 < lineOffsets.count, end.line - 1 < lineOffsets.count else { return "" }
        func index(_ position: Position) -> String.Index {
            let lineStart = lineOffsets[position.line - 1]
            return source.index(lineStart, offsetBy: position.column - 1, limitedBy: source.endIndex) ?? source.endIndex
        }
        let from = index(start), to = index(end)
        guard from <= to else { return "" }
        return String(source[from..<to]).trimmingSpaces()
    }

    /// Guards recursion: every nested construct goes through here.
    func nested<T>(_ body: () throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maximumDepth {
            throw failure("nesting too deep (more than \(Parser.maximumDepth) levels of brackets, blocks or operators)")
        }
        return try body()
    }

    // MARK: Recovery

    func parseStatementRecovering() -> Statement? {
        let start = index
        do {
            let statement = try parseStatement()
            if !(check(.newline) || check(.semicolon) || check(.rightBrace) || check(.endOfFile)) {
                throw failure("expected end of statement (a new line or ';'), found \(describe(current))")
            }
            return statement
        } catch let error as ParseFailure {
            failures.append(error)
            synchronize()
            if index == start { advance() }  // always make progress, e.g. past a stray '}'
            return nil
        } catch {
            return nil
        }
    }

    /// Skips to the end of the current statement: a newline or `;` outside braces, or the `}` closing the block.
    /// Only braces count: the lexer emits no newline inside `(…)`/`[…]` unless it gave up on an unclosed one.
    func synchronize() {
        var depth = 0
        while current.kind != .endOfFile {
            switch current.kind {
            case .newline, .semicolon:
                if depth <= 0 { return }
            case .leftBrace:
                depth += 1
            case .rightBrace:
                if depth <= 0 { return }  // the '}' closing the enclosing block
                depth -= 1
            default:
                break
            }
            advance()
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" || first == "\n" || first == "\r" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\n" || last == "\r" { slice.removeLast() }
        return String(slice)
    }
}
