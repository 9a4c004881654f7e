#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Language
import Synchronization
import Tensors

/// The write end of the pipe the SIGINT handler writes to (the only thing a signal handler may safely do here).
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// Ctrl-C in the REPL. The SIGINT handler only writes a byte to a pipe (async-signal-safe, whichever thread the
/// kernel picks, OpenBLAS's included); a watcher thread reads it and, while code runs, asks the interpreter and the
/// tensor kernels to stop at their next check, or, at the prompt, wakes the line editor so the typed line is dropped.
final class Interrupts: @unchecked Sendable {
    /// Readable when Ctrl-C was pressed at the prompt.
    let promptDescriptor: Int32
    private let promptWrite: Int32
    private let running = Atomic<Bool>(false)
    private let interpreterInterrupt: InterruptFlag

    init(interpreter: Interpreter) {
        interpreterInterrupt = interpreter.interrupt
        var prompt: [Int32] = [0, 0], signal: [Int32] = [0, 0]
        precondition(pipe(&prompt) == 0 && pipe(&signal) == 0, "cannot create the interrupt pipes")
        promptDescriptor = prompt[0]
        promptWrite = prompt[1]
        signalPipeWrite = signal[1]
        let signalRead = signal[0]

        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(signalPipeWrite, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a blocking select in the line editor returns EINTR
        sigaction(SIGINT, &action, nil)
        // A parent may have started bm with SIGINT blocked (spawned processes inherit the mask): unblock it here.
        var interruptOnly = sigset_t()
        sigemptyset(&interruptOnly)
        sigaddset(&interruptOnly, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interruptOnly, nil)

        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while read(signalRead, &byte, 1) >= 0 {
                if running.load(ordering: .relaxed) {
                    Cancellation.request()
                    self.interpreterInterrupt.request()
                } else {
                    _ = write(promptWrite, &byte, 1)
                }
            }
        }
        thread.start()
    }

    /// Runs `body` with Ctrl-C interrupting it instead of clearing the prompt.
    func whileRunning<T>(_ body: () throws -> T) rethrows -> T {
        Cancellation.reset()
        interpreterInterrupt.clear()
        running.store(true, ordering: .relaxed)
        defer {
            running.store(false, ordering: .relaxed)
            Cancellation.reset()
        }
        return try body()
    }
}
