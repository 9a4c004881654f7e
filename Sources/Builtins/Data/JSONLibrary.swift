import Datasets
import Foundation
import Language

/// The `json` module (results files Python's `json` reads), the `files` module (folders and text files for the
/// outputs of experiments) and `clock()`.
enum JSONLibrary {
    static func install(_ context: BindingContext) {
        context.interpreter.registerModule("json", [
            ("dumps", context.function("json.dumps", "dumps(value, indent=nil)",
                                       "The JSON text of value → string. Records become objects (field order kept), "
                                       + "lists and tensors arrays (nested by axis), numbers numbers (whole numbers "
                                       + "without a fraction; NaN and ±inf as null), nil null. indent: spaces per "
                                       + "level, or one line.\nErrors: a function or a non-tensor object inside "
                                       + "value (its path is named).") { arguments in
                .string(try text(arguments, operation: "json.dumps"))
            }),
            ("loads", context.function("json.loads", "loads(text)",
                                       "Parses JSON text → value: objects become records in text order, arrays lists, "
                                       + "numbers numbers, null nil.\nErrors: malformed text (line and column named).") {
                arguments in
                do { return try JSONParser.parse(try arguments.string(0, "text")) } catch let failure as JSONText.Failure {
                    throw DataError("json.loads", path: nil, failure.message)
                }
            }),
            ("save", context.function("json.save", "save(path, value, indent=2)",
                                      "Writes the JSON text of value (as json.dumps, indented by default) and a "
                                      + "newline to path, atomically → nil.\nErrors: those of json.dumps; a missing "
                                      + "folder; a failed write.") { arguments in
                let path = try arguments.string(0, "path")
                var indent = 2
                if let given = arguments.optional(2, "indent"), !given.isNil { indent = try arguments.integer(2, "indent") }
                let json = try text(arguments, valueIndex: 1, indent: indent, operation: "json.save")
                try AtomicFile.write(Array((json + "\n").utf8), to: path, operation: "json.save")
                return .nil
            }),
            ("load", context.function("json.load", "load(path)",
                                      "Reads and parses a JSON file → value (as json.loads).\nErrors: a missing or "
                                      + "unreadable file; malformed text (line and column named).") { arguments in
                let path = try arguments.string(0, "path")
                let text = try readText(path, operation: "json.load")
                do { return try JSONParser.parse(text) } catch let failure as JSONText.Failure {
                    throw DataError("json.load", path: path, failure.message)
                }
            }),
        ], documentation: "json: dumps(value, indent=nil), loads(text), save(path, value, indent=2), load(path).",
           global: true)

        context.interpreter.registerModule("files", [
            ("mkdir", context.function("files.mkdir", "mkdir(path)",
                                       "Creates the folder path and any missing parents (no error if it exists) → "
                                       + "path.\nErrors: a file is in the way; permission denied.") { arguments in
                let path = try arguments.string(0, "path")
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
                    guard isFolder.boolValue else { throw DataError("files.mkdir", path: path, "a file is in the way") }
                    return .string(path)
                }
                do {
                    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                } catch {
                    throw DataError("files.mkdir", path: path, "cannot create the folder (\(error.localizedDescription))")
                }
                return .string(path)
            }),
            ("exists", context.function("files.exists", "exists(path)", "True when a file or folder is at path.") {
                arguments in .bool(FileManager.default.fileExists(atPath: try arguments.string(0, "path")))
            }),
            ("join", context.function("files.join", "join(*parts)",
                                      "Joins path parts with '/' (an absolute part restarts the path) → string.") {
                arguments in
                var path = ""
                for (index, part) in arguments.positional.enumerated() {
                    guard let text = part.stringValue else {
                        throw arguments.typeError(index, "parts", expected: "string", got: part)
                    }
                    if text.hasPrefix("/") || path.isEmpty { path = text } else {
                        path += (path.hasSuffix("/") ? "" : "/") + text
                    }
                }
                return .string(path)
            }),
            ("read_text", context.function("files.read_text", "read_text(path)",
                                           "The UTF-8 text of the file at path → string.\nErrors: a missing or "
                                           + "unreadable file; text that is not UTF-8.") { arguments in
                .string(try readText(try arguments.string(0, "path"), operation: "files.read_text"))
            }),
            ("write_text", context.function("files.write_text", "write_text(path, text)",
                                            "Writes text (UTF-8) to path, atomically → nil.\nErrors: a missing "
                                            + "folder; a failed write.") { arguments in
                try AtomicFile.write(Array(try arguments.string(1, "text").utf8), to: try arguments.string(0, "path"),
                                     operation: "files.write_text")
                return .nil
            }),
            ("list", context.function("files.list", "list(path)",
                                      "The names in the folder path, sorted → list of strings.\nErrors: no such "
                                      + "folder.") { arguments in
                let path = try arguments.string(0, "path")
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                    throw DataError("files.list", path: path, "no such folder")
                }
                return .makeList(names.sorted().map { .string($0) })
            }),
        ], documentation: "files: mkdir(path), exists(path), join(*parts), read_text(path), write_text(path, text), "
           + "list(path).", global: true)

        context.define("clock", "clock()",
                       "Seconds on a monotonic clock → number; subtract two readings to time a step.") { _ in
            .number(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
        }
    }

    private static func text(_ arguments: Arguments, valueIndex: Int = 0, indent: Int? = nil,
                             operation: String) throws -> String {
        var indent = indent
        if valueIndex == 0, let given = arguments.optional(1, "indent"), !given.isNil {
            indent = try arguments.integer(1, "indent")
        }
        if let indent, indent < 0 { throw DataError(operation, path: nil, "indent \(indent) is negative") }
        do { return try JSONText.text(of: try arguments.value(valueIndex, "value"), indent: indent) } catch let failure as JSONText.Failure {
            throw DataError(operation, path: nil, failure.message)
        }
    }

    private static func readText(_ path: String, operation: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(operation, path: path, FileManager.default.fileExists(atPath: path)
                            ? "cannot read the file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError(operation, path: path, "the file is not UTF-8 text")
        }
        return text
    }
}
