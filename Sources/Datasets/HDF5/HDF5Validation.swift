import Foundation

/// Checks an HDF5 file in a separate process before bm opens it, so that a damaged file is an error, never a crash
/// or a hang of the researcher's session.
///
/// libhdf5 checks the superblock, object headers and indexes of files in the HDF5 1.8 format (what bm writes) with
/// checksums, but files in the 1.0 format — what h5py, MATLAB and most tools write by default — carry none, and the
/// global heap (variable-length strings) carries none in any format. Some damaged bytes there make libhdf5 1.10 crash
/// in `memcpy` or loop forever rather than report an error. So bm forks a child that makes libhdf5 read every
/// structure bm's reader can reach (the walk in `CHDF5/shim.h`): if the child crashes or does not finish within the
/// time limit, the file is refused with a `DataError`; if it finishes, the parent opens the file and reads the same
/// structures safely. Raw numbers are not all read by the walk: damaged numbers read as wrong numbers (the 1.0 format
/// cannot tell), they cannot crash. The child poisons its allocations before the walk (see `bm_h5_validate_file`),
/// so that libhdf5's reads of memory it never initialised, harmless or fatal in the parent depending on what earlier
/// allocations left there, crash in the child every time. The child is made by the raw `clone` system call rather
/// than `fork()`, whose atfork handlers would stop OpenBLAS's thread pool under a BLAS call running on another thread.
///
/// The child is a copy of this process, not a fresh program, because what crashes libhdf5 on a damaged file can
/// depend on the state of the process reading it: a program of its own (tried) passed a flipped attributes.h5 that
/// then crashed the test process reading it, where the copy crashed too and the file was refused. A copy must not
/// take a lock another thread held at the clone: it stays locked in the child forever. The walk used to end with
/// `malloc_trim`, which locks every malloc arena, and 21–31 children in 300 beside six allocating threads waited
/// forever; 0 in 300 once the walk checked its own arena only (libhdf5's free lists, whose blocks come from every
/// thread's arena, are now also emptied before the clone). A child can still meet such a lock, reallocating a
/// buffer another thread allocated (2 in 40 with the alignment tests running alongside); it then sleeps without
/// using the processor, which a looping libhdf5 never does, so it is told apart within a fraction of a second
/// (`.stuck`) and the check made again.
///
/// A file that passed is remembered by device, inode, size, modification and change times (once it has been left
/// unchanged for two seconds), so opening it again costs nothing; the check itself costs one `fork` and a metadata
/// walk (a few milliseconds for a typical file).
enum HDF5Validation {
    /// How long the child may take before the file counts as one that makes libhdf5 loop forever.
    static let defaultTimeLimit: Double = 60
    /// Children found stuck on a lock (`.stuck`) before the last attempt, which waits the whole time limit: a child
    /// that sleeps every time is waiting for something in the file itself (a named pipe without a writer, a
    /// hung network file system), not for a lock another thread happened to hold. A file system whose reads sleep
    /// longer than `stuckInterval` (FUSE mounts of remote storage) costs these short attempts before the full one.
    static let stuckAttemptLimit = 20
    /// How long a child must sleep without using the processor to count as stuck.
    static let stuckInterval: Double = 0.1

    /// Identity of a file's current contents.
    private struct FileVersion: Hashable {
        let device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int, modifiedNanoseconds: Int
        let changedSeconds: Int, changedNanoseconds: Int
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var passed: Set<FileVersion> = []

    /// Throws a `DataError` (`h5.open`) when libhdf5 crashes or hangs on the file at `path`; returns when it reads
    /// the file's structure to the end (with or without reporting errors, which the caller will see itself).
    static func check(_ path: String, timeLimit: Double = defaultTimeLimit, context: HDF5Context) throws {
        let version = fileVersion(path)
        if let version, lock.withLock({ passed.contains(version) }) { return }
        switch outcome(of: path, timeLimit: timeLimit) {
        case .finished:
            // Only a file left unchanged for a while is remembered: a file replaced within the clock's resolution
            // can reuse the inode, size and modification time of the one checked before (git's "racily clean"
            // entries).
            if let version, Date().timeIntervalSince1970 - Double(version.modifiedSeconds) > 2 {
                _ = lock.withLock { passed.insert(version) }
            }
        case .couldNotStart:
            // Without a child process (fork refused: out of processes or memory) the check cannot run; opening the
            // file anyway keeps bm usable and is what every other HDF5 reader does.
            return
        case .inconsistent(let inconsistency):
            throw context.error("cannot open the file: it is corrupt: \(inconsistency.description) (found by the "
                                + "separate process bm uses to check HDF5 files before opening them)")
        case .crashed(let signal):
            throw context.error("cannot open the file: it is corrupt: libhdf5 crashed (signal \(signal)) reading "
                                + "its structure, in the separate process bm uses to check HDF5 files before "
                                + "opening them")
        case .timedOut, .stuck:  // `outcome(of:)` waits out the time limit rather than return `.stuck`.
            throw context.error("cannot open the file: it is corrupt: libhdf5 did not finish reading its structure "
                                + "within \(formatSeconds(timeLimit)) s (damaged files can make it loop forever), in "
                                + "the separate process bm uses to check HDF5 files before opening them")
        }
    }

    /// The walk's outcome on `path`, never `.stuck`: a child found stuck on a lock is made again, up to
    /// `stuckAttemptLimit` times; the next attempt waits out `timeLimit` whatever the child does.
    static func outcome(of path: String, timeLimit: Double) -> Outcome {
        for _ in 0..<stuckAttemptLimit {
            let outcome = walkInChild(path, timeLimit: timeLimit)
            if outcome != .stuck { return outcome }
        }
        return walkInChild(path, timeLimit: timeLimit, detectingStuck: false)
    }

    /// What became of a child: it finished the walk, found damage, crashed with a signal, ran past the time limit,
    /// slept without using the processor for `stuckInterval` (waiting on a lock another thread of this process
    /// held when it was made; only when detecting that), or could not be made.
    enum Outcome: Equatable {
        case finished, inconsistent(Inconsistency), crashed(Int32), timedOut, stuck, couldNotStart
    }

    /// Damage the child finds by reading the file itself, where libhdf5 trusts what it reads: its answer does not
    /// depend on what lies around libhdf5's buffers, as a crash does.
    enum Inconsistency: Equatable, CustomStringConvertible {
        /// An attribute message whose name, datatype or dataspace size fields exceed the message.
        case attributeSizes
        /// A global heap collection that extends past the end of the file, or holds an object extending past it.
        case heapCollection
        /// A variable-length value's reference to an object index its collection does not hold (libhdf5 follows a
        /// wild pointer), or to an object of another size than the value's length (it overflows its buffer).
        case heapReference
        /// A datatype whose sizes disagree: an enumeration's and its base type's, a compound's and a member's
        /// extent, an array's and its elements', a number's and its bit fields'.
        case datatypeSizes

        var description: String {
            switch self {
            case .attributeSizes: "the sizes in an attribute's header message exceed the message"
            case .heapCollection: "a global heap collection (where variable-length strings are stored) extends past "
                + "the end of the file, or one of its objects past the collection"
            case .heapReference: "a variable-length value refers to an object its global heap collection does not "
                + "hold, or to one of another size than the value's length"
            case .datatypeSizes: "a datatype's sizes disagree (an enumeration's and its base type's, a compound's "
                + "and a member's, an array's and its elements', or a number's and its bit fields')"
            }
        }
    }

    /// Forks a child that runs the walk on `path` and waits for it at most `timeLimit` seconds; with
    /// `detectingStuck`, a child that sleeps without using the processor for `stuckInterval` is killed as `.stuck`.
    static func walkInChild(_ path: String, timeLimit: Double, detectingStuck: Bool = true) -> Outcome {
        // Prepared before the fork: the child must not allocate through Swift.
        guard let cPath = strdup(path) else { return .couldNotStart }
        defer { free(cPath) }
        // The fork happens inside libhdf5's lock, so no other thread of this process is inside libhdf5 when the
        // child's copy of its state is taken.
        let child: pid_t = HDF5Library.locked {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { return -1 }
            let child = HDF5Library.forkValidationChild()
            if child == 0 { HDF5Library.runValidationWalkAndExit(cPath, ready: ends[1]) }
            close(ends[1])
            // Still inside the lock: wait until the child has closed its copies of this process's descriptors
            // (one byte, or the end of the pipe if it died first).
            if child > 0 {
                var byte: UInt8 = 0
                while read(ends[0], &byte, 1) < 0 && errno == EINTR {}
            }
            close(ends[0])
            return child
        }
        guard child > 0 else { return .couldNotStart }
        let start = Date(), deadline = start.addingTimeInterval(timeLimit)
        var pause: useconds_t = 200
        var status: Int32 = 0
        // The child's scheduler state and processor time when it was first seen sleeping, and when.
        var sleeping: (since: Date, processorTicks: Int)? = nil
        func stop(_ outcome: Outcome) -> Outcome {
            kill(child, SIGKILL)
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            return outcome
        }
        while true {
            let result = waitpid(child, &status, WNOHANG)
            if result == child { break }
            if result < 0 && errno != EINTR { return .finished }
            let now = Date()
            if now >= deadline { return stop(.timedOut) }
            // A walk takes milliseconds: only a child alive after `stuckInterval / 2` is looked at.
            if detectingStuck && now.timeIntervalSince(start) >= stuckInterval / 2 {
                if let state = schedulerState(child), state.sleeping {
                    if let first = sleeping, first.processorTicks == state.processorTicks {
                        if now.timeIntervalSince(first.since) >= stuckInterval { return stop(.stuck) }
                    } else {
                        sleeping = (now, state.processorTicks)
                    }
                } else {
                    sleeping = nil
                }
            }
            usleep(pause)
            pause = Swift.min(pause * 2, 20_000)
        }
        // The W* macros of <sys/wait.h> are not imported into Swift: the status layout is Linux's.
        let signal = status & 0x7f
        if signal != 0 && signal != 0x7f { return .crashed(signal) }
        if signal == 0, let inconsistency = HDF5Library.validationInconsistency(exitStatus: (status >> 8) & 0xff) {
            return .inconsistent(inconsistency)
        }
        return .finished
    }

    /// Whether process `id` sleeps interruptibly (state S: waiting on a lock, a pipe or a timer, not on a disk) and
    /// the processor time it has used, in clock ticks, from `/proc/<id>/stat`; nil when that cannot be read.
    static func schedulerState(_ id: pid_t) -> (sleeping: Bool, processorTicks: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(id)/stat", encoding: .utf8),
              let nameEnd = text.lastIndex(of: ")") else { return nil }
        // After the command name in parentheses: state, then fields 4 to 15 of proc(5); utime and stime are 14, 15.
        let fields = text[text.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return (fields[0] == "S", user + system)
    }

    private static func fileVersion(_ path: String) -> FileVersion? {
        var information = stat()
        guard stat(path, &information) == 0 else { return nil }
        return FileVersion(device: UInt64(information.st_dev), inode: UInt64(information.st_ino),
                           size: Int64(information.st_size), modifiedSeconds: information.st_mtim.tv_sec,
                           modifiedNanoseconds: information.st_mtim.tv_nsec,
                           changedSeconds: information.st_ctim.tv_sec, changedNanoseconds: information.st_ctim.tv_nsec)
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
