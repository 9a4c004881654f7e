import CReadline
#if canImport(Glibc)
import Glibc
#endif

/// The REPL's terminal line editor on GNU readline: the one Swift file that calls readline.
///
/// Uses readline's callback interface with `select`, so that Ctrl-C at the prompt (delivered through a self-pipe by
/// the signal thread) can clear the line without unwinding through C.
final class LineEditor {
    /// Completion candidates for the word being typed: (line so far, word start offset, word) → candidates.
    nonisolated(unsafe) static var completer: ((String, Int, String) -> [String])?
    nonisolated(unsafe) private static var pendingCandidates: [String] = []
    nonisolated(unsafe) private static var completedLine: String?
    nonisolated(unsafe) private static var sawEndOfInput = false

    private let historyPath: String?

    init(historyPath: String?) {
        self.historyPath = historyPath
        let completer: bm_completion_function = { text, start, _ in
            guard let text else { return nil }
            let word = String(cString: text)
            let line = bm_readline_line_buffer().map { String(cString: $0) } ?? ""
            LineEditor.pendingCandidates = LineEditor.completer?(line, Int(start), word) ?? []
            bm_readline_completion_settings()
            return rl_completion_matches(text) { _, state in
                let index = Int(state)
                guard index < LineEditor.pendingCandidates.count else { return nil }
                return strdup(LineEditor.pendingCandidates[index])
            }
        }
        // Word breaks: everything but identifier characters, dots (members) and path characters.
        bm_readline_configure(completer, strdup(" \t\n\"'`@$><=;|&{([,+-*%^!:"))
        stifle_history(10_000)
        if let historyPath { read_history(historyPath) }
    }

    /// Reads one line with `prompt`; nil at end of input (Ctrl-D). `interruptDescriptor` becoming readable means
    /// Ctrl-C: the line is discarded and the prompt shown again.
    func readLine(prompt: String, interruptDescriptor: Int32) -> String? {
        LineEditor.completedLine = nil
        LineEditor.sawEndOfInput = false
        rl_callback_handler_install(prompt) { line in
            if let line {
                LineEditor.completedLine = String(cString: line)
                free(line)
            } else {
                LineEditor.sawEndOfInput = true
            }
            rl_callback_handler_remove()
        }
        defer { rl_callback_handler_remove() }
        while LineEditor.completedLine == nil && !LineEditor.sawEndOfInput {
            var readable = fd_set()
            fdZero(&readable)
            fdSet(STDIN_FILENO, &readable)
            fdSet(interruptDescriptor, &readable)
            let ready = select(max(STDIN_FILENO, interruptDescriptor) + 1, &readable, nil, nil, nil)
            if ready < 0 { if errno == EINTR { continue } else { return nil } }
            if fdIsSet(interruptDescriptor, &readable) {
                var drain = [UInt8](repeating: 0, count: 64)
                _ = read(interruptDescriptor, &drain, drain.count)
                // Ctrl-C at the prompt: drop what was typed and start a fresh line.
                rl_free_line_state()
                rl_replace_line("", 0)
                print("^C")
                rl_on_new_line()
                rl_redisplay()
                continue
            }
            if fdIsSet(STDIN_FILENO, &readable) { rl_callback_read_char() }
        }
        if LineEditor.sawEndOfInput { return nil }
        return LineEditor.completedLine
    }

    /// Adds a line to the in-memory history and appends it to the history file.
    func remember(_ line: String) {
        add_history(line)
        if let historyPath {
            if access(historyPath, F_OK) != 0 { write_history(historyPath) } else { append_history(1, historyPath) }
            history_truncate_file(historyPath, 10_000)
        }
    }
}

// fd_set is a C struct of bit words; these mirror the FD_* macros, which Swift cannot import.
private func fdZero(_ set: inout fd_set) {
    withUnsafeMutableBytes(of: &set) { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
}

private func fdSet(_ descriptor: Int32, _ set: inout fd_set) {
    withUnsafeMutableBytes(of: &set) { bytes in
        let words = bytes.bindMemory(to: Int.self)
        let bits = Int.bitWidth
        words[Int(descriptor) / bits] |= 1 << (Int(descriptor) % bits)
    }
}

private func fdIsSet(_ descriptor: Int32, _ set: inout fd_set) -> Bool {
    withUnsafeMutableBytes(of: &set) { bytes in
        let words = bytes.bindMemory(to: Int.self)
        let bits = Int.bitWidth
        return words[Int(descriptor) / bits] & (1 << (Int(descriptor) % bits)) != 0
    }
}
