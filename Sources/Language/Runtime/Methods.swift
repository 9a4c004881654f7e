/// Method calls `x.name(…)`: record fields holding functions (module namespaces), native methods, and the built-in
/// methods of lists, strings and records.
extension Runtime {
    /// A method call whose positional arguments sit on the stack at `base` (the compiled call site's fast path).
    func callMethod(_ receiver: Value, _ name: String, base: UnsafeMutablePointer<Value>, count: Int,
                    named: [(String, Value)], location: SourceLocation) throws -> Value {
        switch receiver {
        case .record(let record):
            if let member = record[name] {
                return try invoke(member, base: base, count: count, named: named, location: location)
            }
        case .list(let list) where count == 1 && name == "append" && named.isEmpty:
            list.elements.append(base[0])
            discardArguments(base, count)
            return .nil
        default:
            break
        }
        let arguments = Array(UnsafeBufferPointer(start: base, count: count))
        discardArguments(base, count)
        return try callMethod(receiver, name, arguments, named: named, location: location)
    }

    func callMethod(_ receiver: Value, _ name: String, _ positional: [Value], named: [(String, Value)],
                    location: SourceLocation) throws -> Value {
        let qualified = "\(receiver.typeName).\(name)"
        func arguments(_ parameterNames: [String] = []) -> Arguments {
            Arguments(functionName: qualified, positional: positional, named: named, parameterNames: parameterNames,
                      runtime: self, location: location)
        }
        do {
            switch receiver {
            case .record(let record):
                if let member = record[name] { return try call(member, positional, named: named, location: location) }
                if let result = try RecordMethods.call(record, name, arguments(), self) { return result }
            case .list(let list):
                if let result = try ListMethods.call(list, name, arguments(), self) { return result }
            case .string(let string):
                if let result = try StringMethods.call(string, name, arguments(), self) { return result }
            case .native(let object):
                if let result = try object.callMethod(name, arguments: arguments()) { return result }
                if let member = try object.attribute(name) {
                    return try call(member, positional, named: named, location: location)
                }
            default:
                break
            }
        } catch {
            throw locate(error, location)
        }
        throw noMember(receiver, name, location)
    }
}

/// Checks a built-in method's argument count: `list.insert: expected 2 arguments, got 1`.
func checkCount(_ arguments: Arguments, _ minimum: Int, _ maximum: Int) throws {
    if arguments.count < minimum || arguments.count > maximum {
        throw LanguageError(arguments.runtime.arityMessage(arguments.functionName, minimum: minimum, maximum: maximum,
                                                            got: arguments.count))
    }
    if let (name, _) = arguments.named.first {
        throw LanguageError("\(arguments.functionName): unknown keyword argument '\(name)'")
    }
}

enum RecordMethods {
    static let names = ["keys", "values", "items", "get", "has", "remove", "len", "copy"]

    static func call(_ record: Record, _ name: String, _ arguments: Arguments, _ runtime: Runtime) throws -> Value? {
        switch name {
        case "keys":
            try checkCount(arguments, 0, 0)
            return .list(List(record.keys.map { .string($0) }))
        case "values":
            try checkCount(arguments, 0, 0)
            return .list(List(record.values))
        case "items":
            try checkCount(arguments, 0, 0)
            return .list(List(zip(record.keys, record.values).map { .list(List([.string($0), $1])) }))
        case "get":
            try checkCount(arguments, 1, 2)
            return record[try arguments.string(0, "key")] ?? arguments[1] ?? .nil
        case "has":
            try checkCount(arguments, 1, 1)
            return .bool(record[try arguments.string(0, "key")] != nil)
        case "remove":
            try checkCount(arguments, 1, 1)
            let key = try arguments.string(0, "key")
            guard let value = record[key] else { throw runtime.unknownKey(key, record, arguments.location) }
            record[key] = nil
            return value
        case "len":
            try checkCount(arguments, 0, 0)
            return .number(Double(record.count))
        case "copy":
            try checkCount(arguments, 0, 0)
            return .record(record.copy())
        default:
            return nil
        }
    }
}
