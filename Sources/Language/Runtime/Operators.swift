#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Operators on values. Numbers take the fast paths inlined in compiled code; everything else comes here.
/// With a native object on either side, the host's hook decides; otherwise an unsupported combination is an error
/// naming the operator and both types.
extension Runtime {
    /// Truth value: `nil`, `false`, `0`, `""`, `[]` and `{}` are false (as in Python); natives decide themselves.
    @inline(__always)
    func truthy(_ value: Value, _ location: SourceLocation) throws -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .nil: return false
        case .number(let number): return number != 0
        case .string(let string): return !string.isEmpty
        case .list(let list): return !list.elements.isEmpty
        case .record(let record): return record.count > 0
        case .function: return true
        case .native(let object):
            do { return try object.isTruthy() } catch { throw locate(error, location) }
        }
    }

    /// `a == b`: numbers by value, strings by content, lists and records element by element, functions by identity;
    /// natives through their `==` hook (whose result must then be a bool or truthy).
    func equal(_ left: Value, _ right: Value, _ location: SourceLocation, depth: Int = 0) throws -> Bool {
        switch (left, right) {
        case (.nil, .nil): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)):
            if a === b { return true }
            guard a.count == b.count else { return false }
            guard depth < 500 else { throw error("comparison nested too deeply (a list containing itself?)", location) }
            for index in 0..<a.count where !(try equal(a.elements[index], b.elements[index], location, depth: depth + 1)) {
                return false
            }
            return true
        case (.record(let a), .record(let b)):
            if a === b { return true }
            guard a.count == b.count else { return false }
            guard depth < 500 else { throw error("comparison nested too deeply (a record containing itself?)", location) }
            for (index, key) in a.keys.enumerated() {
                guard let other = b[key], try equal(a.values[index], other, location, depth: depth + 1) else { return false }
            }
            return true
        case (.function(let a), .function(let b)): return a === b
        case (.native(let object), _):
            if let result = try nativeBinary(object, .equal, right, .left, location) { return try truthy(result, location) }
            if case .native(let other) = right { return object === other }
            return false
        case (_, .native(let object)):
            if let result = try nativeBinary(object, .equal, left, .right, location) { return try truthy(result, location) }
            return false
        default: return false
        }
    }

    private func nativeBinary(_ object: any NativeObject, _ operation: BinaryOperator, _ other: Value,
                              _ side: OperandSide, _ location: SourceLocation) throws -> Value? {
        do { return try object.binaryOperation(operation, other: other, side: side) } catch { throw locate(error, location) }
    }

    /// Any binary operator on any values (the slow path of compiled arithmetic and comparisons).
    @inline(never)
    func binary(_ operation: BinaryOperator, _ left: Value, _ right: Value, _ location: SourceLocation) throws -> Value {
        if case .native(let object) = left, let result = try nativeBinary(object, operation, right, .left, location) {
            return result
        }
        if case .native(let object) = right, let result = try nativeBinary(object, operation, left, .right, location) {
            return result
        }
        switch operation {
        case .equal: return .bool(try equal(left, right, location))
        case .notEqual: return .bool(!(try equal(left, right, location)))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            if case .number(let a) = left, case .number(let b) = right { return .bool(compareNumbers(operation, a, b)) }
            let order = try compare(left, right, operation, location)
            switch operation {
            case .less: return .bool(order < 0)
            case .lessOrEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        default: break
        }
        switch (left, right) {
        case (.number(let a), .number(let b)):
            return .number(arithmetic(operation, a, b))
        case (.string(let a), .string(let b)) where operation == .add:
            return .string(a + b)
        case (.list(let a), .list(let b)) where operation == .add:
            return .list(List(a.elements + b.elements))
        case (.string(let text), .number(let times)) where operation == .multiply,
             (.number(let times), .string(let text)) where operation == .multiply:
            let count = try repetitionCount(times, text.utf8.count, location)
            return .string(String(repeating: text, count: count))
        case (.list(let list), .number(let times)) where operation == .multiply,
             (.number(let times), .list(let list)) where operation == .multiply:
            let count = try repetitionCount(times, list.count, location)
            var elements: [Value] = []
            elements.reserveCapacity(count * list.count)
            for _ in 0..<count { elements.append(contentsOf: list.elements) }
            return .list(List(elements))
        default:
            throw error("unsupported operand types for '\(operation.rawValue)': \(left.typeName) and \(right.typeName)",
                        location)
        }
    }

    private func repetitionCount(_ times: Double, _ size: Int, _ location: SourceLocation) throws -> Int {
        guard let count = exactInteger(times) else { throw error("can only repeat a whole number of times, got \(times)", location) }
        let total = max(0, count).multipliedReportingOverflow(by: max(size, 1))
        guard !total.overflow, total.partialValue <= 100_000_000 else {
            throw error("repetition result too large (more than 100000000 elements)", location)
        }
        return max(0, count)
    }

    @inline(__always)
    func arithmetic(_ operation: BinaryOperator, _ a: Double, _ b: Double) -> Double {
        switch operation {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        case .remainder: return floorRemainder(a, b)
        case .power: return power(a, b)
        default: return .nan
        }
    }

    /// Ordering for `<` and friends: numbers, strings (by Unicode scalars), lists lexicographically.
    func compare(_ left: Value, _ right: Value, _ operation: BinaryOperator, _ location: SourceLocation,
                 depth: Int = 0) throws -> Int {
        switch (left, right) {
        case (.number(let a), .number(let b)):
            if a < b { return -1 }
            if a > b { return 1 }
            if a == b { return 0 }
            throw error("cannot order nan", location)
        case (.string(let a), .string(let b)):
            return a == b ? 0 : (a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1)
        case (.list(let a), .list(let b)):
            guard depth < 500 else { throw error("comparison nested too deeply (a list containing itself?)", location) }
            for index in 0..<min(a.count, b.count) {
                let order = try compare(a.elements[index], b.elements[index], operation, location, depth: depth + 1)
                if order != 0 { return order }
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        default:
            throw error("cannot compare \(left.typeName) and \(right.typeName) with '\(operation.rawValue)'", location)
        }
    }

    func unary(_ operation: UnaryOperator, _ operand: Value, _ location: SourceLocation) throws -> Value {
        if case .native(let object) = operand {
            let result: Value?
            do { result = try object.unaryOperation(operation) } catch { throw locate(error, location) }
            if let result { return result }
        }
        switch operation {
        case .not: return .bool(!(try truthy(operand, location)))
        case .negate:
            if case .number(let number) = operand { return .number(-number) }
            throw error("unsupported operand type for unary '-': \(operand.typeName)", location)
        }
    }
}

@inline(__always)
func compareNumbers(_ operation: BinaryOperator, _ a: Double, _ b: Double) -> Bool {
    switch operation {
    case .less: return a < b
    case .lessOrEqual: return a <= b
    case .greater: return a > b
    case .greaterOrEqual: return a >= b
    case .equal: return a == b
    default: return a != b
    }
}

/// Python's `%`: the result has the divisor's sign.
@inline(__always)
func floorRemainder(_ a: Double, _ b: Double) -> Double {
    let remainder = a.truncatingRemainder(dividingBy: b)
    if remainder != 0, (remainder < 0) != (b < 0) { return remainder + b }
    return remainder
}

@inline(__always)
func power(_ a: Double, _ b: Double) -> Double {
    if b == 2 { return a * a }
    return pow(a, b)
}
