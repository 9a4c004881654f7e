/// A callable value: a `.bm` function (closure), a builtin registered by the host, or a method bound to its receiver.
public final class Function: @unchecked Sendable {
    /// The name used in error messages and stack traces (`<lambda>` for anonymous functions).
    public let name: String
    /// `name(a, b=2)` as `help` shows it.
    public let signature: String
    /// The `##` docstring of a `.bm` function or the text a host registered with a builtin.
    public let documentation: String?
    /// The compiled code of a `.bm` function (nil for builtins). Stored properties rather than an enum, so the call
    /// path reads one field instead of copying an enum payload.
    let prototype: FunctionPrototype?
    /// `prototype` without reference counting, for the call fast path (the function keeps it alive).
    let prototypeReference: Unmanaged<FunctionPrototype>?
    let builtin: Builtin?
    /// Variables captured from enclosing functions.
    let captures: [Cell]

    init(prototype: FunctionPrototype, captures: [Cell]) {
        self.name = prototype.name
        self.signature = prototype.signature
        self.documentation = prototype.documentation
        self.prototype = prototype
        self.prototypeReference = Unmanaged.passUnretained(prototype)
        self.builtin = nil
        self.captures = captures
    }

    init(builtin: Builtin) {
        self.name = builtin.name
        self.signature = builtin.signature
        self.documentation = builtin.documentation
        self.prototype = nil
        self.prototypeReference = nil
        self.builtin = builtin
        self.captures = []
    }

    /// True for functions written in `.bm`.
    public var isScript: Bool { prototype != nil }
}

/// The compiled, shareable part of a `.bm` function; each evaluation of `fn`/`=>` pairs it with captured cells.
final class FunctionPrototype {
    let name: String
    let signature: String
    let documentation: String?
    let parameterNames: [String]
    /// Default value evaluators, run in the callee's frame (so defaults may use earlier parameters).
    let defaults: [Code?]
    let requiredCount: Int
    /// Parameters that closures capture: their slots hold cells.
    let cellParameters: [Int]
    /// Slots the frame needs (parameters first, then block locals).
    let frameSize: Int
    /// `let`, so calling it needs no retain of the closure context.
    let body: Evaluator
    let location: SourceLocation

    init(name: String, signature: String, documentation: String?, parameterNames: [String], defaults: [Code?],
         cellParameters: [Int], location: SourceLocation, frameSize: Int, body: @escaping Evaluator) {
        self.frameSize = frameSize
        self.body = body
        self.name = name
        self.signature = signature
        self.documentation = documentation
        self.parameterNames = parameterNames
        self.defaults = defaults
        self.requiredCount = defaults.firstIndex(where: { $0 != nil }) ?? defaults.count
        self.cellParameters = cellParameters
        self.location = location
        self.isSimple = cellParameters.isEmpty
        self.parameterCount = parameterNames.count
    }

    /// True when a call with exactly `parameterCount` positional arguments needs no extra binding work.
    let isSimple: Bool
    let parameterCount: Int
}

/// A function implemented in Swift by the host or the core library.
final class Builtin {
    let name: String
    let signature: String
    let documentation: String?
    /// Parameter names from the signature, for keyword arguments and messages; `*rest` marks variadic functions.
    let parameterNames: [String]
    /// Names after `*rest`: accepted only as keywords.
    let keywordOnlyNames: [String]
    let minimumCount: Int
    /// nil when variadic.
    let maximumCount: Int?
    let body: (Arguments) throws -> Value

    init(name: String, signature: String?, documentation: String?, body: @escaping (Arguments) throws -> Value) {
        self.name = name
        self.documentation = documentation
        self.body = body
        let text = signature ?? "\(name)(*arguments)"
        self.signature = text
        // Parse "name(a, b, c=1, *rest)".
        var names: [String] = []
        var keywordOnly: [String] = []
        var required = 0
        var variadic = false
        if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close {
            let inside = text[text.index(after: open)..<close]
            var depth = 0
            var item = ""
            var items: [String] = []
            for character in inside {
                if "([{".contains(character) { depth += 1 }
                if ")]}".contains(character) { depth -= 1 }
                if character == ",", depth == 0 {
                    items.append(item)
                    item = ""
                } else {
                    item.append(character)
                }
            }
            items.append(item)
            for raw in items {
                let parameter = raw.trimmingSpaces()
                if parameter.isEmpty { continue }
                if parameter.hasPrefix("*") || parameter == "..." {
                    variadic = true
                    continue
                }
                if variadic {
                    let name = parameter.firstIndex(of: "=").map { String(parameter[..<$0]) } ?? parameter
                    keywordOnly.append(name.trimmingSpaces())
                } else if let equals = parameter.firstIndex(of: "=") {
                    names.append(String(parameter[..<equals]).trimmingSpaces())
                } else {
                    names.append(parameter)
                    if !variadic { required = names.count }
                }
            }
        }
        self.parameterNames = names
        self.keywordOnlyNames = keywordOnly
        self.minimumCount = required
        self.maximumCount = variadic ? nil : names.count
    }
}

/// A compiled node kept in a collection. Wrapping keeps the closure at its natural calling convention: an array or
/// optional of bare closures would put a reabstraction thunk in front of every call.
struct Code {
    let run: Evaluator
}

/// Runs one compiled node in a frame.
typealias Evaluator = (Frame) throws -> Value
/// Runs one compiled condition in a frame.
typealias Condition = (Frame) throws -> Bool

/// The running function's locals (a window on the value stack) and closure (for captured cells).
struct Frame {
    let slots: UnsafeMutablePointer<Value>
    unowned(unsafe) let function: Function?

    @inline(__always) func capture(_ index: Int) -> Cell { function.unsafelyUnwrapped.captures[index] }
}
