import Builtins
import Foundation
import Language
import Testing

/// Golden `.bm` scripts in Wren's style: `# expect: <line>` comments give the printed lines in order;
/// `# expect error: <text>` comments give substrings the error report must contain (a script with an expected
/// error stops there). `# requires: name1, name2` skips the script unless the interpreter has those globals
/// (so the core's run skips tensor scripts and the Builtins run, with a richer factory, includes them).
///
/// Reusable: `GoldenScripts.check(path:makeInterpreter:)` with any interpreter factory.
enum GoldenScripts {
    /// `Tests/Scripts`, found from this file's path.
    static let root: String = {
        let file = #filePath
        let testsDirectory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast(2)
            .joined(separator: "/")
        return testsDirectory + "/Scripts"
    }()

    /// Every `.bm` file under `directory` (recursively) that has at least one `# expect` comment.
    static func discover(under directory: String = root) -> [String] {
        var found: [String] = []
        func walk(_ path: String) {
            for entry in listDirectoryEntries(path).sorted() {
                let full = path + "/" + entry
                if isDirectory(full) {
                    walk(full)
                } else if entry.hasSuffix(".bm"), let text = readFile(full), text.contains("# expect") {
                    found.append(full)
                }
            }
        }
        walk(directory)
        return found
    }

    struct Expectations {
        var output: [String] = []
        var errors: [String] = []
        var requires: [String] = []
    }

    static func expectations(in text: String) -> Expectations {
        var result = Expectations()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let range = line.firstRange(of: "# expect error:") {
                result.errors.append(String(line[range.upperBound...]).trimmingCharacters())
            } else if let range = line.firstRange(of: "# expect:") {
                var expected = String(line[range.upperBound...])
                if expected.hasPrefix(" ") { expected.removeFirst() }
                result.output.append(expected)
            } else if let range = line.firstRange(of: "# requires:") {
                result.requires += line[range.upperBound...].split(separator: ",").map { String($0).trimmingCharacters() }
            }
        }
        return result
    }

    /// Runs one script; returns the problems found (empty when it behaves as its comments say), or nil when skipped
    /// because the interpreter lacks a required global.
    static func check(path: String, makeInterpreter: () throws -> Interpreter) throws -> [String]? {
        guard let text = readFile(path) else { return ["cannot read \(path)"] }
        let expected = expectations(in: text)
        let interpreter = try makeInterpreter()
        for name in expected.requires where interpreter.global(name) == nil { return nil }
        var printed = ""
        interpreter.output = { printed += $0 }
        var problems: [String] = []
        var report: String?
        do {
            try interpreter.runFile(path: path)
        } catch {
            report = String(describing: error)
        }
        var lines = printed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        for index in 0..<max(lines.count, expected.output.count) {
            let got = index < lines.count ? lines[index] : "<nothing>"
            let want = index < expected.output.count ? expected.output[index] : "<nothing>"
            if got != want { problems.append("output line \(index + 1): got \"\(got)\", expected \"\(want)\"") }
        }
        if let report {
            if expected.errors.isEmpty { problems.append("unexpected error:\n\(report)") }
            for error in expected.errors where !report.contains(error) {
                problems.append("the error report lacks \"\(error)\"; it was:\n\(report)")
            }
        } else if !expected.errors.isEmpty {
            problems.append("expected an error containing \"\(expected.errors[0])\", but the script finished")
        }
        return problems
    }

    /// The interpreter `bm` runs scripts with (the language and every engine library), which also finds the test
    /// modules in `language/lib`.
    static func makeInterpreter() throws -> Interpreter {
        let interpreter = try Interpreter(searchPaths: [root + "/language/lib"])
        Builtins.install(into: interpreter)
        return interpreter
    }
}

@Suite struct GoldenScriptTests {
    static let scripts = GoldenScripts.discover()

    @Test func discoversTheScripts() {
        #expect(Self.scripts.count >= 60)
        #expect(Self.scripts.contains { $0.hasSuffix("language/spec_core.bm") })
        #expect(Self.scripts.contains { $0.hasSuffix("language/spec_full.bm") })
        #expect(Self.scripts.contains { $0.hasSuffix("tensors/indexing.bm") })
        #expect(!Self.scripts.contains { $0.contains("/lib/") }, "helper modules have no expectations")
    }

    @Test(arguments: scripts.map { String($0.dropFirst(GoldenScripts.root.count + 1)) })
    func script(_ relativePath: String) throws {
        let problems = try GoldenScripts.check(path: GoldenScripts.root + "/" + relativePath,
                                               makeInterpreter: GoldenScripts.makeInterpreter)
        #expect(problems != nil, "\(relativePath) requires globals that bm does not define")
        guard let problems else { return }
        #expect(problems.isEmpty, Comment(rawValue: "\(relativePath):\n" + problems.joined(separator: "\n")))
    }
}

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
