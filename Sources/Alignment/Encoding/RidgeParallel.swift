import Dispatch
import Tensors

/// A pointer handed to the worker threads of `RidgeParallel`; each worker writes a disjoint part.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    init(_ base: UnsafePointer<Element>) { self.base = UnsafeMutablePointer(mutating: base) }
}

/// Splits a loop over `count` items across `Threads.count` threads when there is enough work: the scoring and
/// gathering passes run between GEMMs, while BLAS's own threads are idle.
enum RidgeParallel {
    /// Calls `body` on disjoint ranges covering `0..<count`; serial below about 2¹⁶ units of work
    /// (`count · workPerItem`).
    static func forRanges(_ count: Int, workPerItem: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let threads = Swift.max(1, Threads.count)
        if threads == 1 || count < 2 || count * workPerItem < (1 << 16) {
            body(0..<count)
            return
        }
        let chunks = Swift.min(count, threads * 2)
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * size
            if start < count { body(start..<Swift.min(count, start + size)) }
        }
    }
}
