import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `bm` running on a pseudo-terminal, driven as a person would drive it: type text, wait for output, press Ctrl-C
/// (SIGINT to the process: a pty opened by posix_spawn is not the child's controlling terminal, so the ^C byte would
/// not raise the signal), press Ctrl-D.
final class TerminalSession {
    let process: pid_t
    private let master: Int32
    private(set) var transcript = ""

    /// The `bm` built beside this test bundle (scripts/test builds every product before testing).
    static var executable: String? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("bm").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        for configuration in ["release", "debug"] {
            let path = #filePath.components(separatedBy: "/Tests/")[0] + "/.build/\(configuration)/bm"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    init(executable: String, environment: [String: String]) throws {
        // posix_openpt/grantpt/unlockpt are hidden from Swift's Glibc module; this is what they do on Linux.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        let setLock: UInt = 0x4004_5431, getNumber: UInt = 0x8004_5430  // TIOCSPTLCK, TIOCGPTN
        guard master >= 0, ioctl(master, setLock, &unlock) == 0, ioctl(master, getNumber, &number) == 0 else {
            throw POSIXError(.ENXIO)
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw POSIXError(.ENXIO) }
        defer { close(slave) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for target in [Int32(0), 1, 2] { posix_spawn_file_actions_adddup2(&actions, slave, target) }
        posix_spawn_file_actions_addclose(&actions, master)
        let arguments = [executable]
        let environmentStrings = environment.map { "\($0.key)=\($0.value)" }
        // Start with no blocked signals and default handlers, whatever the test runner's thread has.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environmentStrings.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        process = pid
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        kill(process, SIGKILL)
        var status: Int32 = 0
        waitpid(process, &status, 0)
        close(master)
    }

    func type(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(master, &bytes, bytes.count)
    }

    func interrupt() { kill(process, SIGINT) }

    /// Reads until `text` appears after `start` (a transcript offset) or `timeout` passes; true when it appeared.
    @discardableResult
    func waitFor(_ text: String, after start: String.Index? = nil, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(master, &buffer, buffer.count)
            if count > 0 { transcript += String(decoding: buffer[0..<count], as: UTF8.self) }
            let searched = start.map { transcript[$0...] } ?? transcript[...]
            if searched.contains(text) { return true }
            if count <= 0 { usleep(20_000) }
        }
        return false
    }

    /// The transcript position now, to wait for output that comes after it.
    var mark: String.Index { transcript.endIndex }

    /// Waits for the process to end; its exit status, or nil on timeout.
    func waitForExit(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(process, &status, WNOHANG) == process { return (status >> 8) & 0xff }
            _ = waitFor("\u{0}", timeout: 0.05)
        }
        return nil
    }
}
