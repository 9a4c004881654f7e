/// A local variable: a slot in its function's frame. Locals that closures capture hold a `Cell` in their slot.
final class LocalVariable {
    let name: String
    let slot: Int
    let isCell: Bool
    let isConstant: Bool
    init(name: String, slot: Int, isCell: Bool, isConstant: Bool) {
        self.name = name
        self.slot = slot
        self.isCell = isCell
        self.isConstant = isConstant
    }
}

/// Where a closure gets a captured cell from when it is created: a slot of the enclosing frame, or one of the
/// enclosing function's own captures.
enum CaptureSource {
    case local(slot: Int)
    case capture(index: Int)
}

/// What a name refers to, decided at compile time.
enum Variable {
    case local(LocalVariable)
    case capture(index: Int, LocalVariable)
    case global(Cell)
}

/// Compile-time state of one function (or of a program's top level, whose outermost names are module globals).
final class FunctionContext {
    let parent: FunctionContext?
    let isTopLevel: Bool
    let capturedNames: Set<String>
    var scopes: [[String: LocalVariable]] = []
    var nextSlot = 0
    var maximumSlots = 0
    var captures: [CaptureSource] = []
    var captureIndices: [ObjectIdentifier: Int] = [:]
    var loopDepth = 0

    init(parent: FunctionContext?, isTopLevel: Bool, capturedNames: Set<String>) {
        self.parent = parent
        self.isTopLevel = isTopLevel
        self.capturedNames = capturedNames
    }

    /// True where declarations make module globals (the top level of a program, outside any block).
    var declaresGlobals: Bool { isTopLevel && scopes.isEmpty }

    func declare(_ name: String, isConstant: Bool) -> LocalVariable {
        let variable = LocalVariable(name: name, slot: nextSlot, isCell: capturedNames.contains(name), isConstant: isConstant)
        nextSlot += 1
        maximumSlots = max(maximumSlots, nextSlot)
        scopes[scopes.count - 1][name] = variable
        return variable
    }

    func findLocal(_ name: String) -> LocalVariable? {
        for scope in scopes.reversed() { if let variable = scope[name] { return variable } }
        return nil
    }

    func addCapture(_ source: CaptureSource, for variable: LocalVariable) -> Int {
        let key = ObjectIdentifier(variable)
        if let index = captureIndices[key] { return index }
        captures.append(source)
        captureIndices[key] = captures.count - 1
        return captures.count - 1
    }
}

/// Compiles the AST into a tree of Swift closures. Every name is resolved here to a frame slot, a captured cell or a
/// module global cell, so running code never looks a name up.
final class Compiler {
    let runtime: Runtime
    let module: Module
    let file: SourceFile
    var context: FunctionContext

    init(runtime: Runtime, module: Module, file: SourceFile, capturedNames: Set<String>) {
        self.runtime = runtime
        self.module = module
        self.file = file
        self.context = FunctionContext(parent: nil, isTopLevel: true, capturedNames: capturedNames)
    }

    func location(_ position: Position) -> SourceLocation {
        SourceLocation(file: file, line: position.line, column: position.column)
    }

    func compileError(_ message: String, _ position: Position) -> ScriptError {
        ScriptError(message, at: location(position), kind: "syntax")
    }

    /// Compiles a program's statements; top-level names become module globals (declared first, so functions may
    /// refer to names defined further down). Returns the code and the frame size its block locals need.
    func compileProgram(_ program: Program) throws -> (code: Evaluator, frameSize: Int) {
        for statement in program.statements {
            switch statement.kind {
            case .declaration(let isConstant, let names, _):
                for name in names { _ = module.declare(name, isConstant: isConstant) }
            case .function(let declaration):
                _ = module.declare(declaration.name, isConstant: false)
            case .importModule(let target, let alias):
                if case .module(let components) = target { _ = module.declare(alias ?? components.last!, isConstant: false) }
                else if let alias { _ = module.declare(alias, isConstant: false) }
            default: break
            }
        }
        let code = try compileStatements(program.statements)
        return (code, context.maximumSlots)
    }

    /// Compiles one expression as a program (for `evaluate`).
    func compileStandalone(_ expression: Expression) throws -> (code: Evaluator, frameSize: Int) {
        let code = try compileExpression(expression)
        return (code, context.maximumSlots)
    }

    // MARK: Scopes and names

    /// Opens a block scope; returns what `popScope` needs. (Not a generic `withScope { }`: returning closures
    /// through a generic would wrap them in reabstraction thunks.)
    func pushScope() -> Int {
        context.scopes.append([:])
        return context.nextSlot
    }

    func popScope(_ savedSlot: Int) {
        context.scopes.removeLast()
        context.nextSlot = savedSlot
    }

    func resolve(_ name: String) throws -> Variable {
        try resolve(name, in: context)
    }

    private func resolve(_ name: String, in function: FunctionContext) throws -> Variable {
        if let variable = function.findLocal(name) { return .local(variable) }
        guard let parent = function.parent else { return .global(module.lookup(name)) }
        switch try resolve(name, in: parent) {
        case .global(let cell):
            return .global(cell)
        case .local(let variable):
            guard variable.isCell else {
                throw ScriptError("internal error: '\(name)' is captured but not stored in a cell", at: nil)
            }
            return .capture(index: function.addCapture(.local(slot: variable.slot), for: variable), variable)
        case .capture(let index, let variable):
            return .capture(index: function.addCapture(.capture(index: index), for: variable), variable)
        }
    }

    /// Declares `name` in the current scope: a global at a program's top level, else a local slot.
    func declare(_ name: String, isConstant: Bool) -> Variable {
        if context.declaresGlobals { return .global(module.declare(name, isConstant: isConstant)) }
        return .local(context.declare(name, isConstant: isConstant))
    }

    /// Code that reads a variable.
    func read(_ variable: Variable, _ position: Position) -> Evaluator {
        let runtime = self.runtime
        let location = self.location(position)
        switch variable {
        case .local(let local) where !local.isCell:
            let slot = local.slot
            return { frame in frame.slots[slot] }
        case .local(let local):
            let slot = local.slot
            return { frame in try cell(frame.slots[slot], runtime, location).value }
        case .capture(let index, _):
            return { frame in frame.capture(index).value }
        case .global(let cell):
            return { _ in
                guard cell.isDefined else { throw runtime.error("undefined variable '\(cell.name)'", location) }
                return cell.value
            }
        }
    }

    /// Code that stores the value on the stack top into a variable; `declaring` initialises it (a fresh cell for
    /// captured locals, so each loop iteration's closures see their own variable).
    func write(_ variable: Variable, _ position: Position, declaring: Bool) throws -> (Frame, Value) throws -> Void {
        let runtime = self.runtime
        let location = self.location(position)
        switch variable {
        case .local(let local):
            if !declaring, local.isConstant {
                throw compileError("cannot assign to '\(local.name)': it is declared with 'let' (use 'var' to allow changes)",
                                   position)
            }
            let slot = local.slot
            if !local.isCell { return { frame, value in frame.slots[slot] = value } }
            if declaring {
                let name = local.name
                return { frame, value in frame.slots[slot] = .native(Cell(name: name, value: value)) }
            }
            return { frame, value in try cell(frame.slots[slot], runtime, location).value = value }
        case .capture(let index, let local):
            if local.isConstant {
                throw compileError("cannot assign to '\(local.name)': it is declared with 'let' (use 'var' to allow changes)",
                                   position)
            }
            return { frame, value in frame.capture(index).value = value }
        case .global(let cell):
            if declaring {
                return { _, value in
                    cell.store(value, runtime)
                    cell.isDefined = true
                }
            }
            if module.globals[cell.name] !== cell {
                throw compileError("cannot assign to '\(cell.name)': it is a builtin (declare your own with 'let' or 'var')",
                                   position)
            }
            if cell.isConstant {
                throw compileError("cannot assign to '\(cell.name)': it is declared with 'let' (use 'var' to allow changes)",
                                   position)
            }
            return { _, value in
                guard cell.isDefined else {
                    throw runtime.error("undefined variable '\(cell.name)' (declare it with 'let' or 'var' first)", location)
                }
                cell.store(value, runtime)
            }
        }
    }
}

/// The cell stored in a captured local's slot.
@inline(__always)
func cell(_ value: Value, _ runtime: Runtime, _ location: SourceLocation) throws -> Cell {
    guard case .native(let object) = value else {
        throw runtime.error("internal error: variable used before its declaration", location)
    }
    return unsafeDowncast(object, to: Cell.self)
}
