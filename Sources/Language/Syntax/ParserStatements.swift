/// Statements and blocks.
extension Parser {
    func parseStatement() throws -> Statement {
        let start = position
        switch current.kind {
        case .letKeyword, .varKeyword:
            let isConstant = advance().kind == .letKeyword
            var names = [try expect(.identifier, "after '\(isConstant ? "let" : "var")'").text]
            while match(.comma) { names.append(try expect(.identifier, "in the list of names").text) }
            var value: Expression? = nil
            if match(.assign) {
                skipNewlines()
                value = try parseExpression()
            } else if isConstant {
                throw failure("'let \(names[0])' needs a value: 'let \(names[0]) = …' (use 'var' for a variable set later)")
            }
            if names.count > 1, value == nil { throw failure("a declaration of several names needs a value to unpack") }
            return Statement(kind: .declaration(isConstant: isConstant, names: names, value: value), position: start)
        case .fnKeyword where peek().kind == .identifier:
            let documentation = current.documentation
            advance()
            let nameToken = advance()
            let declaration = try parseFunctionRest(name: nameToken.text, documentation: documentation, position: start)
            return Statement(kind: .function(declaration), position: start)
        case .returnKeyword:
            advance()
            if check(.newline) || check(.semicolon) || check(.rightBrace) || check(.endOfFile) {
                return Statement(kind: .returnStatement(nil), position: start)
            }
            return Statement(kind: .returnStatement(try parseExpression()), position: start)
        case .breakKeyword:
            advance()
            return Statement(kind: .breakStatement, position: start)
        case .continueKeyword:
            advance()
            return Statement(kind: .continueStatement, position: start)
        case .whileKeyword:
            advance()
            let condition = try parseExpression()
            let body = try parseBlock("after the 'while' condition")
            return Statement(kind: .whileLoop(condition: condition, body: body), position: start)
        case .forKeyword:
            advance()
            var names = [try expect(.identifier, "after 'for'").text]
            while match(.comma) { names.append(try expect(.identifier, "in the list of loop variables").text) }
            try expect(.inKeyword, "after the loop variable")
            let sequence = try parseExpression()
            let body = try parseBlock("after 'for … in …'")
            return Statement(kind: .forLoop(names: names, sequence: sequence, body: body), position: start)
        case .tryKeyword:
            advance()
            let body = try parseBlock("after 'try'")
            if check(.newline), peek().kind == .catchKeyword { advance() }
            try expect(.catchKeyword, "after the 'try' block")
            var name: String? = nil
            if check(.identifier) { name = advance().text }
            let handler = try parseBlock("after 'catch'")
            return Statement(kind: .tryCatch(body: body, errorName: name, handler: handler), position: start)
        case .importKeyword:
            advance()
            let target: ImportTarget
            if check(.string) {
                let token = advance()
                guard token.parts.count <= 1 else { throw failure("an import path cannot contain '{…}'", at: start) }
                if case .literal(let path)? = token.parts.first { target = .file(path) } else { target = .file("") }
            } else {
                var components = [try expect(.identifier, "after 'import'").text]
                while match(.dot) { components.append(try expect(.identifier, "after '.' in a module name").text) }
                target = .module(components)
            }
            var alias: String? = nil
            if match(.asKeyword) { alias = try expect(.identifier, "after 'as'").text }
            if case .file(let path) = target, alias == nil {
                throw failure("importing a file needs a name: import \"\(path)\" as name", at: start)
            }
            let boundName: String
            switch target {
            case .module(let components): boundName = alias ?? components.last!
            case .file: boundName = alias!
            }
            referencedNames[referencedNames.count - 1].insert(boundName)
            return Statement(kind: .importModule(target, alias: alias), position: start)
        case .leftBrace where !looksLikeRecord():
            let block = try parseBlock("")
            return Statement(kind: .expression(Expression(kind: .block(block), position: start)), position: start)
        default:
            let expression = try parseExpression()
            let operation: BinaryOperator?
            switch current.kind {
            case .assign: operation = nil
            case .plusAssign: operation = .add
            case .minusAssign: operation = .subtract
            case .starAssign: operation = .multiply
            case .slashAssign: operation = .divide
            default:
                return Statement(kind: .expression(expression), position: start)
            }
            let operatorPosition = position
            advance()
            switch expression.kind {
            case .name, .field, .index: break
            default: throw failure("cannot assign to this expression (only to a name, a field or an index)", at: start)
            }
            skipNewlines()
            let value = try parseExpression()
            return Statement(kind: .assignment(target: expression, operation: operation, value: value),
                             position: operation == nil ? start : operatorPosition)
        }
    }

    /// At a statement's start, `{` opens a record literal only when it reads `{}`, `{name:` or `{"key":`.
    func looksLikeRecord() -> Bool {
        var offset = 1
        while peek(offset).kind == .newline { offset += 1 }
        let first = peek(offset).kind
        if first == .rightBrace { return true }
        return (first == .identifier || first == .string) && peek(offset + 1).kind == .colon
    }

    /// `{ statements }`.
    func parseBlock(_ context: String) throws -> Block {
        try nested {
            let start = position
            try expect(.leftBrace, context)
            var statements: [Statement] = []
            skipSeparators()
            while !check(.rightBrace) {
                if check(.endOfFile) {
                    throw failure("expected '}' to close the block opened at line \(start.line), found end of file")
                }
                if let statement = parseStatementRecovering() { statements.append(statement) }
                skipSeparators()
            }
            advance()
            return Block(statements: statements, position: start)
        }
    }

    /// After `fn name`: `(parameters) { body }`.
    func parseFunctionRest(name: String, documentation: String?, position start: Position) throws -> FunctionDeclaration {
        try expect(.leftParen, "after the function name")
        referencedNames.append([])
        capturedNames.append([])
        var parameters: [Parameter] = []
        var body: Block
        do {
            parameters = try parseParameters(closing: .rightParen)
            body = try parseBlock("for the function body")
        } catch {
            finishFunction(parameters: [])
            throw error
        }
        let captured = finishFunction(parameters: parameters)
        return FunctionDeclaration(name: name, parameters: parameters, body: body, documentation: documentation,
                                   position: start, capturedNames: captured)
    }

    /// Parameters up to (and including) the closing token: `a, b, k=2`.
    func parseParameters(closing: TokenKind) throws -> [Parameter] {
        var parameters: [Parameter] = []
        while !check(closing) {
            let name = try expect(.identifier, "as a parameter name")
            if parameters.contains(where: { $0.name == name.text }) {
                throw failure("duplicate parameter '\(name.text)'", at: Position(line: name.line, column: name.column))
            }
            var parameter = Parameter(name: name.text)
            if match(.assign) {
                let defaultStart = position
                parameter.defaultValue = try parseExpression()
                parameter.defaultText = sourceText(from: defaultStart, to: position)
            } else if parameters.last?.defaultValue != nil {
                throw failure("parameter '\(name.text)' without a default follows one with a default")
            }
            parameters.append(parameter)
            if !match(.comma) { break }
        }
        try expect(closing, "after the parameters")
        return parameters
    }

    /// Ends a function's name tracking; returns the names its nested functions capture.
    @discardableResult
    func finishFunction(parameters: [Parameter]) -> Set<String> {
        var free = referencedNames.removeLast()
        let captured = capturedNames.removeLast()
        for parameter in parameters { free.remove(parameter.name) }
        referencedNames[referencedNames.count - 1].formUnion(free)
        capturedNames[capturedNames.count - 1].formUnion(free)
        return captured
    }
}
