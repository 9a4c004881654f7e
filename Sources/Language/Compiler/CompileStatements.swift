/// Statements and blocks to closures. A block's value is its last expression statement's value (so `if` and
/// function bodies yield values). `break`, `continue` and `return` set `runtime.flow`; only statements that may
/// contain one check it afterwards, so straight-line code pays nothing.
extension Compiler {
    func compileBlock(_ block: Block, newScope: Bool = true) throws -> Evaluator {
        guard newScope else { return try compileStatements(block.statements) }
        let saved = pushScope()
        defer { popScope(saved) }
        return try compileStatements(block.statements)
    }

    func compileStatements(_ statements: [Statement]) throws -> Evaluator {
        let runtime = self.runtime
        var codes: [Code] = []
        var jumps: [Bool] = []
        for statement in statements {
            codes.append(Code(run: try compileStatement(statement)))
            jumps.append(statementJumps(statement))
        }
        switch codes.count {
        case 0: return { _ in .nil }
        case 1: return codes[0].run
        case 2 where !jumps[0]:
            let first = codes[0].run, second = codes[1].run
            return { frame in
                _ = try first(frame)
                return try second(frame)
            }
        default:
            let last = codes.removeLast().run
            let anyJump = jumps.dropLast().contains(true)
            if !anyJump {
                return { frame in
                    for code in codes { _ = try code.run(frame) }
                    return try last(frame)
                }
            }
            return { frame in
                for code in codes {
                    _ = try code.run(frame)
                    if runtime.flow != .normal { return .nil }
                }
                return try last(frame)
            }
        }
    }

    func compileStatement(_ statement: Statement) throws -> Evaluator {
        let runtime = self.runtime
        let location = self.location(statement.position)
        switch statement.kind {
        case .expression(let expression):
            return try compileExpression(expression)
        case .declaration(let isConstant, let names, let value):
            let valueCode = try compileOptional(value)
            if names.count == 1 {
                let store = try write(declare(names[0], isConstant: isConstant), statement.position, declaring: true)
                return { frame in
                    try store(frame, try valueCode(frame))
                    return .nil
                }
            }
            let stores = try names.map { Store(run: try write(declare($0, isConstant: isConstant), statement.position, declaring: true)) }
            return { frame in
                let parts = try runtime.unpack(try valueCode(frame), count: stores.count, location)
                for index in 0..<stores.count { try stores[index].run(frame, parts[index]) }
                return .nil
            }
        case .assignment(let target, let operation, let value):
            return try compileAssignment(target, operation, value, location)
        case .function(let declaration):
            let variable = declare(declaration.name, isConstant: false)
            // The name exists (as an empty cell if captured) before the closure is made, so it can call itself.
            if case .local(let local) = variable, local.isCell {
                let slot = local.slot, name = declaration.name
                let make = try compileFunction(declaration)
                return { frame in
                    let holder = Cell(name: name)
                    frame.slots[slot] = .native(holder)
                    holder.value = try make(frame)
                    return .nil
                }
            }
            let make = try compileFunction(declaration)
            let store = try write(variable, statement.position, declaring: true)
            return { frame in
                try store(frame, try make(frame))
                return .nil
            }
        case .returnStatement(let value):
            if context.isTopLevel { throw compileError("'return' outside a function", statement.position) }
            let valueCode = try compileOptional(value)
            return { frame in
                runtime.returnValue = try valueCode(frame)
                runtime.flow = .returning
                return .nil
            }
        case .breakStatement, .continueStatement:
            let isBreak: Bool
            if case .breakStatement = statement.kind { isBreak = true } else { isBreak = false }
            if context.loopDepth == 0 {
                throw compileError("'\(isBreak ? "break" : "continue")' outside a loop", statement.position)
            }
            let flow: Flow = isBreak ? .breaking : .continuing
            return { _ in
                runtime.flow = flow
                return .nil
            }
        case .whileLoop(let condition, let body):
            let test = try compileCondition(condition)
            context.loopDepth += 1
            defer { context.loopDepth -= 1 }
            let bodyCode = try compileBlock(body)
            let jumps = blockJumps(body)
            return { frame in
                while try test(frame) {
                    _ = try bodyCode(frame)
                    if jumps, runtime.flow != .normal {
                        if runtime.flow == .returning { break }
                        let stop = runtime.flow == .breaking
                        runtime.flow = .normal
                        if stop { break }
                    }
                    try runtime.countStep(location)
                }
                return .nil
            }
        case .forLoop(let names, let sequence, let body):
            return try compileFor(names, sequence, body, location)
        case .tryCatch(let body, let errorName, let handler):
            let bodyCode = try compileBlock(body)
            let saved = pushScope()
            defer { popScope(saved) }
            var store: ((Frame, Value) throws -> Void) = { _, _ in }
            if let errorName { store = try write(declare(errorName, isConstant: false), statement.position, declaring: true) }
            let handlerCode = try compileBlock(handler, newScope: false)
            return { frame in
                let savedTop = runtime.stackTop, savedDepth = runtime.depth
                do {
                    return try bodyCode(frame)
                } catch let error as ScriptError {
                    if error.kind == "limit" || error.kind == "interrupt" { throw error }
                    runtime.stackTop = savedTop
                    runtime.depth = savedDepth
                    runtime.flow = .normal
                    try store(frame, runtime.errorRecord(error))
                    return try handlerCode(frame)
                }
            }
        case .importModule(let target, let alias):
            let name: String
            switch target {
            case .module(let components): name = alias ?? components.last!
            case .file: name = alias ?? ""
            }
            let store = try write(declare(name, isConstant: false), statement.position, declaring: true)
            let importingFile = file
            return { frame in
                try store(frame, try runtime.importModule(target, from: importingFile, location))
                return .nil
            }
        }
    }

    private func compileFor(_ names: [String], _ sequence: Expression, _ body: Block,
                            _ location: SourceLocation) throws -> Evaluator {
        let runtime = self.runtime
        let sequenceCode = try compileExpression(sequence)
        let saved = pushScope()
        defer { popScope(saved) }
        do {
            let variables = names.map { context.declare($0, isConstant: false) }
            let stores = try variables.map { Store(run: try write(.local($0), body.position, declaring: true)) }
            context.loopDepth += 1
            defer { context.loopDepth -= 1 }
            let bodyCode = try compileBlock(body)
            let jumps = blockJumps(body)
            let single = variables.count == 1 && !variables[0].isCell ? variables[0].slot : nil
            let count = stores.count
            /// Runs one iteration; false stops the loop.
            let iterate: (Frame, Value) throws -> Bool = { frame, element in
                if let single {
                    frame.slots[single] = element
                } else if count == 1 {
                    try stores[0].run(frame, element)
                } else {
                    let parts = try runtime.unpack(element, count: count, location)
                    for index in 0..<count { try stores[index].run(frame, parts[index]) }
                }
                _ = try bodyCode(frame)
                if jumps, runtime.flow != .normal {
                    if runtime.flow == .returning { return false }
                    let stop = runtime.flow == .breaking
                    runtime.flow = .normal
                    if stop { return false }
                }
                try runtime.countStep(location)
                return true
            }
            return { frame in
                let values = try sequenceCode(frame)
                if case .native(let object) = values, let range = object as? RangeObject {
                    // Count directly: nothing is materialised.
                    var index = 0
                    let total = range.count
                    if let single, !jumps {
                        while index < total {
                            frame.slots[single] = .number(range.element(index))
                            _ = try bodyCode(frame)
                            try runtime.countStep(location)
                            index += 1
                        }
                        return .nil
                    }
                    while index < total {
                        if try !iterate(frame, .number(range.element(index))) { break }
                        index += 1
                    }
                    return .nil
                }
                try runtime.forEach(values, location) { element in try iterate(frame, element) }
                return .nil
            }
        }
    }

    private func compileAssignment(_ target: Expression, _ operation: BinaryOperator?, _ value: Expression,
                                   _ location: SourceLocation) throws -> Evaluator {
        let runtime = self.runtime
        let valueCode = try compileExpression(value)
        switch target.kind {
        case .name(let name):
            let variable = try resolve(name)
            let store = try write(variable, target.position, declaring: false)
            guard let operation else {
                return { frame in
                    try store(frame, try valueCode(frame))
                    return .nil
                }
            }
            if case .local(let local) = variable, !local.isCell {
                let slot = local.slot
                return { frame in
                    let right = try valueCode(frame)
                    if case .number(let x) = frame.slots[slot], case .number(let y) = right {
                        frame.slots[slot] = .number(runtime.arithmetic(operation, x, y))
                    } else {
                        frame.slots[slot] = try runtime.binary(operation, frame.slots[slot], right, location)
                    }
                    return .nil
                }
            }
            if case .global(let cell) = variable {
                return { frame in
                    let right = try valueCode(frame)
                    guard cell.isDefined else { throw runtime.error("undefined variable '\(cell.name)'", location) }
                    if case .number(let x) = cell.value, case .number(let y) = right {
                        cell.value = .number(runtime.arithmetic(operation, x, y))  // was a number: `function` stays nil
                    } else {
                        cell.store(try runtime.binary(operation, cell.value, right, location), runtime)
                    }
                    return .nil
                }
            }
            let load = read(variable, target.position)
            return { frame in
                let right = try valueCode(frame)
                try store(frame, try runtime.binary(operation, try load(frame), right, location))
                return .nil
            }
        case .field(let objectExpression, let name):
            let objectCode = try compileExpression(objectExpression)
            return { frame in
                let object = try objectCode(frame)
                var newValue = try valueCode(frame)
                if let operation {
                    newValue = try runtime.binary(operation, try runtime.field(object, name, location), newValue, location)
                }
                try runtime.setField(object, name, newValue, location)
                return .nil
            }
        case .index(let objectExpression, let components):
            let objectCode = try compileExpression(objectExpression)
            let subscripts = try compileSubscripts(components)
            return { frame in
                let object = try objectCode(frame)
                let indices = try subscripts(frame)
                var newValue = try valueCode(frame)
                if let operation {
                    newValue = try runtime.binary(operation, try runtime.index(object, indices, location), newValue, location)
                }
                try runtime.setIndex(object, indices, newValue, location)
                return .nil
            }
        default:
            throw compileError("cannot assign to this expression", target.position)
        }
    }
}

/// A compiled store kept in an array (see `Code`).
struct Store {
    let run: (Frame, Value) throws -> Void
}

extension Compiler {
    func compileOptional(_ expression: Expression?) throws -> Evaluator {
        guard let expression else { return { _ in .nil } }
        return try compileExpression(expression)
    }
}

extension Runtime {
    /// `let a, b = pair` and `for k, v in …`: the value must be a list (or iterable) of exactly `count` elements.
    func unpack(_ value: Value, count: Int, _ location: SourceLocation) throws -> [Value] {
        let parts: [Value]
        switch value {
        case .list(let list): parts = list.elements
        case .native, .string: parts = try collect(value, location)
        default: throw error("cannot unpack \(value.typeName) into \(count) variables", location)
        }
        guard parts.count == count else {
            throw error("cannot unpack \(parts.count) values into \(count) variables", location)
        }
        return parts
    }
}
