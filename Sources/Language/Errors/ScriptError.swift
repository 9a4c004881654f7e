/// A script's text and name, kept so errors can quote the offending line.
public final class SourceFile: @unchecked Sendable {
    /// The name errors show, e.g. `analysis.bm` or `<repl>`.
    public let name: String
    /// Absolute path when the source came from a file (imports resolve relative to it).
    public let path: String?
    public let text: String
    private var lineCache: [Substring]?

    public init(name: String, path: String? = nil, text: String) {
        self.name = name
        self.path = path
        self.text = text
    }

    /// The text of line `number` (1-based), without its newline; empty when out of range.
    public func line(_ number: Int) -> String {
        if lineCache == nil {
            lineCache = text.split(separator: "\n", omittingEmptySubsequences: false)
        }
        guard let lines = lineCache, number >= 1, number <= lines.count else { return "" }
        var line = String(lines[number - 1])
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}

/// A position in a source file: 1-based line and column (columns count characters).
public struct SourceLocation: CustomStringConvertible, Sendable {
    public let file: SourceFile
    public let line: Int
    public let column: Int
    public init(file: SourceFile, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file.name):\(line):\(column)" }

    /// Stands for "no script location" (host calls); errors drop it.
    static let unknown = SourceLocation(file: SourceFile(name: "<unknown>", text: ""), line: 0, column: 0)
    var isUnknown: Bool { line == 0 }
}

/// One error with its place: `file.bm:12:7: error: message`, the source line and a caret.
public struct Diagnostic: CustomStringConvertible {
    public let message: String
    public let location: SourceLocation?

    public init(message: String, location: SourceLocation?) {
        self.message = message
        self.location = location
    }

    public var description: String {
        guard let location else { return "error: \(message)" }
        var text = "\(location): error: \(message)"
        let line = location.file.line(location.line)
        if !line.isEmpty {
            text += "\n    " + line + "\n    "
            // The caret lines up with the culprit; tabs are kept so it stays aligned in terminals.
            for character in line.prefix(max(0, location.column - 1)) { text += character == "\t" ? "\t" : " " }
            text += "^"
        }
        return text
    }
}

/// One `.bm` function on the call stack at the time of an error.
public struct StackEntry: CustomStringConvertible {
    public let function: String
    public let location: SourceLocation
    public var description: String { "  in \(function) at \(location)" }
}

/// An error raised while compiling or running a script: parse errors (possibly several), runtime errors from the
/// language, `error(msg)` in scripts, and host errors thrown by builtins (with the location of the call added).
public final class ScriptError: Error, CustomStringConvertible, @unchecked Sendable {
    /// All errors found; runtime errors have exactly one, parse errors one per problem.
    public let diagnostics: [Diagnostic]
    /// `.bm` functions active when the error was raised, innermost first.
    public internal(set) var stack: [StackEntry] = []
    /// The value passed to `error(value)` in a script, when it was not a string.
    public internal(set) var payload: Value?
    /// The host error this wraps, when a builtin threw.
    public let underlying: (any Error)?
    /// Where the error currently is while unwinding (the caller's call site after each frame).
    var pendingLocation: SourceLocation?
    /// The kind a catch block sees as `e.kind`: "syntax", "runtime", "host" or "user".
    public let kind: String

    init(diagnostics: [Diagnostic], kind: String, underlying: (any Error)? = nil) {
        self.diagnostics = diagnostics.map { diagnostic in
            diagnostic.location?.isUnknown == true ? Diagnostic(message: diagnostic.message, location: nil) : diagnostic
        }
        self.kind = kind
        self.underlying = underlying
        self.pendingLocation = self.diagnostics.first?.location
    }

    convenience init(_ message: String, at location: SourceLocation?, kind: String = "runtime", underlying: (any Error)? = nil) {
        self.init(diagnostics: [Diagnostic(message: message, location: location)], kind: kind, underlying: underlying)
    }

    /// The first error's message, without location.
    public var message: String { diagnostics.first?.message ?? "" }
    /// The first error's location.
    public var location: SourceLocation? { diagnostics.first?.location }

    /// Records that the error left a call of `function` whose active location was `pendingLocation`;
    /// afterwards the pending location is the call site in the caller.
    func unwind(through function: String, callSite: SourceLocation?) {
        if let pendingLocation { stack.append(StackEntry(function: function, location: pendingLocation)) }
        pendingLocation = callSite?.isUnknown == true ? nil : callSite
    }

    /// The full report: every diagnostic with its source line and caret, then the call stack.
    public var description: String {
        var lines = diagnostics.map(\.description)
        if stack.count > 24 {
            // Runaway recursion: the innermost frames and the outermost ones tell the story.
            lines.append(contentsOf: stack.prefix(10).map(\.description))
            lines.append("  ... \(stack.count - 20) more calls ...")
            lines.append(contentsOf: stack.suffix(10).map(\.description))
        } else {
            lines.append(contentsOf: stack.map(\.description))
        }
        return lines.joined(separator: "\n")
    }
}
