/// Iteration over every iterable value: lists, ranges, strings (characters), records (`[key, value]` pairs) and
/// natives that declare an iterator.
extension Runtime {
    /// Calls `body` with each element until it returns false.
    func forEach(_ sequence: Value, _ location: SourceLocation, _ body: (Value) throws -> Bool) throws {
        switch sequence {
        case .list(let list):
            // Index-based so appending inside the loop is seen, and removing does not trap.
            var index = 0
            while index < list.elements.count {
                if try !body(list.elements[index]) { return }
                index += 1
            }
        case .string(let string):
            for character in string where try !body(.string(String(character))) { return }
        case .record(let record):
            let keys = record.keys, values = record.values
            for index in 0..<keys.count where try !body(.list(List([.string(keys[index]), values[index]]))) { return }
        case .native(let object):
            if let range = object as? RangeObject {
                for index in 0..<range.count where try !body(.number(range.element(index))) { return }
                return
            }
            let next: (() throws -> Value?)?
            do { next = try object.makeIterator() } catch { throw locate(error, location) }
            guard let next else { throw error("\(object.typeName) is not iterable", location) }
            while true {
                let element: Value?
                do { element = try next() } catch { throw locate(error, location) }
                guard let element else { return }
                if try !body(element) { return }
            }
        default:
            throw error("cannot iterate over \(sequence.typeName)", location)
        }
    }

    /// All elements of an iterable as an array.
    func collect(_ sequence: Value, _ location: SourceLocation) throws -> [Value] {
        if case .list(let list) = sequence { return list.elements }
        var elements: [Value] = []
        if case .native(let object) = sequence, let range = object as? RangeObject {
            guard range.count <= 100_000_000 else { throw error("range too large to build a list (\(range.count) elements)", location) }
            elements.reserveCapacity(range.count)
        }
        try forEach(sequence, location) { element in
            elements.append(element)
            return true
        }
        return elements
    }

    /// `element in container`.
    func contains(_ container: Value, _ element: Value, _ location: SourceLocation) throws -> Bool {
        switch container {
        case .list(let list):
            for candidate in list.elements where try equal(candidate, element, location) { return true }
            return false
        case .string(let string):
            guard case .string(let part) = element else {
                throw error("'in <string>' needs a string on the left, got \(element.typeName)", location)
            }
            return part.isEmpty || string.contains(part)
        case .record(let record):
            guard case .string(let key) = element else { return false }
            return record[key] != nil
        case .native(let object):
            if let range = object as? RangeObject {
                guard case .number(let number) = element else { return false }
                return range.contains(number)
            }
            var found = false
            try forEach(container, location) { candidate in
                found = try equal(candidate, element, location)
                return !found
            }
            return found
        default:
            throw error("'in' needs a list, string, record or iterable on the right, got \(container.typeName)", location)
        }
    }

    /// `len(x)`.
    func length(_ value: Value, _ location: SourceLocation) throws -> Int {
        switch value {
        case .list(let list): return list.count
        case .string(let string): return string.count
        case .record(let record): return record.count
        case .native(let object):
            let count: Int?
            do { count = try object.length() } catch { throw locate(error, location) }
            guard let count else { throw error("\(object.typeName) has no length", location) }
            return count
        default: throw error("\(value.typeName) has no length", location)
        }
    }
}
