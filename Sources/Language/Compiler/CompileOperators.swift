/// Arithmetic and comparisons, specialised at compile time by operator and operand shape (local slot, constant,
/// anything), so `i < n`, `s + i * i` and the like run as a few machine instructions on the number fast path.
protocol NumericOperation {
    static var operation: BinaryOperator { get }
    static func apply(_ a: Double, _ b: Double) -> Double
}
enum AddOperation: NumericOperation {
    static var operation: BinaryOperator { .add }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a + b }
}
enum SubtractOperation: NumericOperation {
    static var operation: BinaryOperator { .subtract }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a - b }
}
enum MultiplyOperation: NumericOperation {
    static var operation: BinaryOperator { .multiply }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a * b }
}
enum DivideOperation: NumericOperation {
    static var operation: BinaryOperator { .divide }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a / b }
}
enum RemainderOperation: NumericOperation {
    static var operation: BinaryOperator { .remainder }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { floorRemainder(a, b) }
}
enum PowerOperation: NumericOperation {
    static var operation: BinaryOperator { .power }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { power(a, b) }
}

protocol ComparisonOperation {
    static var operation: BinaryOperator { get }
    static func apply(_ a: Double, _ b: Double) -> Bool
}
enum LessOperation: ComparisonOperation {
    static var operation: BinaryOperator { .less }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a < b }
}
enum LessOrEqualOperation: ComparisonOperation {
    static var operation: BinaryOperator { .lessOrEqual }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a <= b }
}
enum GreaterOperation: ComparisonOperation {
    static var operation: BinaryOperator { .greater }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a > b }
}
enum GreaterOrEqualOperation: ComparisonOperation {
    static var operation: BinaryOperator { .greaterOrEqual }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a >= b }
}
enum EqualOperation: ComparisonOperation {
    static var operation: BinaryOperator { .equal }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a == b }
}
enum NotEqualOperation: ComparisonOperation {
    static var operation: BinaryOperator { .notEqual }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a != b }
}

/// The shape of an operand, for picking a specialised closure.
enum Operand {
    case slot(Int)
    case constant(Double)
    /// A module global (top-level variables of scripts).
    case global(Cell, SourceLocation)
    case code(Evaluator)
}

/// A global's value, or the "undefined variable" error.
@inline(__always)
func load(_ cell: Cell, _ runtime: Runtime, _ location: SourceLocation) throws -> Value {
    guard cell.isDefined else { throw runtime.error("undefined variable '\(cell.name)'", location) }
    return cell.value
}

extension Compiler {
    func operand(_ expression: Expression) throws -> Operand {
        switch expression.kind {
        case .literal(.number(let number)): return .constant(number)
        case .name(let name):
            switch try resolve(name) {
            case .local(let local) where !local.isCell: return .slot(local.slot)
            case .global(let cell): return .global(cell, location(expression.position))
            default: break
            }
        default: break
        }
        return .code(try compileExpression(expression))
    }

    func compileBinary(_ operation: BinaryOperator, _ left: Expression, _ right: Expression,
                       _ location: SourceLocation) throws -> Evaluator {
        let leftOperand = try operand(left), rightOperand = try operand(right)
        switch operation {
        case .add: return arithmetic(AddOperation.self, leftOperand, rightOperand, location)
        case .subtract: return arithmetic(SubtractOperation.self, leftOperand, rightOperand, location)
        case .multiply: return arithmetic(MultiplyOperation.self, leftOperand, rightOperand, location)
        case .divide: return arithmetic(DivideOperation.self, leftOperand, rightOperand, location)
        case .remainder: return arithmetic(RemainderOperation.self, leftOperand, rightOperand, location)
        case .power: return arithmetic(PowerOperation.self, leftOperand, rightOperand, location)
        case .matrixMultiply:
            let runtime = self.runtime
            let leftCode = evaluator(leftOperand, location), rightCode = evaluator(rightOperand, location)
            return { frame in
                let a = try leftCode(frame)
                return try runtime.binary(.matrixMultiply, a, try rightCode(frame), location)
            }
        default:
            let runtime = self.runtime
            let leftCode = evaluator(leftOperand, location), rightCode = evaluator(rightOperand, location)
            // Comparisons involving natives return whatever the host returns (a bool tensor for `t > 2`).
            return { frame in
                let a = try leftCode(frame)
                let b = try rightCode(frame)
                if case .number(let x) = a, case .number(let y) = b { return .bool(compareNumbers(operation, x, y)) }
                return try runtime.binary(operation, a, b, location)
            }
        }
    }

    func evaluator(_ operand: Operand, _ location: SourceLocation) -> Evaluator {
        switch operand {
        case .slot(let slot): return { frame in frame.slots[slot] }
        case .constant(let number): return { _ in .number(number) }
        case .code(let code): return code
        case .global(let cell, let location):
            let runtime = self.runtime
            return { _ in
                guard cell.isDefined else { throw runtime.error("undefined variable '\(cell.name)'", location) }
                return cell.value
            }
        }
    }

    private func arithmetic<Operation: NumericOperation>(_ type: Operation.Type, _ left: Operand, _ right: Operand,
                                                          _ location: SourceLocation) -> Evaluator {
        let runtime = self.runtime
        switch (left, right) {
        case (.slot(let a), .constant(let y)):
            let node = SlotConstantArithmetic<Operation>(runtime: runtime, slot: a, constant: y, location: location)
            return { frame in try node.run(frame) }
        case (.slot(let a), .slot(let b)):
            return { frame in
                if case .number(let x) = frame.slots[a], case .number(let y) = frame.slots[b] {
                    return .number(Operation.apply(x, y))
                }
                return try runtime.binary(Operation.operation, frame.slots[a], frame.slots[b], location)
            }
        case (.code(let code), .constant(let y)):
            return { frame in
                let value = try code(frame)
                if case .number(let x) = value { return .number(Operation.apply(x, y)) }
                return try runtime.binary(Operation.operation, value, .number(y), location)
            }
        case (.slot(let a), .code(let code)):
            return { frame in
                let value = try code(frame)
                if case .number(let x) = frame.slots[a], case .number(let y) = value { return .number(Operation.apply(x, y)) }
                return try runtime.binary(Operation.operation, frame.slots[a], value, location)
            }
        case (.global(let cell, let cellLocation), .constant(let y)):
            return { _ in
                let value = try load(cell, runtime, cellLocation)
                if case .number(let x) = value { return .number(Operation.apply(x, y)) }
                return try runtime.binary(Operation.operation, value, .number(y), location)
            }
        case (.global(let a, let aLocation), .global(let b, let bLocation)):
            return { _ in
                let left = try load(a, runtime, aLocation), right = try load(b, runtime, bLocation)
                if case .number(let x) = left, case .number(let y) = right { return .number(Operation.apply(x, y)) }
                return try runtime.binary(Operation.operation, left, right, location)
            }
        default:
            let node = CodeArithmetic<Operation>(runtime: runtime, leftCode: evaluator(left, location),
                                                 rightCode: evaluator(right, location), location: location)
            return { frame in try node.run(frame) }
        }
    }

    private func comparison<Operation: ComparisonOperation>(_ type: Operation.Type, _ left: Operand, _ right: Operand,
                                                             _ location: SourceLocation) -> Condition {
        let runtime = self.runtime
        switch (left, right) {
        case (.slot(let a), .constant(let y)):
            return { frame in
                if case .number(let x) = frame.slots[a] { return Operation.apply(x, y) }
                return try runtime.truthy(try runtime.binary(Operation.operation, frame.slots[a], .number(y), location), location)
            }
        case (.slot(let a), .slot(let b)):
            return { frame in
                if case .number(let x) = frame.slots[a], case .number(let y) = frame.slots[b] { return Operation.apply(x, y) }
                return try runtime.truthy(try runtime.binary(Operation.operation, frame.slots[a], frame.slots[b], location),
                                          location)
            }
        case (.code(let code), .constant(let y)):
            return { frame in
                let value = try code(frame)
                if case .number(let x) = value { return Operation.apply(x, y) }
                return try runtime.truthy(try runtime.binary(Operation.operation, value, .number(y), location), location)
            }
        case (.global(let cell, let cellLocation), .constant(let y)):
            return { _ in
                let value = try load(cell, runtime, cellLocation)
                if case .number(let x) = value { return Operation.apply(x, y) }
                return try runtime.truthy(try runtime.binary(Operation.operation, value, .number(y), location), location)
            }
        default:
            let leftCode = evaluator(left, location), rightCode = evaluator(right, location)
            return { frame in
                let a = try leftCode(frame)
                let b = try rightCode(frame)
                if case .number(let x) = a, case .number(let y) = b { return Operation.apply(x, y) }
                return try runtime.truthy(try runtime.binary(Operation.operation, a, b, location), location)
            }
        }
    }

    /// Compiles an expression used as a condition straight to a Bool (no intermediate `.bool` values).
    func compileCondition(_ expression: Expression) throws -> Condition {
        let runtime = self.runtime
        let location = self.location(expression.position)
        switch expression.kind {
        case .literal(.bool(let flag)):
            return { _ in flag }
        case .binary(let operation, let left, let right)
            where [.less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual].contains(operation):
            let leftOperand = try operand(left), rightOperand = try operand(right)
            switch operation {
            case .less: return comparison(LessOperation.self, leftOperand, rightOperand, location)
            case .lessOrEqual: return comparison(LessOrEqualOperation.self, leftOperand, rightOperand, location)
            case .greater: return comparison(GreaterOperation.self, leftOperand, rightOperand, location)
            case .greaterOrEqual: return comparison(GreaterOrEqualOperation.self, leftOperand, rightOperand, location)
            case .equal: return comparison(EqualOperation.self, leftOperand, rightOperand, location)
            default: return comparison(NotEqualOperation.self, leftOperand, rightOperand, location)
            }
        case .and(let left, let right):
            let a = try compileCondition(left), b = try compileCondition(right)
            return { frame in try a(frame) && b(frame) }
        case .or(let left, let right):
            let a = try compileCondition(left), b = try compileCondition(right)
            return { frame in try a(frame) || b(frame) }
        case .unary(.not, let operand):
            let inner = try compileExpression(operand)
            return { frame in
                let value = try inner(frame)
                if case .bool(let flag) = value { return !flag }
                return try runtime.truthy(try runtime.unary(.not, value, location), location)
            }
        default:
            let code = try compileExpression(expression)
            return { frame in
                let value = try code(frame)
                if case .bool(let flag) = value { return flag }
                return try runtime.truthy(value, location)
            }
        }
    }
}

extension Compiler {
    /// `if local < constant { … } else { … }` (any comparison): the test runs inside the `if` node itself, saving a
    /// closure call per evaluation in the most common recursive and loop shapes.
    func compileIfComparingSlot(_ condition: Expression, _ then: Block, _ otherwise: Block?) throws -> Evaluator? {
        guard case .binary(let operation, let left, let right) = condition.kind,
              [.less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual].contains(operation),
              case .slot(let slot) = try operand(left), case .constant(let constant) = try operand(right)
        else { return nil }
        let location = self.location(condition.position)
        let thenCode = try compileBlock(then)
        var elseCode: Evaluator = { _ in .nil }
        if let otherwise { elseCode = try compileBlock(otherwise) }
        switch operation {
        case .less: return slotComparisonBranch(LessOperation.self, slot, constant, thenCode, elseCode, location)
        case .lessOrEqual:
            return slotComparisonBranch(LessOrEqualOperation.self, slot, constant, thenCode, elseCode, location)
        case .greater: return slotComparisonBranch(GreaterOperation.self, slot, constant, thenCode, elseCode, location)
        case .greaterOrEqual:
            return slotComparisonBranch(GreaterOrEqualOperation.self, slot, constant, thenCode, elseCode, location)
        case .equal: return slotComparisonBranch(EqualOperation.self, slot, constant, thenCode, elseCode, location)
        default: return slotComparisonBranch(NotEqualOperation.self, slot, constant, thenCode, elseCode, location)
        }
    }

    private func slotComparisonBranch<Operation: ComparisonOperation>(
        _ type: Operation.Type, _ slot: Int, _ constant: Double, _ thenCode: @escaping Evaluator,
        _ elseCode: @escaping Evaluator, _ location: SourceLocation
    ) -> Evaluator {
        let branch = SlotComparisonBranch<Operation>(runtime: runtime, slot: slot, constant: constant,
                                                     thenCode: thenCode, elseCode: elseCode, location: location)
        return { frame in try branch.run(frame) }
    }
}

/// `if local <op> constant { … } else { … }` specialised by operator; a class so that the compiled closure captures
/// one reference (entering it costs one load instead of unpacking every captured value).
final class SlotComparisonBranch<Operation: ComparisonOperation> {
    let runtime: Runtime
    let slot: Int
    let constant: Double
    let thenCode: Evaluator
    let elseCode: Evaluator
    let location: SourceLocation

    init(runtime: Runtime, slot: Int, constant: Double, thenCode: @escaping Evaluator, elseCode: @escaping Evaluator,
         location: SourceLocation) {
        self.runtime = runtime
        self.slot = slot
        self.constant = constant
        self.thenCode = thenCode
        self.elseCode = elseCode
        self.location = location
    }

    @inline(__always)
    func run(_ frame: Frame) throws -> Value {
        let passed: Bool
        if case .number(let x) = frame.slots[slot] {
            passed = Operation.apply(x, constant)
        } else {
            passed = try test(frame)
        }
        return passed ? try thenCode(frame) : try elseCode(frame)
    }

    /// A local that is not a number: the general operator (tensors, strings, errors).
    @inline(never)
    func test(_ frame: Frame) throws -> Bool {
        try runtime.truthy(try runtime.binary(Operation.operation, frame.slots[slot], .number(constant), location),
                           location)
    }
}

/// `local <op> constant` (`n - 1`) as one object, so the compiled closure captures a single reference.
final class SlotConstantArithmetic<Operation: NumericOperation> {
    let runtime: Runtime
    let slot: Int
    let constant: Double
    let location: SourceLocation

    init(runtime: Runtime, slot: Int, constant: Double, location: SourceLocation) {
        self.runtime = runtime
        self.slot = slot
        self.constant = constant
        self.location = location
    }

    @inline(__always)
    func run(_ frame: Frame) throws -> Value {
        if case .number(let x) = frame.slots[slot] { return .number(Operation.apply(x, constant)) }
        return try general(frame)
    }

    @inline(never)
    func general(_ frame: Frame) throws -> Value {
        try runtime.binary(Operation.operation, frame.slots[slot], .number(constant), location)
    }
}

/// `a <op> b` for any two operands (`fib(n - 1) + fib(n - 2)`), as one object for the same reason.
final class CodeArithmetic<Operation: NumericOperation> {
    let runtime: Runtime
    let leftCode: Evaluator
    let rightCode: Evaluator
    let location: SourceLocation

    init(runtime: Runtime, leftCode: @escaping Evaluator, rightCode: @escaping Evaluator, location: SourceLocation) {
        self.runtime = runtime
        self.leftCode = leftCode
        self.rightCode = rightCode
        self.location = location
    }

    @inline(__always)
    func run(_ frame: Frame) throws -> Value {
        let a = try leftCode(frame)
        let b = try rightCode(frame)
        if case .number(let x) = a, case .number(let y) = b { return .number(Operation.apply(x, y)) }
        return try runtime.binary(Operation.operation, a, b, location)
    }
}
