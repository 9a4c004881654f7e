/// Methods of lists. Lists are shared references: `append`, `pop`, `insert`, `reverse`, `sort`… change the list in place.
enum ListMethods {
    static let names = ["append", "pop", "insert", "index", "reverse", "extend", "remove", "copy", "count", "sort",
                        "contains", "len", "clear"]

    static func call(_ list: List, _ name: String, _ arguments: Arguments, _ runtime: Runtime) throws -> Value? {
        let location = arguments.location
        switch name {
        case "append":
            try checkCount(arguments, 1, 1)
            list.elements.append(arguments.positional[0])
            return .nil
        case "pop":
            try checkCount(arguments, 0, 1)
            guard !list.elements.isEmpty else { throw LanguageError("list.pop: the list is empty") }
            if arguments.count == 0 { return list.elements.removeLast() }
            let index = try runtime.position(.value(arguments.positional[0]), count: list.count, "list", location)
            return list.elements.remove(at: index)
        case "insert":
            try checkCount(arguments, 2, 2)
            var index = try arguments.integer(0, "index")
            if index < 0 { index += list.count }
            list.elements.insert(arguments.positional[1], at: min(max(index, 0), list.count))
            return .nil
        case "index":
            try checkCount(arguments, 1, 1)
            for (position, element) in list.elements.enumerated()
            where try runtime.equal(element, arguments.positional[0], location) {
                return .number(Double(position))
            }
            throw LanguageError("list.index: \(try runtime.representation(arguments.positional[0], depth: 0)) is not in the list")
        case "reverse":
            try checkCount(arguments, 0, 0)
            list.elements.reverse()
            return .nil
        case "extend":
            try checkCount(arguments, 1, 1)
            list.elements.append(contentsOf: try runtime.collect(arguments.positional[0], location))
            return .nil
        case "remove":
            try checkCount(arguments, 1, 1)
            for (position, element) in list.elements.enumerated()
            where try runtime.equal(element, arguments.positional[0], location) {
                list.elements.remove(at: position)
                return .nil
            }
            throw LanguageError("list.remove: \(try runtime.representation(arguments.positional[0], depth: 0)) is not in the list")
        case "copy":
            try checkCount(arguments, 0, 0)
            return .list(List(list.elements))
        case "count":
            try checkCount(arguments, 1, 1)
            var count = 0
            for element in list.elements where try runtime.equal(element, arguments.positional[0], location) { count += 1 }
            return .number(Double(count))
        case "contains":
            try checkCount(arguments, 1, 1)
            return .bool(try runtime.contains(.list(list), arguments.positional[0], location))
        case "len":
            try checkCount(arguments, 0, 0)
            return .number(Double(list.count))
        case "clear":
            try checkCount(arguments, 0, 0)
            list.elements.removeAll()
            return .nil
        case "sort":
            guard arguments.count == 0 else {
                throw LanguageError("list.sort: takes only keyword arguments key= and reverse=, got \(arguments.count) positional")
            }
            for (name, _) in arguments.named where name != "key" && name != "reverse" {
                throw LanguageError("list.sort: unknown keyword argument '\(name)'")
            }
            list.elements = try runtime.sortedValues(list.elements, key: arguments.keyword("key"),
                                                     reverse: arguments.keyword("reverse"), "list.sort", location)
            return .nil
        default:
            return nil
        }
    }
}

extension Runtime {
    /// Stable sort by `key(x)` (or the values themselves), with `<` ordering; errors on incomparable elements.
    func sortedValues(_ values: [Value], key: Value?, reverse: Value?, _ name: String,
                      _ location: SourceLocation) throws -> [Value] {
        var descending = false
        if let reverse, !reverse.isNil {
            guard case .bool(let flag) = reverse else {
                throw LanguageError("\(name): reverse must be a bool, got \(reverse.typeName)")
            }
            descending = flag
        }
        var keys = values
        if let key, !key.isNil { keys = try values.map { try call(key, [$0], location: location) } }
        var failure: (any Error)?
        let order = Array(values.indices).sorted { left, right in
            if failure != nil { return false }
            do {
                let comparison = try compare(keys[left], keys[right], .less, location)
                if comparison == 0 { return left < right }
                return descending ? comparison > 0 : comparison < 0
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return order.map { values[$0] }
    }
}
