/// The arguments of a builtin call, with typed accessors that produce the language's standard error messages.
///
/// Arity and keyword names are checked before the builtin runs (from the signature it was registered with); the
/// accessors check types: `args.number(0, "x")` returns argument 0 (or keyword `x`) as a Double or throws
/// `name: argument 1 (x) must be a number, got string`. Positions are 0-based in code and 1-based in messages.
public struct Arguments {
    /// The builtin's name, used in messages.
    public let functionName: String
    /// Positional arguments in order.
    public let positional: [Value]
    /// Keyword arguments `name=value`, in call order.
    public let named: [(String, Value)]
    let parameterNames: [String]
    let runtime: Runtime
    let location: SourceLocation

    /// Number of positional arguments.
    public var count: Int { positional.count }

    /// Positional argument `index`, or nil.
    public subscript(index: Int) -> Value? { index < positional.count ? positional[index] : nil }

    /// Keyword argument `name`, or nil when not given.
    public func keyword(_ name: String) -> Value? {
        named.first(where: { $0.0 == name })?.1
    }

    /// Argument at `index` positionally, or by the keyword `name`; nil when absent.
    public func optional(_ index: Int, _ name: String? = nil) -> Value? {
        if index < positional.count { return positional[index] }
        if let name = name ?? parameterName(index) { return keyword(name) }
        return nil
    }

    private func parameterName(_ index: Int) -> String? {
        index < parameterNames.count ? parameterNames[index] : nil
    }

    /// The message for a wrong type: `f: argument 2 (axis) must be a number, got string`.
    public func typeError(_ index: Int, _ name: String?, expected: String, got value: Value) -> LanguageError {
        let label = (name ?? parameterName(index)).map { " (\($0))" } ?? ""
        return LanguageError("\(functionName): argument \(index + 1)\(label) must be \(expected), got \(value.typeName)")
    }

    /// Any value; throws when missing.
    public func value(_ index: Int, _ name: String? = nil) throws -> Value {
        if let value = optional(index, name) { return value }
        let label = (name ?? parameterName(index)).map { " (\($0))" } ?? ""
        throw LanguageError("\(functionName): missing argument \(index + 1)\(label)")
    }

    public func number(_ index: Int, _ name: String? = nil) throws -> Double {
        let value = try value(index, name)
        guard case .number(let number) = value else { throw typeError(index, name, expected: "a number", got: value) }
        return number
    }

    /// A number that must be a whole number in Int range.
    public func integer(_ index: Int, _ name: String? = nil) throws -> Int {
        let value = try value(index, name)
        guard case .number(let number) = value, let integer = exactInteger(number) else {
            throw typeError(index, name, expected: "an integer", got: value)
        }
        return integer
    }

    public func string(_ index: Int, _ name: String? = nil) throws -> String {
        let value = try value(index, name)
        guard case .string(let string) = value else { throw typeError(index, name, expected: "a string", got: value) }
        return string
    }

    public func bool(_ index: Int, _ name: String? = nil) throws -> Bool {
        let value = try value(index, name)
        guard case .bool(let flag) = value else { throw typeError(index, name, expected: "a bool", got: value) }
        return flag
    }

    public func list(_ index: Int, _ name: String? = nil) throws -> List {
        let value = try value(index, name)
        guard case .list(let list) = value else { throw typeError(index, name, expected: "a list", got: value) }
        return list
    }

    /// A list whose elements are all numbers (e.g. a shape).
    public func numbers(_ index: Int, _ name: String? = nil) throws -> [Double] {
        let value = try value(index, name)
        guard case .list(let list) = value else { throw typeError(index, name, expected: "a list of numbers", got: value) }
        var result: [Double] = []
        result.reserveCapacity(list.count)
        for element in list.elements {
            guard case .number(let number) = element else {
                throw typeError(index, name, expected: "a list of numbers", got: value)
            }
            result.append(number)
        }
        return result
    }

    /// A list of whole numbers (e.g. a shape or axes).
    public func integers(_ index: Int, _ name: String? = nil) throws -> [Int] {
        let value = try value(index, name)
        guard case .list(let list) = value else { throw typeError(index, name, expected: "a list of integers", got: value) }
        return try list.elements.map { element in
            guard case .number(let number) = element, let integer = exactInteger(number) else {
                throw typeError(index, name, expected: "a list of integers", got: value)
            }
            return integer
        }
    }

    public func record(_ index: Int, _ name: String? = nil) throws -> Record {
        let value = try value(index, name)
        guard case .record(let record) = value else { throw typeError(index, name, expected: "a record", got: value) }
        return record
    }

    public func function(_ index: Int, _ name: String? = nil) throws -> Value {
        let value = try value(index, name)
        guard case .function = value else { throw typeError(index, name, expected: "a function", got: value) }
        return value
    }

    /// A native object of class `T`; the message names the type the host registered (`T.typeName`) when known.
    public func native<T: NativeObject>(_ index: Int, as type: T.Type, _ name: String? = nil,
                                        expected: String? = nil) throws -> T {
        let value = try value(index, name)
        guard case .native(let object) = value, let typed = object as? T else {
            throw typeError(index, name, expected: expected ?? "a \(String(describing: T.self))", got: value)
        }
        return typed
    }

    /// Optional typed arguments: nil when absent or `nil`.
    public func optionalNumber(_ index: Int, _ name: String? = nil) throws -> Double? {
        guard let value = optional(index, name), !value.isNil else { return nil }
        return try number(index, name)
    }

    public func optionalInteger(_ index: Int, _ name: String? = nil) throws -> Int? {
        guard let value = optional(index, name), !value.isNil else { return nil }
        return try integer(index, name)
    }

    public func optionalString(_ index: Int, _ name: String? = nil) throws -> String? {
        guard let value = optional(index, name), !value.isNil else { return nil }
        return try string(index, name)
    }

    public func optionalBool(_ index: Int, _ name: String? = nil) throws -> Bool? {
        guard let value = optional(index, name), !value.isNil else { return nil }
        return try bool(index, name)
    }

    /// Calls a `.bm` function or builtin (e.g. a callback passed to this builtin).
    public func call(_ function: Value, _ arguments: [Value], named: [(String, Value)] = []) throws -> Value {
        try runtime.call(function, arguments, named: named, location: location)
    }

    /// Truth value of any value, as `if` sees it.
    public func isTruthy(_ value: Value) throws -> Bool { try runtime.truthy(value, location) }

    /// Text of a value as `print` shows it.
    public func display(_ value: Value) throws -> String { try runtime.display(value) }

    /// Elements of any iterable value (list, range, string, record pairs, native iterable).
    public func elements(_ value: Value) throws -> [Value] { try runtime.collect(value, location) }
}

/// The Int value of a double that is a whole number within ±2^53, else nil (never traps on NaN or huge values).
@inline(__always)
public func exactInteger(_ number: Double) -> Int? {
    guard number.rounded(.towardZero) == number, abs(number) <= 9_007_199_254_740_992 else { return nil }
    return Int(number)
}
