/// A `.bm` value.
///
/// Numbers are unboxed doubles; strings are Swift strings (value semantics, like Python's immutable str);
/// lists, records and functions are references: `let b = a; b.append(1)` changes `a` too, as in Python.
/// Hosts add their own types (tensors, datasets, models, files) as `.native` objects.
public enum Value {
    case `nil`
    case bool(Bool)
    case number(Double)
    case string(String)
    case list(List)
    case record(Record)
    case function(Function)
    case native(any NativeObject)
}

extension Value {
    /// The name `type(x)` returns: `nil`, `bool`, `number`, `string`, `list`, `record`, `function`, or the native type's name.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .record: return "record"
        case .function: return "function"
        case .native(let object): return object.typeName
        }
    }

    /// Makes a list value holding `elements`.
    public static func makeList(_ elements: [Value]) -> Value { .list(List(elements)) }

    /// Makes a record value with the given fields in order.
    public static func makeRecord(_ fields: KeyValuePairs<String, Value>) -> Value {
        let record = Record()
        for (key, value) in fields { record[key] = value }
        return .record(record)
    }

    /// Makes a record value with the given fields in order.
    public static func makeRecord(_ fields: [(String, Value)]) -> Value {
        let record = Record()
        for (key, value) in fields { record[key] = value }
        return .record(record)
    }

    /// The number, if this is a number.
    public var numberValue: Double? { if case .number(let x) = self { return x } else { return nil } }
    /// The string, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The boolean, if this is a bool.
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The list, if this is a list.
    public var listValue: List? { if case .list(let l) = self { return l } else { return nil } }
    /// The record, if this is a record.
    public var recordValue: Record? { if case .record(let r) = self { return r } else { return nil } }
    /// The function, if this is a function.
    public var functionValue: Function? { if case .function(let f) = self { return f } else { return nil } }
    /// The native object cast to `T`, if this is a native object of that class.
    public func native<T: NativeObject>(as type: T.Type) -> T? {
        if case .native(let object) = self { return object as? T } else { return nil }
    }
    /// True for `nil`.
    public var isNil: Bool { if case .nil = self { return true } else { return false } }
}

extension Value: Equatable, CustomStringConvertible {
    /// Structural equality as `==` in scripts for plain values; natives and functions compare by identity
    /// (a host's `==` hook is not consulted here, since it may throw or return a non-bool).
    public static func == (left: Value, right: Value) -> Bool {
        switch (left, right) {
        case (.nil, .nil): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a === b || a.elements == b.elements
        case (.record(let a), .record(let b)):
            return a === b || (a.count == b.count && a.keys.enumerated().allSatisfy { index, key in b[key] == a.values[index] })
        case (.function(let a), .function(let b)): return a === b
        case (.native(let a), .native(let b)): return a === b
        default: return false
        }
    }

    /// Source-like text, as `repr(x)` gives (strings quoted; nesting beyond 100 levels shown as `...`).
    public var description: String { representationText(self, depth: 0) }
}

/// A mutable, shared list of values (a reference type: copies of a list value see the same elements).
public final class List: @unchecked Sendable {
    public var elements: [Value]
    public init(_ elements: [Value] = []) { self.elements = elements }
    public var count: Int { elements.count }
}

/// A record: string keys in insertion order mapped to values; a shared reference like `List`.
public final class Record: @unchecked Sendable {
    public private(set) var keys: [String] = []
    public private(set) var values: [Value] = []
    private var positions: [String: Int] = [:]

    public init() {}

    /// Number of fields.
    public var count: Int { keys.count }

    /// The value of `key`, or nil if absent; setting adds the key at the end or replaces its value in place.
    public subscript(key: String) -> Value? {
        get {
            if let position = positions[key] { return values[position] }
            return nil
        }
        set {
            if let newValue {
                if let position = positions[key] { values[position] = newValue } else {
                    positions[key] = keys.count
                    keys.append(key)
                    values.append(newValue)
                }
            } else if let position = positions.removeValue(forKey: key) {
                keys.remove(at: position)
                values.remove(at: position)
                for index in position..<keys.count { positions[keys[index]] = index }
            }
        }
    }

    /// Position of `key` in insertion order.
    func position(of key: String) -> Int? { positions[key] }

    /// Replaces the value at `position` (from `position(of:)`).
    func setValue(_ value: Value, at position: Int) { values[position] = value }

    /// A shallow copy.
    public func copy() -> Record {
        let other = Record()
        other.keys = keys
        other.values = values
        other.positions = positions
        return other
    }
}

/// A variable that closures share: captured locals and module globals live in cells.
final class Cell: NativeObject, @unchecked Sendable {
    var value: Value
    /// False until the declaration ran (reading it is then "undefined variable").
    var isDefined: Bool
    var isConstant: Bool
    let name: String
    /// The function a global holds, unretained, for the call fast path: calling through it takes no reference
    /// (no atomic reference counting per call). `value` owns the function, `store` keeps the two in step, and a
    /// function replaced while any call is running is retired rather than freed, so a running call cannot lose it.
    var function: Unmanaged<Function>?

    init(name: String, value: Value = .nil, isDefined: Bool = true, isConstant: Bool = false) {
        self.name = name
        self.value = value
        self.isDefined = isDefined
        self.isConstant = isConstant
    }
    var typeName: String { "cell" }

    /// Replaces a global's value (every write to a module global goes through here).
    func store(_ newValue: Value, _ runtime: Runtime) {
        if function != nil, runtime.depth > 0 { runtime.retired.append(value) }
        value = newValue
        if case .function(let newFunction) = newValue { function = Unmanaged.passUnretained(newFunction) } else { function = nil }
    }
}
