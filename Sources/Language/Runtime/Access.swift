/// Indexing `x[i]`, slicing `x[a:b:c]`, fields `x.name` and their assignments.
extension Runtime {
    func index(_ container: Value, _ indices: [Subscript], _ location: SourceLocation) throws -> Value {
        switch container {
        case .list(let list):
            let index = try single(indices, "list", location)
            if case .slice(let start, let stop, let step) = index {
                let range = try sliceRange(start, stop, step, count: list.count, location)
                return .list(List(range.map { list.elements[$0] }))
            }
            return list.elements[try position(index, count: list.count, "list", location)]
        case .string(let string):
            let index = try single(indices, "string", location)
            let characters = Array(string)
            if case .slice(let start, let stop, let step) = index {
                let range = try sliceRange(start, stop, step, count: characters.count, location)
                return .string(String(range.map { characters[$0] }))
            }
            return .string(String(characters[try position(index, count: characters.count, "string", location)]))
        case .record(let record):
            let index = try single(indices, "record", location)
            guard case .value(.string(let key)) = index else {
                throw error("record keys are strings, got \(describeSubscript(index))", location)
            }
            guard let value = record[key] else { throw unknownKey(key, record, location) }
            return value
        case .native(let object):
            do { return try object.subscriptGet(indices) } catch { throw locate(error, location) }
        default:
            throw error("\(container.typeName) cannot be indexed", location)
        }
    }

    func setIndex(_ container: Value, _ indices: [Subscript], _ value: Value, _ location: SourceLocation) throws {
        switch container {
        case .list(let list):
            let index = try single(indices, "list", location)
            if case .slice(let start, let stop, let step) = index {
                guard case .list(let replacement) = value else {
                    throw error("can only assign a list to a list slice, got \(value.typeName)", location)
                }
                guard step.isNil || step.numberValue == 1 else {
                    throw error("slice assignment supports only step 1", location)
                }
                let count = list.count
                func clamp(_ bound: Int?, _ defaultValue: Int) -> Int {
                    guard var bound else { return defaultValue }
                    if bound < 0 { bound += count }
                    return min(max(bound, 0), count)
                }
                let lower = clamp(try sliceBound(start, count: count, location), 0)
                let upper = max(lower, clamp(try sliceBound(stop, count: count, location), count))
                list.elements.replaceSubrange(lower..<upper, with: replacement.elements)
                return
            }
            list.elements[try position(index, count: list.count, "list", location)] = value
        case .record(let record):
            let index = try single(indices, "record", location)
            guard case .value(.string(let key)) = index else {
                throw error("record keys are strings, got \(describeSubscript(index))", location)
            }
            record[key] = value
        case .native(let object):
            do { try object.subscriptSet(indices, to: value) } catch { throw locate(error, location) }
        case .string:
            throw error("strings are immutable: build a new one instead of assigning to an index", location)
        default:
            throw error("\(container.typeName) does not support item assignment", location)
        }
    }

    private func single(_ indices: [Subscript], _ type: String, _ location: SourceLocation) throws -> Subscript {
        guard indices.count == 1 else { throw error("a \(type) takes one index, got \(indices.count)", location) }
        return indices[0]
    }

    private func describeSubscript(_ index: Subscript) -> String {
        switch index {
        case .value(let value): return value.typeName
        case .slice: return "a slice"
        case .ellipsis: return "'...'"
        }
    }

    /// A list or string position, negative counting from the end.
    func position(_ index: Subscript, count: Int, _ type: String, _ location: SourceLocation) throws -> Int {
        guard case .value(let value) = index, case .number(let number) = value else {
            throw error("\(type) index must be an integer, got \(describeSubscript(index))", location)
        }
        guard let integer = exactInteger(number) else {
            throw error("\(type) index must be an integer, got \(numberText(number))", location)
        }
        let position = integer < 0 ? integer + count : integer
        guard position >= 0, position < count else {
            throw error("\(type) index \(integer) out of range for length \(count)", location)
        }
        return position
    }

    private func sliceBound(_ value: Value, count: Int, _ location: SourceLocation) throws -> Int? {
        switch value {
        case .nil: return nil
        case .number(let number):
            guard let integer = exactInteger(number) else {
                throw error("slice bounds must be integers, got \(numberText(number))", location)
            }
            return integer
        default: throw error("slice bounds must be integers, got \(value.typeName)", location)
        }
    }

    /// Python slice semantics: bounds clamp, negative bounds count from the end, step may be negative.
    func sliceRange(_ start: Value, _ stop: Value, _ step: Value, count: Int, _ location: SourceLocation) throws -> StrideTo<Int> {
        let stepValue = try sliceBound(step, count: count, location) ?? 1
        guard stepValue != 0 else { throw error("slice step cannot be zero", location) }
        func clamp(_ bound: Int?, _ defaultValue: Int) -> Int {
            guard var bound else { return defaultValue }
            if bound < 0 { bound += count }
            return stepValue > 0 ? min(max(bound, 0), count) : min(max(bound, -1), count - 1)
        }
        let lower = clamp(try sliceBound(start, count: count, location), stepValue > 0 ? 0 : count - 1)
        let upper = clamp(try sliceBound(stop, count: count, location), stepValue > 0 ? count : -1)
        return stride(from: lower, to: upper, by: stepValue)
    }

    func unknownKey(_ key: String, _ record: Record, _ location: SourceLocation) -> ScriptError {
        let keys = record.keys.isEmpty ? "the record is empty" : "keys: " + record.keys.joined(separator: ", ")
        return error("unknown key '\(key)' (\(keys))", location)
    }

    /// `x.name`: a record's field, a native attribute, or a method bound to its receiver.
    func field(_ container: Value, _ name: String, _ location: SourceLocation) throws -> Value {
        switch container {
        case .record(let record):
            if let value = record[name] { return value }
            if RecordMethods.names.contains(name) { return boundMethod(container, name) }
            throw unknownKey(name, record, location)
        case .native(let object):
            do {
                if let value = try object.attribute(name) { return value }
            } catch { throw locate(error, location) }
            if object.memberNames.contains(name) { return boundMethod(container, name) }
            throw noMember(container, name, location)
        case .list where ListMethods.names.contains(name), .string where StringMethods.names.contains(name):
            return boundMethod(container, name)
        default:
            throw noMember(container, name, location)
        }
    }

    func setField(_ container: Value, _ name: String, _ value: Value, _ location: SourceLocation) throws {
        switch container {
        case .record(let record):
            record[name] = value
        case .native(let object):
            let done: Bool
            do { done = try object.setAttribute(name, to: value) } catch { throw locate(error, location) }
            if !done { throw error("cannot set attribute '\(name)' of \(object.typeName)", location) }
        default:
            throw error("cannot set field '\(name)' on \(container.typeName)", location)
        }
    }

    func noMember(_ container: Value, _ name: String, _ location: SourceLocation) -> ScriptError {
        var available: [String]
        switch container {
        case .list: available = ListMethods.names
        case .string: available = StringMethods.names
        case .record: available = RecordMethods.names
        case .native(let object): available = object.memberNames
        default: available = []
        }
        let suffix = available.isEmpty ? "" : " (available: \(available.sorted().joined(separator: ", ")))"
        return error("\(container.typeName) has no attribute or method '\(name)'\(suffix)", location)
    }

    /// `xs.append` used as a value: a builtin that calls the method on `receiver`.
    func boundMethod(_ receiver: Value, _ name: String) -> Value {
        let builtin = Builtin(name: "\(receiver.typeName).\(name)", signature: nil, documentation: nil) { [unowned self] arguments in
            try self.callMethod(receiver, name, arguments.positional, named: arguments.named, location: arguments.location)
        }
        return .function(Function(builtin: builtin))
    }
}
