import Foundation
import Language

/// Tab completion: names in scope, members after a dot, module names after `import`, file paths inside a string.
enum Completion {
    static func candidates(interpreter: Interpreter, line: String, wordStart: Int, word: String) -> [String] {
        let prefix = String(line.prefix(wordStart))
        // Inside an open string: complete a file path.
        if prefix.filter({ $0 == "\"" }).count % 2 == 1 { return paths(matching: word) }
        if prefix.trimmingCharacters(in: .whitespaces) == "import" {
            return interpreter.moduleNames.filter { $0.hasPrefix(word) }.sorted()
        }
        // `expr.partial`: evaluate the part before the last dot (names and member chains only, never calls).
        if let dot = word.lastIndex(of: ".") {
            let receiver = String(word[..<dot])
            let partial = String(word[word.index(after: dot)...])
            guard receiver.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
                  let value = try? interpreter.evaluate(receiver) else { return [] }
            return interpreter.memberNames(of: value).filter { $0.hasPrefix(partial) }.sorted().map { receiver + "." + $0 }
        }
        return interpreter.visibleNames.filter { $0.hasPrefix(word) }.sorted()
    }

    static func paths(matching word: String) -> [String] {
        let expanded = (word as NSString).expandingTildeInPath
        let folder = expanded.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
        let stem = expanded.hasSuffix("/") ? "" : (expanded as NSString).lastPathComponent
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        let base = word.hasSuffix("/") ? word : String(word.dropLast(stem.count))
        return listed.filter { $0.hasPrefix(stem) && !$0.hasPrefix(".") }.sorted().map { name in
            var isFolder: ObjCBool = false
            let full = (folder.isEmpty ? "" : folder + "/") + name
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isFolder)
            return base + name + (isFolder.boolValue ? "/" : "")
        }
    }
}
