/// Calling functions. A call site evaluates its positional arguments straight onto the value stack; a `.bm` callee's
/// frame starts there (its parameters are those slots), so a call allocates nothing.
extension Runtime {
    /// Calls `callee` with `count` positional arguments stored at `base` (where `stackTop` now points past them).
    func invoke(_ callee: consuming Value, base: UnsafeMutablePointer<Value>, count: Int, named: [(String, Value)],
                location: SourceLocation) throws -> Value {
        guard case .function(let function) = callee else {
            discardArguments(base, count)
            throw error("cannot call a value of type \(callee.typeName)", location)
        }
        return try invoke(function, base: base, count: count, named: named, location: location)
    }

    @inline(__always)
    func invoke(_ function: Function, base: UnsafeMutablePointer<Value>, count: Int, named: [(String, Value)],
                location: SourceLocation) throws -> Value {
        if let prototype = function.prototype {
            if count == prototype.parameterCount, named.isEmpty, prototype.isSimple {
                return try runScript(function, prototype, base: base, location: location)
            }
            return try runScriptBinding(function, prototype, base: base, count: count, named: named, location: location)
        }
        let positional = Array(UnsafeBufferPointer(start: base, count: count))
        discardArguments(base, count)
        return try callBuiltin(function.builtin.unsafelyUnwrapped, positional: positional, named: named, location: location)
    }

    @inline(__always)
    func discardArguments(_ base: UnsafeMutablePointer<Value>, _ count: Int) {
        base.update(repeating: .nil, count: count)
        stackTop = base
    }

    /// Sets the slots in `start..<end` back to nil, touching only those that hold references (numbers, bools and
    /// nil need no release), so leaving a frame of numbers costs a few tag tests.
    @inline(__always)
    func clearSlots(_ start: UnsafeMutablePointer<Value>, _ end: UnsafeMutablePointer<Value>) {
        var slot = start
        while slot < end {
            switch slot.pointee {
            case .nil, .bool, .number: break
            default: slot.pointee = .nil
            }
            slot += 1
        }
    }

    @inline(never)
    func stackOverflow(_ base: UnsafeMutablePointer<Value>, _ count: Int, _ location: SourceLocation) -> ScriptError {
        discardArguments(base, count)
        return error("stack overflow: more than \(maximumDepth) nested calls (runaway recursion?)", location)
    }

    /// Runs a `.bm` function whose parameters are already in place at `base`.
    @inline(__always)
    func runScript(_ function: Function, _ prototype: FunctionPrototype, base: UnsafeMutablePointer<Value>,
                   location: SourceLocation) throws -> Value {
        let frameEnd = base + prototype.frameSize
        if depth >= maximumDepth || (frameEnd >= stackEnd && !growStack(to: frameEnd)) {
            throw stackOverflow(base, prototype.parameterNames.count, location)
        }
        return try enter(function, prototype, base: base, frameEnd: frameEnd, location: location)
    }

    /// Enters a `.bm` function of one simple parameter whose argument is evaluated but not yet stored: the depth
    /// and stack checks run once, before anything is written (`frameEnd` lies beyond the argument's slot).
    @inline(__always)
    func runScript(_ function: Function, _ prototype: FunctionPrototype, argument: consuming Value,
                   location: SourceLocation) throws -> Value {
        let base = stackTop
        let frameEnd = base + prototype.frameSize
        if depth >= maximumDepth || (frameEnd >= stackEnd && !growStack(to: frameEnd)) {
            throw frameRefused(base, location)
        }
        base.initialize(to: argument)
        return try enter(function, prototype, base: base, frameEnd: frameEnd, location: location)
    }

    /// The error a refused one-argument entry reports: the checks in the order of the general path (room for the
    /// argument, then depth and frame), so the message is the same whichever path the call took.
    @inline(never)
    func frameRefused(_ base: UnsafeMutablePointer<Value>, _ location: SourceLocation) -> ScriptError {
        guard base + 1 < stackEnd || growStack(to: base + 1) else {
            return error("stack overflow: value stack exhausted", location)
        }
        return error("stack overflow: more than \(maximumDepth) nested calls (runaway recursion?)", location)
    }

    /// Runs the body of a function whose frame `base..<frameEnd` has passed the depth and stack checks.
    @inline(__always)
    func enter(_ function: Function, _ prototype: FunctionPrototype, base: UnsafeMutablePointer<Value>,
               frameEnd: UnsafeMutablePointer<Value>, location: SourceLocation) throws -> Value {
        // `depth` stays below `maximumDepth` (checked by every caller), so it cannot overflow: no trap check.
        depth &+= 1
        stackTop = frameEnd
        defer {
            depth &-= 1
            clearSlots(base, frameEnd)
            stackTop = base
        }
        do {
            try countStep(location)
            let result = try prototype.body(Frame(slots: base, function: function))
            if flow == .returning {
                flow = .normal
                let value = returnValue
                returnValue = .nil
                return value
            }
            return result
        } catch let error as ScriptError {
            flow = .normal
            error.unwind(through: prototype.name, callSite: location)
            throw error
        }
    }

    /// The general path: defaults, keyword arguments, arity errors.
    func runScriptBinding(_ function: Function, _ prototype: FunctionPrototype, base: UnsafeMutablePointer<Value>,
                          count: Int, named: [(String, Value)], location: SourceLocation) throws -> Value {
        let parameterCount = prototype.parameterNames.count
        if count > parameterCount {
            discardArguments(base, count)
            throw error(arityMessage(prototype.name, minimum: prototype.requiredCount, maximum: parameterCount, got: count),
                        location)
        }
        if depth >= maximumDepth || (base + prototype.frameSize >= stackEnd && !growStack(to: base + prototype.frameSize)) {
            throw stackOverflow(base, count, location)
        }
        var given = [Bool](repeating: false, count: parameterCount)
        for index in 0..<count { given[index] = true }
        stackTop = base + prototype.frameSize
        for (name, value) in named {
            guard let index = prototype.parameterNames.firstIndex(of: name) else {
                discardArguments(base, prototype.frameSize)
                throw error("\(prototype.name): unknown keyword argument '\(name)' (parameters: "
                            + prototype.parameterNames.joined(separator: ", ") + ")", location)
            }
            if given[index] {
                discardArguments(base, prototype.frameSize)
                throw error("\(prototype.name): argument '\(name)' given twice", location)
            }
            given[index] = true
            base[index] = value
        }
        for index in 0..<parameterCount where !given[index] && prototype.defaults[index] == nil {
            discardArguments(base, prototype.frameSize)
            if named.isEmpty {
                throw error(arityMessage(prototype.name, minimum: prototype.requiredCount, maximum: parameterCount,
                                         got: count), location)
            }
            throw error("\(prototype.name): missing argument '\(prototype.parameterNames[index])'", location)
        }
        depth += 1
        defer {
            depth -= 1
            base.update(repeating: .nil, count: prototype.frameSize)
            stackTop = base
        }
        let frame = Frame(slots: base, function: function)
        do {
            try countStep(location)
            // Defaults run in the callee's frame, after the given arguments, so they may refer to earlier parameters.
            for index in 0..<parameterCount where !given[index] {
                base[index] = try prototype.defaults[index]!.run(frame)
            }
            for index in prototype.cellParameters {
                base[index] = .native(Cell(name: prototype.parameterNames[index], value: base[index]))
            }
            let result = try prototype.body(frame)
            if flow == .returning {
                flow = .normal
                let value = returnValue
                returnValue = .nil
                return value
            }
            return result
        } catch let error as ScriptError {
            flow = .normal
            error.unwind(through: prototype.name, callSite: location)
            throw error
        }
    }

    func arityMessage(_ name: String, minimum: Int, maximum: Int?, got: Int) -> String {
        let expected: String
        if let maximum, maximum == minimum {
            expected = "\(minimum) argument\(minimum == 1 ? "" : "s")"
        } else if let maximum {
            expected = "\(minimum) to \(maximum) arguments"
        } else {
            expected = "at least \(minimum) argument\(minimum == 1 ? "" : "s")"
        }
        return "\(name): expected \(expected), got \(got)"
    }

    func callBuiltin(_ builtin: Builtin, positional: [Value], named: [(String, Value)],
                     location: SourceLocation) throws -> Value {
        let count = positional.count
        if count > (builtin.maximumCount ?? Int.max) || (count < builtin.minimumCount && named.isEmpty) {
            throw error(arityMessage(builtin.name, minimum: builtin.minimumCount, maximum: builtin.maximumCount, got: count),
                        location)
        }
        for (name, _) in named where !builtin.keywordOnlyNames.contains(name) {
            guard let index = builtin.parameterNames.firstIndex(of: name) else {
                throw error("\(builtin.name): unknown keyword argument '\(name)'", location)
            }
            if index < count { throw error("\(builtin.name): argument '\(name)' given twice", location) }
        }
        if count < builtin.minimumCount {
            for index in count..<builtin.minimumCount
            where !named.contains(where: { $0.0 == builtin.parameterNames[index] }) {
                throw error("\(builtin.name): missing argument '\(builtin.parameterNames[index])'", location)
            }
        }
        // Builtins count as calls for `Cell.store`: a function they replace may be running further up.
        depth += 1
        defer { depth -= 1 }
        do {
            try countStep(location)
            return try builtin.body(Arguments(functionName: builtin.name, positional: positional, named: named,
                                              parameterNames: builtin.parameterNames, runtime: self, location: location))
        } catch {
            throw locate(error, location)
        }
    }

    /// Calls any callable value with arguments held in Swift (used by builtins like `map` and by hosts).
    func call(_ callee: Value, _ arguments: [Value], named: [(String, Value)] = [],
              location: SourceLocation = .unknown) throws -> Value {
        let base = stackTop
        guard base + arguments.count < stackEnd || growStack(to: base + arguments.count) else {
            throw error("stack overflow: value stack exhausted", location)
        }
        for (index, argument) in arguments.enumerated() { base[index] = argument }
        stackTop = base + arguments.count
        return try invoke(callee, base: base, count: arguments.count, named: named, location: location)
    }
}
