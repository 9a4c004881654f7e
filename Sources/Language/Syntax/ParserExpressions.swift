/// Expressions, by precedence climbing. From loosest to tightest:
/// lambda `=>`, pipe `|>`, `or`, `and`, `not`, comparisons and `in`, `+ -`, `* / % @`, unary `-`, `**`, postfix.
extension Parser {
    func parseExpression() throws -> Expression {
        try nested {
            if isLambdaStart() { return try parseLambda() }
            return try parseBinary(minimumPrecedence: 1)
        }
    }

    private func binaryPrecedence(_ kind: TokenKind) -> Int? {
        switch kind {
        case .pipe: return 1
        case .orKeyword: return 2
        case .andKeyword: return 3
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .inKeyword: return 5
        case .notKeyword where peek().kind == .inKeyword: return 5
        case .plus, .minus: return 6
        case .star, .slash, .percent, .at: return 7
        default: return nil
        }
    }

    private func parseBinary(minimumPrecedence: Int) throws -> Expression {
        try nested {
            var left: Expression
            if check(.notKeyword), minimumPrecedence <= 4 {
                let start = position
                advance()
                let operand = try parseBinary(minimumPrecedence: 4)
                left = Expression(kind: .unary(.not, operand), position: start)
            } else {
                left = try parseUnary()
            }
            while true {
                // A pipeline may continue on the next line: `xs\n  |> map(f)`.
                if check(.newline), peek().kind == .pipe, minimumPrecedence <= 1 { advance() }
                guard let precedence = binaryPrecedence(current.kind), precedence >= minimumPrecedence else { return left }
                let operatorToken = advance()
                let operatorPosition = Position(line: operatorToken.line, column: operatorToken.column)
                var negated = false
                if operatorToken.kind == .notKeyword {
                    advance()  // `not in`
                    negated = true
                }
                skipNewlines()
                let right = try parseBinary(minimumPrecedence: precedence + 1)
                left = combine(operatorToken.kind, negated: negated, left, right, at: operatorPosition)
            }
        }
    }

    private func combine(_ kind: TokenKind, negated: Bool, _ left: Expression, _ right: Expression,
                         at position: Position) -> Expression {
        let operation: BinaryOperator
        switch kind {
        case .pipe:
            // `a |> f(b)` is `f(a, b)`; `a |> f` is `f(a)`.
            if case .call(let callee, let arguments) = right.kind {
                return Expression(kind: .call(callee, [CallArgument(name: nil, value: left)] + arguments), position: position)
            }
            return Expression(kind: .call(right, [CallArgument(name: nil, value: left)]), position: position)
        case .orKeyword: return Expression(kind: .or(left, right), position: position)
        case .andKeyword: return Expression(kind: .and(left, right), position: position)
        case .inKeyword, .notKeyword:
            return Expression(kind: .contains(element: left, container: right, negated: negated), position: position)
        case .equal: operation = .equal
        case .notEqual: operation = .notEqual
        case .less: operation = .less
        case .lessOrEqual: operation = .lessOrEqual
        case .greater: operation = .greater
        case .greaterOrEqual: operation = .greaterOrEqual
        case .plus: operation = .add
        case .minus: operation = .subtract
        case .star: operation = .multiply
        case .slash: operation = .divide
        case .percent: operation = .remainder
        default: operation = .matrixMultiply
        }
        return Expression(kind: .binary(operation, left, right), position: position)
    }

    private func parseUnary() throws -> Expression {
        try nested {
            if check(.minus) {
                let start = position
                advance()
                let operand = try parseUnary()
                if case .literal(.number(let value)) = operand.kind {
                    return Expression(kind: .literal(.number(-value)), position: start)
                }
                return Expression(kind: .unary(.negate, operand), position: start)
            }
            if check(.plus) {
                throw failure("unary '+' is not supported; write the number alone")
            }
            let base = try parsePostfix()
            if check(.starStar) {
                let operatorPosition = position
                advance()
                skipNewlines()
                let exponent = try parseUnary()  // right-associative; allows `2 ** -1`
                return Expression(kind: .binary(.power, base, exponent), position: operatorPosition)
            }
            return base
        }
    }

    private func parsePostfix() throws -> Expression {
        var expression = try parsePrimary()
        while true {
            if check(.newline), peek().kind == .dot { advance() }  // method chains across lines
            let start = position
            if match(.leftParen) {
                var arguments: [CallArgument] = []
                while !check(.rightParen) {
                    if check(.identifier), peek().kind == .assign {
                        let name = advance().text
                        advance()
                        arguments.append(CallArgument(name: name, value: try parseExpression()))
                    } else {
                        if arguments.last?.name != nil { throw failure("a positional argument cannot follow a named one") }
                        arguments.append(CallArgument(name: nil, value: try parseExpression()))
                    }
                    if !match(.comma) { break }
                }
                try expect(.rightParen, "to close the argument list")
                // Errors in a call point at the callee's name (its field for `x.method(…)`), not at '('.
                expression = Expression(kind: .call(expression, arguments), position: expression.position)
            } else if match(.leftBracket) {
                var components: [IndexComponent] = []
                repeat {
                    if check(.rightBracket) { break }
                    components.append(try parseIndexComponent())
                } while match(.comma)
                try expect(.rightBracket, "to close the index")
                if components.isEmpty { throw failure("empty index '[]'", at: start) }
                expression = Expression(kind: .index(expression, components), position: start)
            } else if match(.dot) {
                let name = advance()
                guard name.kind == .identifier || keywords[name.text] != nil else {
                    throw failure("expected a field or method name after '.', found \(describe(name))", at: start)
                }
                expression = Expression(kind: .field(expression, name.text), position: Position(line: name.line, column: name.column))
            } else {
                return expression
            }
        }
    }

    private func parseIndexComponent() throws -> IndexComponent {
        if match(.ellipsis) { return .ellipsis }
        var start: Expression? = nil
        if !check(.colon) {
            start = try parseExpression()
            if !check(.colon) { return .value(start!) }
        }
        advance()  // ':'
        var stop: Expression? = nil, step: Expression? = nil
        if !check(.colon), !check(.comma), !check(.rightBracket) { stop = try parseExpression() }
        if match(.colon), !check(.comma), !check(.rightBracket) { step = try parseExpression() }
        return .slice(start: start, stop: stop, step: step)
    }

    private func parsePrimary() throws -> Expression {
        let start = position
        let token = current
        switch token.kind {
        case .number:
            advance()
            return Expression(kind: .literal(.number(token.number)), position: start)
        case .string:
            advance()
            return try parseStringParts(token.parts, at: start)
        case .trueKeyword:
            advance()
            return Expression(kind: .literal(.bool(true)), position: start)
        case .falseKeyword:
            advance()
            return Expression(kind: .literal(.bool(false)), position: start)
        case .nilKeyword:
            advance()
            return Expression(kind: .literal(.nil), position: start)
        case .identifier:
            advance()
            referencedNames[referencedNames.count - 1].insert(token.text)
            return Expression(kind: .name(token.text), position: start)
        case .leftParen:
            advance()
            let inner = try parseExpression()
            try expect(.rightParen, "to close '('")
            return inner
        case .leftBracket:
            advance()
            var elements: [Expression] = []
            while !check(.rightBracket) {
                elements.append(try parseExpression())
                if !match(.comma) { break }
            }
            try expect(.rightBracket, "to close the list")
            return Expression(kind: .list(elements), position: start)
        case .leftBrace:
            return try nested { try parseRecord() }
        case .ifKeyword:
            return try parseIf()
        case .fnKeyword:
            let documentation = token.documentation
            advance()
            var name = "<lambda>"
            if check(.identifier) { name = advance().text }
            let declaration = try parseFunctionRest(name: name, documentation: documentation, position: start)
            return Expression(kind: .function(declaration), position: start)
        default:
            throw failure("expected an expression, found \(describe(token))")
        }
    }

    private func parseRecord() throws -> Expression {
        let start = position
        advance()  // '{'
        var fields: [(key: String, value: Expression)] = []
        skipNewlines()
        while !check(.rightBrace) {
            let keyToken = advance()
            let key: String
            switch keyToken.kind {
            case .identifier: key = keyToken.text
            case .string:
                guard keyToken.parts.count <= 1 else { throw failure("a record key cannot contain '{…}'") }
                if case .literal(let text)? = keyToken.parts.first { key = text } else { key = "" }
            default:
                if keywords[keyToken.text] != nil { key = keyToken.text; break }
                throw failure("expected a record key (a name or a string), found \(describe(keyToken))",
                              at: Position(line: keyToken.line, column: keyToken.column))
            }
            try expect(.colon, "after the record key '\(key)'")
            skipNewlines()
            fields.append((key, try parseExpression()))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try expect(.rightBrace, "to close the record")
        return Expression(kind: .record(fields), position: start)
    }

    private func parseIf() throws -> Expression {
        try nested {
            let start = position
            advance()  // 'if'
            let condition = try parseExpression()
            let then = try parseBlock("after the 'if' condition")
            var otherwise: Block? = nil
            if check(.newline), peek().kind == .elseKeyword { advance() }
            if match(.elseKeyword) {
                if check(.ifKeyword) {
                    let elsePosition = position
                    let nestedIf = try parseIf()
                    otherwise = Block(statements: [Statement(kind: .expression(nestedIf), position: elsePosition)],
                                      position: elsePosition)
                } else {
                    otherwise = try parseBlock("after 'else'")
                }
            }
            return Expression(kind: .ifElse(condition: condition, then: then, otherwise: otherwise), position: start)
        }
    }

    // MARK: Lambdas

    /// `x => …`, `(a, b) => …`, `() => …`: decided by looking ahead for `=>` after the parameter list.
    private func isLambdaStart() -> Bool {
        if check(.identifier) { return peek().kind == .arrow }
        guard check(.leftParen) else { return false }
        var offset = 1
        while offset < 4096 {
            let kind = peek(offset).kind
            if kind == .rightParen { return peek(offset + 1).kind == .arrow }
            if kind == .endOfFile || kind == .leftParen || kind == .newline { return false }
            offset += 1
        }
        return false
    }

    private func parseLambda() throws -> Expression {
        let start = position
        referencedNames.append([])
        capturedNames.append([])
        var parameters: [Parameter] = []
        let body: Block
        do {
            if check(.identifier) {
                parameters = [Parameter(name: advance().text)]
            } else {
                advance()  // '('
                parameters = try parseParameters(closing: .rightParen)
            }
            try expect(.arrow, "in the lambda")
            if check(.leftBrace) {
                body = try parseBlock("for the lambda body")
            } else {
                let bodyStart = position
                let expression = try parseExpression()
                body = Block(statements: [Statement(kind: .expression(expression), position: bodyStart)], position: bodyStart)
            }
        } catch {
            finishFunction(parameters: [])
            throw error
        }
        let captured = finishFunction(parameters: parameters)
        let declaration = FunctionDeclaration(name: "<lambda>", parameters: parameters, body: body, documentation: nil,
                                              position: start, capturedNames: captured)
        return Expression(kind: .function(declaration), position: start)
    }

    // MARK: String interpolation

    private func parseStringParts(_ parts: [StringPart], at start: Position) throws -> Expression {
        var result: [InterpolationPart] = []
        for part in parts {
            switch part {
            case .literal(let text):
                result.append(.literal(text))
            case .code(let code, let line, let column, let spec):
                let savedTokens = tokens, savedIndex = index
                tokens = Lexer.tokenize(code, line: line, column: column)
                index = 0
                defer {
                    tokens = savedTokens
                    index = savedIndex
                }
                skipNewlines()
                if check(.endOfFile) { throw failure("empty '{}' in string interpolation (write '{{}}' for braces)", at: start) }
                let expression = try parseExpression()
                skipNewlines()
                if !check(.endOfFile) { throw failure("unexpected \(describe(current)) in string interpolation") }
                result.append(.expression(expression, spec: spec))
            }
        }
        if result.isEmpty { return Expression(kind: .literal(.string("")), position: start) }
        if result.count == 1, case .literal(let text) = result[0] {
            return Expression(kind: .literal(.string(text)), position: start)
        }
        return Expression(kind: .interpolation(result), position: start)
    }
}
