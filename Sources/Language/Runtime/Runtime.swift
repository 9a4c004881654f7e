import Synchronization

/// How a statement ended: normally, or by `break`, `continue` or `return` unwinding to the enclosing loop or call.
enum Flow: UInt8 {
    case normal, breaking, continuing, returning
}

/// The interpreter's mutable state: the value stack that frames are slices of, the call depth, control flow,
/// modules and output. Compiled code holds a reference to it.
final class Runtime {
    /// Every frame's locals live here: a call takes the slots above `stackTop`, and clears them on return.
    let stackBase: UnsafeMutablePointer<Value>
    /// End of the initialised part of the stack; it grows on demand up to `stackCapacity` (initialising all of it
    /// up front would cost milliseconds at every start).
    var stackEnd: UnsafeMutablePointer<Value>
    var stackTop: UnsafeMutablePointer<Value>
    var depth = 0
    var maximumDepth = 10_000
    var flow: Flow = .normal
    var returnValue: Value = .nil
    /// Functions replaced in global cells while calls were running (see `Cell.store`); emptied after each run.
    var retired: [Value] = []
    /// Loop iterations and calls left before "execution budget exhausted" (for fuzzing and sandboxes).
    var stepsLeft = Int.max
    var stepLimitDescription = ""
    /// Set from another thread (the REPL's Ctrl-C) to stop the running code at its next loop iteration or call.
    let interrupt = InterruptFlag()

    /// Host functions, prelude definitions and host modules reachable by name from every module.
    let shared: Module
    var modules: [String: Module] = [:]
    var nativeModules: [String: Value] = [:]
    var loading: Set<String> = []
    var searchPaths: [String] = []
    var helpTopics: [String: String] = [:]
    var output: (String) -> Void = { Swift.print($0, terminator: "") }

    static let stackCapacity = 1 << 22
    static let initialStack = 1 << 12

    /// Initialises more of the value stack so that `pointer` is below `stackEnd`; false when capacity is exhausted.
    @inline(never)
    func growStack(to pointer: UnsafeMutablePointer<Value>) -> Bool {
        let limit = stackBase + Runtime.stackCapacity
        guard pointer < limit else { return false }
        let newEnd = min(limit, max(pointer + 1, stackEnd + (stackEnd - stackBase)))
        stackEnd.initialize(repeating: .nil, count: newEnd - stackEnd)
        stackEnd = newEnd
        return true
    }

    init() {
        stackBase = UnsafeMutablePointer<Value>.allocate(capacity: Runtime.stackCapacity)
        stackBase.initialize(repeating: .nil, count: Runtime.initialStack)
        stackEnd = stackBase + Runtime.initialStack
        stackTop = stackBase
        shared = Module(name: "builtins", file: nil, fallback: nil)
    }

    /// Breaks reference cycles (functions referring to the cells that hold them) so everything can be freed.
    func tearDown() {
        for module in modules.values { module.clear(self) }
        shared.clear(self)
        retired.removeAll()
        nativeModules.removeAll()
        stackBase.update(repeating: .nil, count: stackTop - stackBase)
    }

    deinit {
        stackBase.deinitialize(count: stackEnd - stackBase)
        stackBase.deallocate()
    }

    // MARK: Errors

    func error(_ message: String, _ location: SourceLocation) -> ScriptError {
        ScriptError(message, at: location)
    }

    /// Gives any error thrown by host code or library helpers a script location.
    func locate(_ error: any Error, _ location: SourceLocation) -> ScriptError {
        if let scriptError = error as? ScriptError { return scriptError }
        if let languageError = error as? LanguageError { return ScriptError(languageError.message, at: location) }
        return ScriptError(String(describing: error), at: location, kind: "host", underlying: error)
    }

    @inline(never)
    func stepLimitReached(_ location: SourceLocation) throws {
        if interrupt.isRequested {
            interrupt.clear()
            throw ScriptError("interrupted", at: location, kind: "interrupt")
        }
        stepsLeft = 0
        throw ScriptError("execution budget exhausted\(stepLimitDescription)", at: location, kind: "limit")
    }

    @inline(__always)
    func countStep(_ location: SourceLocation) throws {
        stepsLeft &-= 1
        if stepsLeft < 0 || interrupt.isRequested { try stepLimitReached(location) }
    }
}

/// A module: a file's top-level variables (cells), and the namespace record `import` gives.
final class Module {
    let name: String
    let file: SourceFile?
    var globals: [String: Cell] = [:]
    /// Top-level names in declaration order, for the namespace record.
    var order: [String] = []
    let fallback: Module?
    var namespace: Record?

    init(name: String, file: SourceFile?, fallback: Module?) {
        self.name = name
        self.file = file
        self.fallback = fallback
    }

    /// The cell for a top-level name of this module, created (undefined) if new.
    func declare(_ name: String, isConstant: Bool) -> Cell {
        if let cell = globals[name] {
            cell.isConstant = isConstant
            return cell
        }
        let cell = Cell(name: name, isDefined: false, isConstant: isConstant)
        globals[name] = cell
        order.append(name)
        return cell
    }

    /// Resolves a name at compile time: this module, then the shared builtins; unknown names get an undefined cell
    /// (reading it is a runtime "undefined variable" error, so later definitions still work).
    func lookup(_ name: String) -> Cell {
        if let cell = globals[name] { return cell }
        if let fallback, let cell = fallback.globals[name] { return cell }
        let cell = Cell(name: name, isDefined: false)
        globals[name] = cell
        return cell
    }

    /// The namespace record: the module's defined top-level names not starting with `_`.
    func makeNamespace() -> Record {
        let record = Record()
        for name in order where !name.hasPrefix("_") {
            if let cell = globals[name], cell.isDefined { record[name] = cell.value }
        }
        return record
    }

    func clear(_ runtime: Runtime) {
        for cell in globals.values { cell.store(.nil, runtime) }
        namespace = nil
    }
}

/// A request to stop running code, settable from any thread (a signal watcher, a UI): the interpreter checks it at
/// every loop iteration and call and stops with an "interrupted" error that `try`/`catch` cannot catch.
public final class InterruptFlag: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    /// Asks the running code to stop.
    public func request() { requested.store(true, ordering: .relaxed) }
    /// Withdraws a request (before running the next command).
    public func clear() { requested.store(false, ordering: .relaxed) }
    public var isRequested: Bool { requested.load(ordering: .relaxed) }
}
