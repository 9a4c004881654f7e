import Foundation
import Language

func listDirectoryEntries(_ path: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
}

func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
}

func readFile(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

extension String {
    func trimmingCharacters() -> String { trimmingCharacters(in: .whitespaces) }
}

/// Runs `source` in a fresh interpreter; returns what it printed, or the error report.
func runScript(_ source: String, file: String = "test.bm") -> (output: String, error: String?) {
    var printed = ""
    do {
        let interpreter = try Interpreter()
        interpreter.output = { printed += $0 }
        try interpreter.run(source: source, file: file)
        return (printed, nil)
    } catch {
        return (printed, String(describing: error))
    }
}
