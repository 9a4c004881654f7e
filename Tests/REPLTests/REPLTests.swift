import Foundation
import Testing

/// The REPL through a pseudo-terminal: continuation lines, printed values, commands, completion, history and Ctrl-C.
@Suite(.serialized, .enabled(if: TerminalSession.executable != nil,
                             "the bm executable is not built: scripts/test builds it before the tests"))
struct REPLTests {
    let history = NSTemporaryDirectory() + "bm-history-\(UUID().uuidString)"

    func start() throws -> TerminalSession {
        let session = try TerminalSession(executable: TerminalSession.executable!, environment: [
            "TERM": "dumb", "BM_HISTORY": history, "HOME": NSTemporaryDirectory(), "BM_THREADS": "1",
            "PATH": "/usr/bin:/bin",
        ])
        #expect(session.waitFor(">>> "), "prompt: \(session.transcript)")
        return session
    }

    @Test func continuationValuesAndCommands() throws {
        let session = try start()
        var mark = session.mark
        session.type("let xs = [1,\n")
        #expect(session.waitFor("... ", after: mark), "an open bracket continues: \(session.transcript)")
        session.type("2, 3]\n")
        mark = session.mark
        session.type("xs\n")
        #expect(session.waitFor("[1, 2, 3]", after: mark), "\(session.transcript)")
        mark = session.mark
        session.type("let t = ones([2, 2])\n")
        session.type("t.sum()\n")
        #expect(session.waitFor("4", after: mark), "\(session.transcript)")
        mark = session.mark
        session.type(":vars\n")
        #expect(session.waitFor("t: tensor float64 [2, 2]", after: mark), "\(session.transcript)")
        mark = session.mark
        session.type(":time 1 + 1\n")
        #expect(session.waitFor("time: ", after: mark), "\(session.transcript)")
        mark = session.mark
        session.type("zeros([2]) @ ones([3])\n")
        #expect(session.waitFor("error: matmul", after: mark), "\(session.transcript)")
        session.type(":quit\n")
        #expect(session.waitForExit() == 0)
    }

    @Test func interruptKeepsVariablesAndClearsThePrompt() throws {
        let session = try start()
        session.type("let kept = 41\n")
        var mark = session.mark
        session.type("var n = 0\n")
        session.type("while true { n += 1 }\n")
        usleep(500_000)
        session.interrupt()
        #expect(session.waitFor("interrupted", after: mark), "Ctrl-C stops the loop: \(session.transcript)")
        mark = session.mark
        session.type("kept + 1\n")
        #expect(session.waitFor("42", after: mark), "variables survive: \(session.transcript)")
        #expect(session.waitFor(">>> ", after: mark))
        // Ctrl-C at the prompt drops the half-typed line.
        session.type("this is not code")
        usleep(200_000)
        mark = session.mark
        session.interrupt()
        #expect(session.waitFor("^C", after: mark), "\(session.transcript)")
        mark = session.mark
        session.type("kept * 2\n")
        #expect(session.waitFor("82", after: mark), "the dropped line is not run: \(session.transcript)")
        session.type("\u{4}")
        #expect(session.waitForExit() == 0, "Ctrl-D quits")
    }

    @Test func completionAndHistory() throws {
        let session = try start()
        var mark = session.mark
        session.type("let roi = {name: \"V1\", voxels: 120}\n")
        session.type("roi.vox\t\n")
        #expect(session.waitFor("120", after: mark), "a member completes after the dot: \(session.transcript)")
        mark = session.mark
        session.type("zero\t([3]).sum()\n")
        #expect(session.waitFor("0", after: mark), "a global name completes: \(session.transcript)")
        session.type("\u{4}")
        #expect(session.waitForExit() == 0)
        let saved = try String(contentsOfFile: history, encoding: .utf8)
        #expect(saved.contains("let roi = {name: \"V1\", voxels: 120}"), "history is saved: \(saved)")
        // A new session starts with that history: Ctrl-P recalls the last line.
        let second = try start()
        mark = second.mark
        second.type("\u{10}\n")
        #expect(second.waitFor("0", after: mark), "\(second.transcript)")
        second.type(":quit\n")
        #expect(second.waitForExit() == 0)
    }

    @Test func pipedInputRunsAsAScript() throws {
        let bm = Process()
        bm.executableURL = URL(fileURLWithPath: TerminalSession.executable!)
        let input = Pipe(), output = Pipe()
        bm.standardInput = input
        bm.standardOutput = output
        try bm.run()
        input.fileHandleForWriting.write("let a = 2\nprint(a * 21)\n".data(using: .utf8)!)
        input.fileHandleForWriting.closeFile()
        bm.waitUntilExit()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed == "42\n", "no prompts when stdin is not a terminal")
        #expect(bm.terminationStatus == 0)
    }
}
