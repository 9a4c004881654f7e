/// A line and column in the file being parsed.
struct Position: Sendable {
    var line: Int
    var column: Int
}

/// An expression with its position (the position of its operator for binary expressions, so carets point at it).
struct Expression {
    indirect enum Kind {
        case literal(Value)
        case interpolation([InterpolationPart])
        case name(String)
        case list([Expression])
        case record([(key: String, value: Expression)])
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case contains(element: Expression, container: Expression, negated: Bool)
        case call(Expression, [CallArgument])
        case field(Expression, String)
        case index(Expression, [IndexComponent])
        case function(FunctionDeclaration)
        case ifElse(condition: Expression, then: Block, otherwise: Block?)
        case block(Block)
    }
    var kind: Kind
    var position: Position
}

enum InterpolationPart {
    case literal(String)
    case expression(Expression, spec: String?)
}

struct CallArgument {
    var name: String?
    var value: Expression
}

enum IndexComponent {
    case value(Expression)
    case slice(start: Expression?, stop: Expression?, step: Expression?)
    case ellipsis
}

struct Block {
    var statements: [Statement]
    var position: Position
}

struct Statement {
    enum Kind {
        case expression(Expression)
        /// `let a = …`, `var a = …`; `let a, b = pair` destructures a list.
        case declaration(isConstant: Bool, names: [String], value: Expression?)
        /// `target = value` or `target op= value`.
        case assignment(target: Expression, operation: BinaryOperator?, value: Expression)
        case function(FunctionDeclaration)
        case returnStatement(Expression?)
        case breakStatement
        case continueStatement
        case whileLoop(condition: Expression, body: Block)
        case forLoop(names: [String], sequence: Expression, body: Block)
        case tryCatch(body: Block, errorName: String?, handler: Block)
        case importModule(ImportTarget, alias: String?)
    }
    var kind: Kind
    var position: Position
}

enum ImportTarget {
    /// `import a.b.c`: the dotted name's components.
    case module([String])
    /// `import "path/file.bm"`.
    case file(String)
}

struct Parameter {
    var name: String
    var defaultValue: Expression?
    /// The default's source text, for `help(f)`.
    var defaultText: String?
}

/// A `fn` declaration or a lambda.
final class FunctionDeclaration {
    let name: String
    let parameters: [Parameter]
    let body: Block
    let documentation: String?
    let position: Position
    /// Names referenced inside functions nested in this one (not counting their own parameters): locals of this
    /// function with these names must live in cells, because a closure may capture them.
    let capturedNames: Set<String>

    init(name: String, parameters: [Parameter], body: Block, documentation: String?, position: Position,
         capturedNames: Set<String>) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.documentation = documentation
        self.position = position
        self.capturedNames = capturedNames
    }

    /// `name(a, b=2)`, as `help` shows it.
    var signature: String {
        let list = parameters.map { parameter in
            parameter.defaultText.map { "\(parameter.name)=\($0)" } ?? parameter.name
        }
        return "\(name)(\(list.joined(separator: ", ")))"
    }
}

/// A parsed file or REPL entry.
struct Program {
    var statements: [Statement]
    /// Names referenced by functions in this program: top-level block locals with these names live in cells.
    var capturedNames: Set<String>
}
