#if canImport(Glibc)
import Glibc
#endif

private let hugePageSize = 2 << 20
private let hugePageThreshold = 4 << 20

/// glibc hands blocks above its mmap threshold back to the kernel as soon as they are freed, and trims the heap's
/// free top, so a computation that allocates the same few-megabyte buffers every step (a network's activations
/// and gradients) faults and zeroes every page of them again each step: 15–25% of a small ViT's training step.
/// Blocks up to glibc's largest threshold (32 MiB) stay in the heap and freed memory is kept for reuse, as
/// framework allocators do; larger tensors are still mapped and unmapped on their own.
private let keepFreedBuffersForReuse: Void = {
    #if canImport(Glibc)
    // <malloc.h>'s parameter numbers: M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3.
    _ = glibcMallopt(-3, 32 << 20)
    _ = glibcMallopt(-1, 1 << 30)
    #endif
}()

#if canImport(Glibc)
/// glibc's `mallopt`, which Swift's Glibc module does not export (it lives in <malloc.h>).
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// The memory behind one or more tensors. Tensors that view it share it; a write first makes the writer's copy unique
/// (copy-on-write), so a tensor behaves as a value.
public final class TensorStorage: @unchecked Sendable {
    /// 64-byte aligned, so that SIMD loads and BLAS see aligned rows.
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    private let release: (@Sendable (UnsafeMutableRawPointer, Int) -> Void)?

    /// Allocates `byteCount` uninitialised bytes.
    ///
    /// Large buffers are aligned to 2 MiB and marked for transparent huge pages, as numpy does: a fresh 40 MB result
    /// otherwise costs ten thousand page faults, which take longer than the arithmetic that fills it.
    public init(byteCount: Int) {
        _ = keepFreedBuffersForReuse
        self.byteCount = byteCount
        if byteCount >= hugePageThreshold {
            self.bytes = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: hugePageSize)
            _ = madvise(bytes, byteCount, MADV_HUGEPAGE)
        } else {
            self.bytes = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        }
        self.release = nil
    }

    /// Wraps memory owned elsewhere (a memory-mapped file, a foreign buffer); `release` is called once when no tensor
    /// uses it any more.
    public init(wrapping bytes: UnsafeMutableRawPointer, byteCount: Int,
                release: @escaping @Sendable (UnsafeMutableRawPointer, Int) -> Void) {
        self.bytes = bytes
        self.byteCount = byteCount
        self.release = release
    }

    deinit {
        if let release { release(bytes, byteCount) } else { bytes.deallocate() }
    }
}

/// A pointer that may cross into the worker closures of a parallel loop. Every use writes disjoint ranges.
public struct SendablePointer<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    @inlinable public init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    @inlinable public init(_ base: UnsafePointer<Element>) { self.base = UnsafeMutablePointer(mutating: base) }
}
