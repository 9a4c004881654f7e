/// A call `f(x)` of a module-global name with one positional argument: the commonest call in recursive code.
///
/// Why a class rather than a closure's captures: the compiled closure then captures one reference, so entering it
/// costs one load instead of unpacking half a dozen captured values; the fields are read only where needed.
final class GlobalCallSite {
    let runtime: Runtime
    let cell: Cell
    let argument: Evaluator
    let location: SourceLocation
    let calleeLocation: SourceLocation

    init(runtime: Runtime, cell: Cell, argument: @escaping Evaluator, location: SourceLocation,
         calleeLocation: SourceLocation) {
        self.runtime = runtime
        self.cell = cell
        self.argument = argument
        self.location = location
        self.calleeLocation = calleeLocation
    }

    /// A global `.bm` function of one simple parameter is entered without taking a reference to it or its
    /// prototype (see `Cell.function` for why it cannot be freed while it runs); anything else takes `callGenerally`.
    @inline(__always)
    func call(_ frame: Frame) throws -> Value {
        guard let reference = cell.function else { return try callGenerally(frame) }
        return try reference._withUnsafeGuaranteedRef { function in
            guard let prototypeReference = function.prototypeReference else { return try callGenerally(frame) }
            return try prototypeReference._withUnsafeGuaranteedRef { prototype in
                guard prototype.parameterCount == 1, prototype.isSimple else { return try callGenerally(frame) }
                return try runtime.runScript(function, prototype, argument: try argument(frame), location: location)
            }
        }
    }

    /// Builtins, functions of other arities (for their arity error), non-functions and undefined names.
    @inline(never)
    func callGenerally(_ frame: Frame) throws -> Value {
        guard cell.isDefined else { throw runtime.error("undefined variable '\(cell.name)'", calleeLocation) }
        let callee = cell.value
        let value = try argument(frame)
        let base = runtime.stackTop
        guard base + 1 < runtime.stackEnd || runtime.growStack(to: base + 1) else {
            throw runtime.error("stack overflow: value stack exhausted", location)
        }
        base.initialize(to: consume value)
        runtime.stackTop = base + 1
        // A `.bm` function of one parameter: enter it here, without the general dispatch.
        if case .function(let function) = callee, let prototype = function.prototype,
           prototype.parameterCount == 1, prototype.isSimple {
            return try runtime.runScript(function, prototype, base: base, location: location)
        }
        return try runtime.invoke(callee, base: base, count: 1, named: [], location: location)
    }
}
