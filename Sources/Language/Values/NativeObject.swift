/// Binary operators a native object can implement (`a + b`, `a @ b`, comparisons…).
public enum BinaryOperator: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "**"
    case matrixMultiply = "@"
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

/// Unary operators a native object can implement: `-x` and `not x`.
public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not = "not"
}

/// Which side of a binary operator the native object stands on: `t + 1` is `.left`, `1 + t` is `.right`.
public enum OperandSide: Sendable { case left, right }

/// One component of an index expression `x[i, 1:5, ::2, ...]`, as handed to a native object.
///
/// numpy's meaning: `.value(.number(i))` picks one position, `.slice` a range (each part `.nil` when omitted,
/// `t[::2]` is `.slice(start: .nil, stop: .nil, step: .number(2))`), `.value(.nil)` adds an axis (numpy's newaxis,
/// written `t[nil]`), `.ellipsis` (`...`) stands for all remaining axes; lists, masks and other values come as `.value`.
public enum Subscript {
    case value(Value)
    case slice(start: Value, stop: Value, step: Value)
    case ellipsis
}

/// A host type made available to scripts (tensor, dataset, model, file…). Every requirement has a default, so a type
/// implements only what it supports; unsupported operations produce the language's usual error messages.
public protocol NativeObject: AnyObject {
    /// The name `type(x)` returns and error messages use, e.g. `tensor`.
    var typeName: String { get }
    /// How `print` and `str` show the object.
    var displayString: String { get }
    /// `x.name`: the attribute's value, or nil when there is no such attribute.
    func attribute(_ name: String) throws -> Value?
    /// `x.name = value`: returns false when there is no such settable attribute.
    func setAttribute(_ name: String, to value: Value) throws -> Bool
    /// `x.name(arguments)`: the result, or nil when there is no such method (attributes holding functions also work).
    func callMethod(_ name: String, arguments: Arguments) throws -> Value?
    /// Attribute and method names, listed by `help(x)` and by "no attribute" errors.
    var memberNames: [String] { get }
    /// `x[indices]`.
    func subscriptGet(_ indices: [Subscript]) throws -> Value
    /// `x[indices] = value`.
    func subscriptSet(_ indices: [Subscript], to value: Value) throws
    /// `x op other` (side `.left`) or `other op x` (side `.right`); nil when unsupported for `other`.
    /// `==`/`!=` default to identity when this returns nil.
    func binaryOperation(_ operation: BinaryOperator, other: Value, side: OperandSide) throws -> Value?
    /// `-x` or `not x`; nil when unsupported (`not` then uses `isTruthy`).
    func unaryOperation(_ operation: UnaryOperator) throws -> Value?
    /// Truth value in `if`, `while`, `and`, `or`, `not`. Default: true.
    func isTruthy() throws -> Bool
    /// `for x in object`: a function returning the next element or nil at the end; nil when not iterable.
    func makeIterator() throws -> (() throws -> Value?)?
    /// `len(x)`; nil when the object has no length.
    func length() throws -> Int?
    /// `"{x:spec}"`: the formatted text, or nil to fall back to `displayString` (spec is the text after `:`).
    func format(spec: String) throws -> String?
}

extension NativeObject {
    public var displayString: String { "<\(typeName)>" }
    public func attribute(_ name: String) throws -> Value? { nil }
    public func setAttribute(_ name: String, to value: Value) throws -> Bool { false }
    public func callMethod(_ name: String, arguments: Arguments) throws -> Value? { nil }
    public var memberNames: [String] { [] }
    public func subscriptGet(_ indices: [Subscript]) throws -> Value {
        throw LanguageError("\(typeName) cannot be indexed")
    }
    public func subscriptSet(_ indices: [Subscript], to value: Value) throws {
        throw LanguageError("\(typeName) does not support item assignment")
    }
    public func binaryOperation(_ operation: BinaryOperator, other: Value, side: OperandSide) throws -> Value? { nil }
    public func unaryOperation(_ operation: UnaryOperator) throws -> Value? { nil }
    public func isTruthy() throws -> Bool { true }
    public func makeIterator() throws -> (() throws -> Value?)? { nil }
    public func length() throws -> Int? { nil }
    public func format(spec: String) throws -> String? { nil }
}

/// An error message without a location; the interpreter adds the script location where it surfaces.
/// Hosts may throw it (or any other `Error`, whose `description` becomes the message).
public struct LanguageError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
