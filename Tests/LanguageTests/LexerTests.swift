@testable import Language
import Testing

@Suite struct LexerTests {
    func kinds(_ source: String) -> [TokenKind] { Lexer.tokenize(source).map(\.kind) }

    @Test(arguments: [
        ("let x = 1", [TokenKind.letKeyword, .identifier, .assign, .number, .endOfFile]),
        ("a += b -= c *= d /= e", [.identifier, .plusAssign, .identifier, .minusAssign, .identifier, .starAssign,
                                   .identifier, .slashAssign, .identifier, .endOfFile]),
        ("a ** b * c / d % e @ f", [.identifier, .starStar, .identifier, .star, .identifier, .slash, .identifier,
                                    .percent, .identifier, .at, .identifier, .endOfFile]),
        ("== != < <= > >=", [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .endOfFile]),
        ("x => x |> f", [.identifier, .arrow, .identifier, .pipe, .identifier, .endOfFile]),
        ("t[..., ::2]", [.identifier, .leftBracket, .ellipsis, .comma, .colon, .colon, .number, .rightBracket, .endOfFile]),
        ("fn if else while for in break continue try catch import as and or not true false nil return var",
         [.fnKeyword, .ifKeyword, .elseKeyword, .whileKeyword, .forKeyword, .inKeyword, .breakKeyword, .continueKeyword,
          .tryKeyword, .catchKeyword, .importKeyword, .asKeyword, .andKeyword, .orKeyword, .notKeyword, .trueKeyword,
          .falseKeyword, .nilKeyword, .returnKeyword, .varKeyword, .endOfFile]),
        ("a.b; c", [.identifier, .dot, .identifier, .semicolon, .identifier, .endOfFile]),
        ("x # a comment\ny", [.identifier, .newline, .identifier, .endOfFile]),
    ])
    func tokenKinds(source: String, expected: [TokenKind]) {
        #expect(kinds(source) == expected)
    }

    @Test(arguments: [("42", 42.0), ("3.5", 3.5), ("1e3", 1000), ("2.5E-2", 0.025), ("1_000_000", 1e6), ("0x1F", 31),
                      ("0", 0), ("7.", 7)])
    func numbers(source: String, value: Double) {
        let token = Lexer.tokenize(source)[0]
        #expect(token.kind == .number)
        #expect(token.number == value)
    }

    @Test func newlinesInsideParenthesesAndBracketsAreDropped() {
        #expect(kinds("f(1,\n 2)\n[3,\n4]") == [.identifier, .leftParen, .number, .comma, .number, .rightParen, .newline,
                                                .leftBracket, .number, .comma, .number, .rightBracket, .endOfFile])
        #expect(kinds("{\na\n}") == [.leftBrace, .newline, .identifier, .newline, .rightBrace, .endOfFile])
        #expect(kinds("a \\\n + b") == [.identifier, .plus, .identifier, .endOfFile])
    }

    @Test func positionsAreOneBasedLineAndColumn() {
        let tokens = Lexer.tokenize("let x = 1\n  y")
        #expect((tokens[1].line, tokens[1].column) == (1, 5))
        let y = tokens.first { $0.text == "y" }!
        #expect((y.line, y.column) == (2, 3))
        let accented = Lexer.tokenize("\"é\" + z")
        #expect(accented.last { $0.kind == .identifier }!.column == 7)
    }

    @Test func stringEscapesAndInterpolation() {
        let token = Lexer.tokenize(#""a\tb\n\"q\" \{x\} {{y}} {value:.2f} {d["k"]}""#)[0]
        #expect(token.kind == .string)
        guard token.parts.count == 4 else {
            Issue.record("expected 4 parts, got \(token.parts)")
            return
        }
        if case .literal(let text) = token.parts[0] { #expect(text == "a\tb\n\"q\" {x} {y} ") }
        if case .code(let source, let line, let column, let spec) = token.parts[1] {
            #expect(source == "value")
            #expect(spec == ".2f")
            #expect((line, column) == (1, 27))
        }
        if case .code(let source, _, _, let spec) = token.parts[3] {
            #expect(source == #"d["k"]"#)
            #expect(spec == nil)
        }
    }

    @Test(arguments: [
        ("a ! b", "unexpected character '!' (use 'not' for negation)"),
        ("a | b", "unexpected character '|' (did you mean '|>' or 'or'?)"),
        ("12abc", "malformed number '12abc'"),
        ("\"open", "unterminated string (a string must end on the line where it starts; use \\n)"),
        ("\"bad \\q\"", "unknown escape sequence '\\q'"),
        ("\"{x\"", "unterminated '{' in string interpolation (write '{{' for a literal brace)"),
        ("$", "unexpected character '$'"),
        ("0x", "malformed hexadecimal number '0x'"),
    ])
    func invalidTokensCarryTheirMessage(source: String, message: String) {
        let invalid = Lexer.tokenize(source).first { $0.kind == .invalid }
        #expect(invalid?.text == message)
    }

    @Test func documentationCommentsAttachToTheNextToken() {
        let tokens = Lexer.tokenize("## First line.\n## Second.\nfn f() {}\n# plain\nfn g() {}")
        let functions = tokens.filter { $0.kind == .fnKeyword }
        #expect(functions[0].documentation == "First line.\nSecond.")
        #expect(functions[1].documentation == nil)
    }
}
