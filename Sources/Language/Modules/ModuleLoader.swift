#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Running source and loading modules.
///
/// `import name` finds a host-registered native module, else `name.bm` in the search path (host paths, then `BM_PATH`
/// entries, then the bundled `stdlib/`); `import a.b` loads `a/b.bm` and binds it as `b`; `import "dir/file.bm" as m`
/// loads a file relative to the importing file. A module runs once; later imports share its namespace record.
extension Runtime {
    /// Parses, compiles and runs `source` as a top-level chunk of `module`; returns the value of its last statement.
    func execute(source: String, file: SourceFile, module: Module, chunkName: String) throws -> Value {
        let parser = Parser(source: source)
        let program = parser.parseProgram()
        if !parser.failures.isEmpty {
            throw ScriptError(diagnostics: parser.failures.map { failure in
                Diagnostic(message: failure.message,
                           location: SourceLocation(file: file, line: failure.position.line, column: failure.position.column))
            }, kind: "syntax")
        }
        let compiler = Compiler(runtime: self, module: module, file: file, capturedNames: program.capturedNames)
        let (code, frameSize) = try compiler.compileProgram(program)
        return try runChunk(code, frameSize: frameSize, name: chunkName)
    }

    /// Evaluates one expression in `module`.
    func evaluate(expression source: String, file: SourceFile, module: Module) throws -> Value {
        let parser = Parser(source: source)
        let expression = parser.parseStandaloneExpression()
        guard let expression, parser.failures.isEmpty else {
            throw ScriptError(diagnostics: parser.failures.map { failure in
                Diagnostic(message: failure.message,
                           location: SourceLocation(file: file, line: failure.position.line, column: failure.position.column))
            }, kind: "syntax")
        }
        let compiler = Compiler(runtime: self, module: module, file: file, capturedNames: parser.capturedNames[0])
        let (code, frameSize) = try compiler.compileStandalone(expression)
        return try runChunk(code, frameSize: frameSize, name: "<expression>")
    }

    func runChunk(_ code: Evaluator, frameSize: Int, name: String) throws -> Value {
        let base = stackTop
        guard base + frameSize < stackEnd || growStack(to: base + frameSize) else { throw error("stack overflow: value stack exhausted", .unknown) }
        stackTop = base + frameSize
        let savedDepth = depth
        defer {
            base.update(repeating: .nil, count: frameSize)
            stackTop = base
            depth = savedDepth
            flow = .normal
        }
        do {
            return try code(Frame(slots: base, function: nil))
        } catch let error as ScriptError {
            if !error.stack.isEmpty { error.unwind(through: name, callSite: nil) }
            throw error
        }
    }

    func importModule(_ target: ImportTarget, from importer: SourceFile, _ location: SourceLocation) throws -> Value {
        switch target {
        case .module(let components):
            let dotted = components.joined(separator: ".")
            if let native = nativeModules[dotted] { return native }
            let relative = components.joined(separator: "/") + ".bm"
            for directory in searchPaths {
                let path = directory + "/" + relative
                if fileExists(path) {
                    let shown = (directory.split(separator: "/").last.map(String.init) ?? "") + "/" + relative
                    return try loadModule(path: path, name: dotted, shownName: shown, location)
                }
            }
            let known = availableModules().joined(separator: ", ")
            throw error("no module named '\(dotted)' (looked for \(relative) in: "
                        + (searchPaths.isEmpty ? "no search path" : searchPaths.joined(separator: ", "))
                        + (known.isEmpty ? "" : "; available: \(known)") + ")", location)
        case .file(let relativePath):
            var directory = "."
            if let path = importer.path, let slash = path.lastIndex(of: "/") { directory = String(path[..<slash]) }
            let path = relativePath.hasPrefix("/") ? relativePath : normalizePath(directory + "/" + relativePath)
            guard fileExists(path) else {
                throw error("cannot import \"\(relativePath)\": no such file (looked for \(path))", location)
            }
            return try loadModule(path: path, name: relativePath, shownName: relativePath, location)
        }
    }

    private func loadModule(path: String, name: String, shownName: String, _ location: SourceLocation) throws -> Value {
        if let module = modules[path], let namespace = module.namespace { return .record(namespace) }
        if loading.contains(path) { throw error("circular import: '\(name)' is still loading", location) }
        guard let text = readTextFile(path) else { throw error("cannot read module '\(name)' at \(path)", location) }
        loading.insert(path)
        defer { loading.remove(path) }
        let module = Module(name: name, file: nil, fallback: shared)
        let file = SourceFile(name: shownName, path: path, text: text)
        do {
            _ = try execute(source: text, file: file, module: module, chunkName: "<module \(name)>")
        } catch let error as ScriptError {
            error.unwind(through: "<module \(name)>", callSite: location)
            throw error
        }
        let namespace = module.makeNamespace()
        module.namespace = namespace
        modules[path] = module
        return .record(namespace)
    }

    /// Module names found in the search path and registered by the host.
    func availableModules() -> [String] {
        var names = Set(nativeModules.keys)
        for directory in searchPaths {
            for entry in listDirectory(directory) where entry.hasSuffix(".bm") && entry != "prelude.bm" {
                names.insert(String(entry.dropLast(3)))
            }
        }
        return names.sorted()
    }
}

func fileExists(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
}

/// The file's contents as UTF-8 text, or nil when it cannot be read.
func readTextFile(_ path: String) -> String? {
    guard let handle = fopen(path, "rb") else { return nil }
    defer { fclose(handle) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, handle)
        if count > 0 { bytes.append(contentsOf: buffer[0..<count]) }
        if count < buffer.count { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

func listDirectory(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != ".", name != ".." { names.append(name) }
    }
    return names
}

/// Removes `.` and `..` components.
func normalizePath(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        if part == "." { continue }
        if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
        parts.append(part)
    }
    let joined = parts.joined(separator: "/")
    return path.hasPrefix("/") ? "/" + joined : joined
}
