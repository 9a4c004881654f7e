import Dispatch
import Foundation
import Synchronization

/// bm's one thread setting. `BM_THREADS` (default: all cores) governs both bm's own kernel threads and OpenBLAS's, so
/// the two never oversubscribe the machine: bm never calls BLAS from inside one of its own parallel loops.
public enum Threads {
    private static let current = Atomic<Int>(initialThreadCount())

    private static func initialThreadCount() -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let text = ProcessInfo.processInfo.environment["BM_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(cores, 1)
    }

    /// Threads used by kernels and BLAS.
    public static var count: Int { current.load(ordering: .relaxed) }

    /// Sets the thread count for bm's kernels and OpenBLAS together. Throws for a count below 1.
    public static func set(_ count: Int) throws {
        guard count >= 1 else {
            throw TensorError(.invalidArgument, "threads", "thread count must be at least 1, got \(count)")
        }
        current.store(count, ordering: .relaxed)
        BLAS.setThreadCount(count)
    }

    /// Applies the configured count and the idle-spin limit to OpenBLAS once, before the first BLAS call.
    static let applyToBLASOnce: Void = {
        BLAS.limitIdleSpinning()
        BLAS.setThreadCount(Threads.count)
    }()
}

/// A flag that long kernels check between chunks, so that an interactive session can stop them (Ctrl-C).
public enum Cancellation {
    private static let flag = Atomic<Bool>(false)

    /// Asks running kernels to stop; safe from a signal handler's helper thread.
    public static func request() { flag.store(true, ordering: .relaxed) }
    /// Clears a request, before running the next command.
    public static func reset() { flag.store(false, ordering: .relaxed) }
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Throws `TensorError.cancelled` when a stop was requested.
    @inlinable
    public static func check(_ operation: String) throws {
        if isRequested { throw TensorError(.cancelled, operation, "interrupted") }
    }
}

/// Elements below which a kernel stays on one thread: spawning costs more than it saves.
@usableFromInline let parallelThreshold = 1 << 16
/// Largest chunk a thread takes before looking at the cancellation flag again.
@usableFromInline let maximumChunk = 1 << 20

/// Runs `body` over `0..<total` split into contiguous ranges on `Threads.count` threads. Chunk boundaries depend only
/// on `total` and `grain`, never on the thread count, so results that combine chunks are reproducible.
/// Throws `cancelled` (after the running chunks finish) when `Cancellation` was requested.
@inlinable
public func parallelRanges(_ total: Int, grain: Int = 1, operation: String,
                    _ body: @escaping @Sendable (Range<Int>) -> Void) throws {
    if total <= 0 { return }
    let threads = Threads.count
    if threads <= 1 || total * grain < parallelThreshold {
        try Cancellation.check(operation)
        body(0..<total)
        return
    }
    // About sixteen chunks, each between half the threshold and `maximumChunk` elements.
    let elements = min(maximumChunk, max(parallelThreshold / 2, total * grain / 16))
    let perChunk = max(1, elements / max(grain, 1))
    let chunks = (total + perChunk - 1) / perChunk
    let cancelled = Atomic<Bool>(false)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        if Cancellation.isRequested { cancelled.store(true, ordering: .relaxed); return }
        let start = chunk * perChunk
        body(start..<min(start + perChunk, total))
    }
    if cancelled.load(ordering: .relaxed) { throw TensorError(.cancelled, operation, "interrupted") }
}
