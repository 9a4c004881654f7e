#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.bm` interpreter: the embedding API hosts use.
///
/// ```swift
/// let interpreter = try Interpreter(searchPaths: ["/opt/bm/stdlib"])
/// interpreter.define("hypot", signature: "hypot(x, y)", documentation: "√(x² + y²).") { arguments in
///     .number((try arguments.number(0) * arguments.number(0) + arguments.number(1) * arguments.number(1)).squareRoot())
/// }
/// try interpreter.run(source: "print(hypot(3, 4))", file: "demo.bm")   // prints 5
/// ```
/// Scripts run on a thread with a 512 MiB stack (see `LargeStack`). An interpreter is not thread-safe: use it from
/// one thread at a time.
public final class Interpreter {
    let runtime: Runtime
    var mainModule: Module
    private var onInterpreterThread = false

    /// Creates an interpreter with the core library and `prelude.bm` loaded.
    /// - Parameters:
    ///   - searchPaths: directories searched by `import name` before `BM_PATH` entries and the bundled `stdlib/`.
    ///   - loadPrelude: false for a bare interpreter without the `.bm` part of the prelude.
    /// - Throws: `ScriptError` when the prelude cannot be found or fails to load.
    public init(searchPaths: [String] = [], loadPrelude: Bool = true) throws {
        runtime = Runtime()
        mainModule = Module(name: "<script>", file: nil, fallback: runtime.shared)
        var paths = searchPaths
        if let environment = getenv("BM_PATH") {
            paths += String(cString: environment).split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let bundled = Interpreter.bundledStandardLibrary { paths.append(bundled) }
        runtime.searchPaths = paths
        runtime.helpTopics = Runtime.builtinTopics
        installCoreLibrary()
        installMathLibrary()
        if loadPrelude { try self.loadPrelude() }
    }

    deinit {
        // Freeing deeply nested data recurses; do it on the large stack too.
        let runtime = self.runtime, mainModule = self.mainModule
        LargeStack.run {
            mainModule.clear(runtime)
            runtime.tearDown()
        }
    }

    /// `stdlib/` of the source checkout this library was built from, when it exists.
    public static let bundledStandardLibrary: String? = {
        let source = #filePath
        guard let range = source.firstRange(of: "/Sources/Language/") else { return nil }
        let path = String(source[..<range.lowerBound]) + "/stdlib"
        return fileExists(path + "/prelude.bm") ? path : nil
    }()

    /// Directories `import` searches, in order.
    public var searchPaths: [String] {
        get { runtime.searchPaths }
        set { runtime.searchPaths = newValue }
    }

    /// Receives everything `print` and `help` write (default: standard output).
    public var output: (String) -> Void {
        get { runtime.output }
        set { runtime.output = newValue }
    }

    /// Maximum nesting of `.bm` calls before "stack overflow" (default 10 000).
    public var maximumCallDepth: Int {
        get { runtime.maximumDepth }
        set { runtime.maximumDepth = max(1, min(newValue, 100_000)) }
    }

    /// Limits loop iterations plus calls per `run`/`evaluate`/`call` (nil: unlimited); exceeding it is an error
    /// that `try`/`catch` cannot catch.
    public var stepLimit: Int?

    private func loadPrelude() throws {
        guard let directory = runtime.searchPaths.first(where: { fileExists($0 + "/prelude.bm") }) else {
            throw ScriptError("prelude.bm not found in the search path (" + runtime.searchPaths.joined(separator: ", ")
                              + "); set BM_PATH to bm's stdlib directory", at: nil)
        }
        let path = directory + "/prelude.bm"
        guard let text = readTextFile(path) else { throw ScriptError("cannot read \(path)", at: nil) }
        let file = SourceFile(name: "prelude.bm", path: path, text: text)
        _ = try onLargeStack { try runtime.execute(source: text, file: file, module: runtime.shared, chunkName: "<prelude>") }
    }

    /// Runs `body` on the large-stack thread (directly when already there, e.g. in a builtin called by a script).
    private func onLargeStack<T>(_ body: () throws -> T) throws -> T {
        if onInterpreterThread { return try body() }
        var result: Result<T, any Error>?
        LargeStack.run {
            onInterpreterThread = true
            if let stepLimit { runtime.stepsLeft = stepLimit; runtime.stepLimitDescription = " (step limit \(stepLimit))" }
            else { runtime.stepsLeft = Int.max }
            result = Result { try body() }
            runtime.retired.removeAll()
            onInterpreterThread = false
        }
        return try result!.get()
    }

    // MARK: Running code

    /// Runs a script as the main module (its top-level names stay defined for later runs, as in a REPL).
    /// - Returns: the value of the last statement.
    /// - Throws: `ScriptError` (print its `description` for the full report).
    @discardableResult
    public func run(source: String, file: String = "<script>", path: String? = nil) throws -> Value {
        let sourceFile = SourceFile(name: file, path: path, text: source)
        return try onLargeStack { try runtime.execute(source: source, file: sourceFile, module: mainModule, chunkName: "<script>") }
    }

    /// Runs the file at `path` (imports resolve relative to it).
    @discardableResult
    public func runFile(path: String) throws -> Value {
        guard let text = readTextFile(path) else { throw ScriptError("cannot read file '\(path)'", at: nil) }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let absolute = path.hasPrefix("/") ? path : normalizePath(currentDirectory() + "/" + path)
        return try run(source: text, file: name, path: absolute)
    }

    /// Evaluates one expression in the main module, e.g. `evaluate("fib(10)")`.
    public func evaluate(_ expression: String) throws -> Value {
        let file = SourceFile(name: "<expression>", text: expression)
        return try onLargeStack { try runtime.evaluate(expression: expression, file: file, module: mainModule) }
    }

    /// Calls a function value (e.g. one a script stored or passed to a builtin).
    public func call(_ function: Value, _ arguments: [Value], named: [(String, Value)] = []) throws -> Value {
        try onLargeStack { try runtime.call(function, arguments, named: named) }
    }

    // MARK: Globals and builtins

    /// Makes a builtin function value (for records of functions, i.e. native modules).
    /// - Parameters:
    ///   - signature: `name(a, b, c=1, *rest)`: gives arity (required = without default; `*rest` = variadic) and
    ///     allowed keyword names, checked before `body` runs; also shown by `help`. nil: variadic.
    ///   - body: reads arguments with `Arguments`'s typed accessors; may throw any Error (its description becomes
    ///     the message, with the script location added).
    public func makeFunction(_ name: String, signature: String? = nil, documentation: String? = nil,
                             _ body: @escaping (Arguments) throws -> Value) -> Value {
        .function(Function(builtin: Builtin(name: name, signature: signature, documentation: documentation, body: body)))
    }

    /// Defines a global builtin function visible to every module.
    public func define(_ name: String, signature: String? = nil, documentation: String? = nil,
                       _ body: @escaping (Arguments) throws -> Value) {
        setGlobal(name, makeFunction(name, signature: signature, documentation: documentation, body))
    }

    /// Sets a global visible to every module (scripts may shadow it with their own `let`).
    public func setGlobal(_ name: String, _ value: Value) {
        let cell = runtime.shared.declare(name, isConstant: false)
        cell.store(value, runtime)
        cell.isDefined = true
    }

    /// A global's value: the main script's top-level variable, else a shared builtin; nil when undefined.
    public func global(_ name: String) -> Value? {
        if let cell = mainModule.globals[name], cell.isDefined { return cell.value }
        if let cell = runtime.shared.globals[name], cell.isDefined { return cell.value }
        return nil
    }

    /// Registers a native module that `import name` returns (a record, usually of builtins from `makeFunction`).
    /// With `global: true` it is also a global name, usable without `import`.
    public func registerModule(_ name: String, _ members: [(String, Value)], documentation: String? = nil,
                               global: Bool = false) {
        let record = Record()
        for (key, value) in members { record[key] = value }
        runtime.nativeModules[name] = .record(record)
        if let documentation { runtime.helpTopics[name] = documentation }
        if global { setGlobal(name, .record(record)) }
    }

    /// Adds a topic for `help("name")`.
    public func addHelpTopic(_ name: String, _ text: String) { runtime.helpTopics[name] = text }

    /// The text `print` shows for a value.
    public func display(_ value: Value) -> String {
        (try? runtime.display(value)) ?? "<\(value.typeName)>"
    }

    /// Forgets the main script's top-level names (a fresh REPL session).
    public func resetMainModule() {
        let old = mainModule
        _ = try? onLargeStack { old.clear(runtime) }  // freeing deeply nested data recurses
        mainModule = Module(name: "<script>", file: nil, fallback: runtime.shared)
    }
}

func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
