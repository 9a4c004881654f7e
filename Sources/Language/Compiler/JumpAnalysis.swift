/// Whether code may execute `break`, `continue` or `return` (outside nested functions): only then does compiled code
/// need to check `runtime.flow` after it.
extension Compiler {
    func blockJumps(_ block: Block) -> Bool { block.statements.contains(where: statementJumps) }

    func statementJumps(_ statement: Statement) -> Bool {
        switch statement.kind {
        case .returnStatement, .breakStatement, .continueStatement: return true
        case .expression(let expression): return expressionJumps(expression)
        case .declaration(_, _, let value): return value.map(expressionJumps) ?? false
        case .assignment(let target, _, let value): return expressionJumps(target) || expressionJumps(value)
        case .function, .importModule: return false
        case .whileLoop(let condition, let body): return expressionJumps(condition) || blockJumps(body)
        case .forLoop(_, let sequence, let body): return expressionJumps(sequence) || blockJumps(body)
        case .tryCatch(let body, _, let handler): return blockJumps(body) || blockJumps(handler)
        }
    }

    func expressionJumps(_ expression: Expression) -> Bool {
        switch expression.kind {
        case .literal, .name, .function: return false
        case .interpolation(let parts):
            return parts.contains { part in
                if case .expression(let inner, _) = part { return expressionJumps(inner) }
                return false
            }
        case .list(let elements): return elements.contains(where: expressionJumps)
        case .record(let fields): return fields.contains { expressionJumps($0.value) }
        case .unary(_, let operand): return expressionJumps(operand)
        case .binary(_, let left, let right), .and(let left, let right), .or(let left, let right):
            return expressionJumps(left) || expressionJumps(right)
        case .contains(let element, let container, _): return expressionJumps(element) || expressionJumps(container)
        case .call(let callee, let arguments):
            return expressionJumps(callee) || arguments.contains { expressionJumps($0.value) }
        case .field(let object, _): return expressionJumps(object)
        case .index(let object, let components):
            return expressionJumps(object) || components.contains { component in
                switch component {
                case .value(let inner): return expressionJumps(inner)
                case .slice(let start, let stop, let step):
                    return [start, stop, step].contains { $0.map(expressionJumps) ?? false }
                case .ellipsis: return false
                }
            }
        case .ifElse(let condition, let then, let otherwise):
            return expressionJumps(condition) || blockJumps(then) || (otherwise.map(blockJumps) ?? false)
        case .block(let block): return blockJumps(block)
        }
    }
}
