/// Expressions to closures.
extension Compiler {
    func compileExpression(_ expression: Expression) throws -> Evaluator {
        let runtime = self.runtime
        let location = self.location(expression.position)
        switch expression.kind {
        case .literal(let value):
            return { _ in value }
        case .interpolation(let parts):
            return try compileInterpolation(parts, location)
        case .name(let name):
            return read(try resolve(name), expression.position)
        case .list(let elements):
            let evaluators = try elements.map { Code(run: try compileExpression($0)) }
            return { frame in
                var values: [Value] = []
                values.reserveCapacity(evaluators.count)
                for evaluator in evaluators { values.append(try evaluator.run(frame)) }
                return .list(List(values))
            }
        case .record(let fields):
            let keys = fields.map(\.key)
            let evaluators = try fields.map { Code(run: try compileExpression($0.value)) }
            return { frame in
                let record = Record()
                for index in 0..<keys.count { record[keys[index]] = try evaluators[index].run(frame) }
                return .record(record)
            }
        case .unary(.negate, let operand):
            let evaluator = try compileExpression(operand)
            return { frame in
                let value = try evaluator(frame)
                if case .number(let number) = value { return .number(-number) }
                return try runtime.unary(.negate, value, location)
            }
        case .unary(.not, let operand):
            let evaluator = try compileExpression(operand)
            return { frame in
                let value = try evaluator(frame)
                if case .bool(let flag) = value { return .bool(!flag) }
                return try runtime.unary(.not, value, location)
            }
        case .binary(let operation, let left, let right):
            return try compileBinary(operation, left, right, location)
        case .and(let left, let right):
            let leftCode = try compileExpression(left), rightCode = try compileExpression(right)
            return { frame in
                let value = try leftCode(frame)
                return try runtime.truthy(value, location) ? try rightCode(frame) : value
            }
        case .or(let left, let right):
            let leftCode = try compileExpression(left), rightCode = try compileExpression(right)
            return { frame in
                let value = try leftCode(frame)
                return try runtime.truthy(value, location) ? value : try rightCode(frame)
            }
        case .contains(let element, let container, let negated):
            let elementCode = try compileExpression(element), containerCode = try compileExpression(container)
            return { frame in
                let item = try elementCode(frame)
                let found = try runtime.contains(try containerCode(frame), item, location)
                return .bool(found != negated)
            }
        case .call(let callee, let arguments):
            return try compileCall(callee, arguments, location)
        case .field(let object, let name):
            let objectCode = try compileExpression(object)
            return { frame in
                let value = try objectCode(frame)
                if case .record(let record) = value, let field = record[name] { return field }
                return try runtime.field(value, name, location)
            }
        case .index(let object, let components):
            return try compileIndex(object, components, location)
        case .function(let declaration):
            return try compileFunction(declaration)
        case .ifElse(let condition, let then, let otherwise):
            if let fused = try compileIfComparingSlot(condition, then, otherwise) { return fused }
            let test = try compileCondition(condition)
            let thenCode = try compileBlock(then)
            guard let otherwise else {
                return { frame in try test(frame) ? try thenCode(frame) : .nil }
            }
            let elseCode = try compileBlock(otherwise)
            return { frame in try test(frame) ? try thenCode(frame) : try elseCode(frame) }
        case .block(let block):
            return try compileBlock(block)
        }
    }

    private func compileInterpolation(_ parts: [InterpolationPart], _ location: SourceLocation) throws -> Evaluator {
        let runtime = self.runtime
        enum Piece {
            case text(String)
            case value(Evaluator, String?)
        }
        let pieces: [Piece] = try parts.map { part in
            switch part {
            case .literal(let text): return .text(text)
            case .expression(let expression, let spec): return .value(try compileExpression(expression), spec)
            }
        }
        return { frame in
            var result = ""
            for piece in pieces {
                switch piece {
                case .text(let text): result += text
                case .value(let evaluator, let spec): result += try runtime.format(try evaluator(frame), spec: spec, location)
                }
            }
            return .string(result)
        }
    }

    private func compileIndex(_ object: Expression, _ components: [IndexComponent],
                              _ location: SourceLocation) throws -> Evaluator {
        let runtime = self.runtime
        let objectCode = try compileExpression(object)
        if components.count == 1, case .value(let indexExpression) = components[0] {
            let indexCode = try compileExpression(indexExpression)
            return { frame in
                let container = try objectCode(frame)
                let index = try indexCode(frame)
                if case .list(let list) = container, case .number(let number) = index {
                    let position = Int(exactly: number) ?? -1
                    if position >= 0, position < list.elements.count { return list.elements[position] }
                }
                return try runtime.index(container, [.value(index)], location)
            }
        }
        let subscripts = try compileSubscripts(components)
        return { frame in
            let container = try objectCode(frame)
            return try runtime.index(container, try subscripts(frame), location)
        }
    }

    func compileSubscripts(_ components: [IndexComponent]) throws -> (Frame) throws -> [Subscript] {
        enum Part {
            case value(Evaluator)
            case slice(Code?, Code?, Code?)
            case ellipsis
        }
        let parts: [Part] = try components.map { component in
            switch component {
            case .value(let expression): return .value(try compileExpression(expression))
            case .slice(let start, let stop, let step):
                return .slice(try start.map { Code(run: try compileExpression($0)) },
                              try stop.map { Code(run: try compileExpression($0)) },
                              try step.map { Code(run: try compileExpression($0)) })
            case .ellipsis: return .ellipsis
            }
        }
        return { frame in
            var result: [Subscript] = []
            result.reserveCapacity(parts.count)
            for part in parts {
                switch part {
                case .value(let code): result.append(.value(try code(frame)))
                case .slice(let start, let stop, let step):
                    result.append(.slice(start: try start?.run(frame) ?? .nil, stop: try stop?.run(frame) ?? .nil,
                                         step: try step?.run(frame) ?? .nil))
                case .ellipsis: result.append(.ellipsis)
                }
            }
            return result
        }
    }

    /// `fn`/lambda: compiles the body in a new function context; at run time pairs it with the captured cells.
    func compileFunction(_ declaration: FunctionDeclaration) throws -> Evaluator {
        let functionContext = FunctionContext(parent: context, isTopLevel: false, capturedNames: declaration.capturedNames)
        let saved = context
        context = functionContext
        defer { context = saved }
        functionContext.scopes.append([:])
        var cellParameters: [Int] = []
        for parameter in declaration.parameters {
            let variable = functionContext.declare(parameter.name, isConstant: false)
            if variable.isCell { cellParameters.append(variable.slot) }
        }
        let defaults = try declaration.parameters.map { parameter in
            try parameter.defaultValue.map { Code(run: try compileExpression($0)) }
        }
        let body = try compileBlock(declaration.body, newScope: false)
        let prototype = FunctionPrototype(
            name: declaration.name, signature: declaration.signature, documentation: declaration.documentation,
            parameterNames: declaration.parameters.map(\.name), defaults: defaults, cellParameters: cellParameters,
            location: location(declaration.position), frameSize: functionContext.maximumSlots, body: body)
        let sources = functionContext.captures
        let runtime = self.runtime
        let location = self.location(declaration.position)
        if sources.isEmpty {
            return { _ in .function(Function(prototype: prototype, captures: [])) }
        }
        return { frame in
            var cells: [Cell] = []
            cells.reserveCapacity(sources.count)
            for source in sources {
                switch source {
                case .local(let slot): cells.append(try cell(frame.slots[slot], runtime, location))
                case .capture(let index): cells.append(frame.capture(index))
                }
            }
            return .function(Function(prototype: prototype, captures: cells))
        }
    }

    // MARK: Calls

    private func compileCall(_ callee: Expression, _ arguments: [CallArgument], _ location: SourceLocation) throws -> Evaluator {
        let runtime = self.runtime
        let positional = try arguments.filter { $0.name == nil }.map { Code(run: try compileExpression($0.value)) }
        let namedNames = arguments.compactMap(\.name)
        let namedCode = try arguments.filter { $0.name != nil }.map { Code(run: try compileExpression($0.value)) }
        var seen = Set<String>()
        for name in namedNames where !seen.insert(name).inserted {
            throw ScriptError("keyword argument '\(name)' given twice", at: location, kind: "syntax")
        }
        let count = positional.count
        /// Evaluates the arguments onto the stack; returns the base.
        let pushArguments: (Frame) throws -> UnsafeMutablePointer<Value> = { frame in
            let base = runtime.stackTop
            guard base + count < runtime.stackEnd || runtime.growStack(to: base + count) else { throw runtime.error("stack overflow: value stack exhausted", location) }
            var index = 0
            do {
                while index < count {
                    base[index] = try positional[index].run(frame)
                    index += 1
                    runtime.stackTop = base + index
                }
            } catch {
                runtime.discardArguments(base, index)
                throw error
            }
            return base
        }
        let evaluateNamed: (Frame) throws -> [(String, Value)] = { frame in
            var result: [(String, Value)] = []
            for index in 0..<namedNames.count { result.append((namedNames[index], try namedCode[index].run(frame))) }
            return result
        }
        if case .field(let receiverExpression, let name) = callee.kind {
            let receiverCode = try compileExpression(receiverExpression)
            let methodLocation = self.location(callee.position)
            return { frame in
                let receiver = try receiverCode(frame)
                let base = try pushArguments(frame)
                let named: [(String, Value)]
                do { named = namedNames.isEmpty ? [] : try evaluateNamed(frame) } catch {
                    runtime.discardArguments(base, count)
                    throw error
                }
                return try runtime.callMethod(receiver, name, base: base, count: count, named: named, location: methodLocation)
            }
        }
        let calleeCode = try compileExpression(callee)
        // Fast paths for the commonest calls: arguments are evaluated into Swift locals first, then stored above the
        // stack top with `initialize` (those slots hold the trivial `nil`, so there is nothing to destroy).
        if namedNames.isEmpty, count == 1 {
            let argument = positional[0].run
            if case .name(let name) = callee.kind, case .global(let cell) = try resolve(name) {
                let site = GlobalCallSite(runtime: runtime, cell: cell, argument: argument, location: location,
                                          calleeLocation: self.location(callee.position))
                return { frame in try site.call(frame) }
            }
            return { frame in
                let function = try calleeCode(frame)
                let value = try argument(frame)
                let base = runtime.stackTop
                guard base + 1 < runtime.stackEnd || runtime.growStack(to: base + 1) else {
                    throw runtime.error("stack overflow: value stack exhausted", location)
                }
                base.initialize(to: consume value)
                runtime.stackTop = base + 1
                return try runtime.invoke(function, base: base, count: 1, named: [], location: location)
            }
        }
        if namedNames.isEmpty, case .name(let name) = callee.kind, case .global(let cell) = try resolve(name) {
            // Any other arity through a global: the same reference-free entry as above when the arity matches.
            return { frame in
                if let reference = cell.function {
                    let result: Value? = try reference._withUnsafeGuaranteedRef { function in
                        guard let prototypeReference = function.prototypeReference else { return nil }
                        return try prototypeReference._withUnsafeGuaranteedRef { prototype -> Value? in
                            guard prototype.parameterCount == count, prototype.isSimple else { return nil }
                            let base = try pushArguments(frame)
                            return try runtime.runScript(function, prototype, base: base, location: location)
                        }
                    }
                    if let result { return result }
                }
                let function = try calleeCode(frame)
                let base = try pushArguments(frame)
                return try runtime.invoke(function, base: base, count: count, named: [], location: location)
            }
        }
        if namedNames.isEmpty, count == 2 {
            let first = positional[0].run, second = positional[1].run
            return { frame in
                let function = try calleeCode(frame)
                let a = try first(frame)
                let b = try second(frame)
                let base = runtime.stackTop
                guard base + 2 < runtime.stackEnd || runtime.growStack(to: base + 2) else {
                    throw runtime.error("stack overflow: value stack exhausted", location)
                }
                base.initialize(to: consume a)
                (base + 1).initialize(to: consume b)
                runtime.stackTop = base + 2
                return try runtime.invoke(function, base: base, count: 2, named: [], location: location)
            }
        }
        if namedNames.isEmpty {
            return { frame in
                let function = try calleeCode(frame)
                let base = try pushArguments(frame)
                return try runtime.invoke(function, base: base, count: count, named: [], location: location)
            }
        }
        return { frame in
            let function = try calleeCode(frame)
            let base = try pushArguments(frame)
            let named: [(String, Value)]
            do { named = try evaluateNamed(frame) } catch {
                runtime.discardArguments(base, count)
                throw error
            }
            return try runtime.invoke(function, base: base, count: count, named: named, location: location)
        }
    }
}
