/// The kinds of token the lexer produces.
enum TokenKind: Equatable, Sendable {
    case identifier, number, string
    // Keywords.
    case letKeyword, varKeyword, fnKeyword, returnKeyword, ifKeyword, elseKeyword, whileKeyword, forKeyword, inKeyword
    case breakKeyword, continueKeyword, tryKeyword, catchKeyword, importKeyword, asKeyword
    case andKeyword, orKeyword, notKeyword, trueKeyword, falseKeyword, nilKeyword
    // Punctuation.
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, dot, colon, semicolon, arrow, pipe, ellipsis
    case plus, minus, star, slash, percent, starStar, at
    case assign, plusAssign, minusAssign, starAssign, slashAssign
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    case newline, endOfFile
    /// A malformed token; its `text` is the error message.
    case invalid
}

/// A piece of a string literal: literal text, or an embedded `{expression:spec}`.
enum StringPart: Sendable {
    case literal(String)
    case code(source: String, line: Int, column: Int, spec: String?)
}

/// One token with its position (1-based line and column of its first character).
struct Token: Sendable {
    var kind: TokenKind
    /// Identifier name, the source spelling of other tokens, or the message of an `.invalid` token.
    var text: String
    var line: Int
    var column: Int
    var number: Double = 0
    var parts: [StringPart] = []
    /// The `##` comment block directly above this token, for docstrings.
    var documentation: String?
}

let keywords: [String: TokenKind] = [
    "let": .letKeyword, "var": .varKeyword, "fn": .fnKeyword, "return": .returnKeyword, "if": .ifKeyword,
    "else": .elseKeyword, "while": .whileKeyword, "for": .forKeyword, "in": .inKeyword, "break": .breakKeyword,
    "continue": .continueKeyword, "try": .tryKeyword, "catch": .catchKeyword, "import": .importKeyword,
    "as": .asKeyword, "and": .andKeyword, "or": .orKeyword, "not": .notKeyword, "true": .trueKeyword,
    "false": .falseKeyword, "nil": .nilKeyword,
]

extension TokenKind {
    /// How the token is written, for "expected X" messages.
    var spelling: String {
        switch self {
        case .identifier: return "a name"
        case .number: return "a number"
        case .string: return "a string"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .colon: return "':'"
        case .arrow: return "'=>'"
        case .assign: return "'='"
        case .newline: return "end of line"
        case .endOfFile: return "end of file"
        case .inKeyword: return "'in'"
        default:
            if let keyword = keywords.first(where: { $0.value == self })?.key { return "'\(keyword)'" }
            return "\(self)"
        }
    }
}
