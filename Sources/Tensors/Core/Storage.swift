#if canImport(Glibc)
import Glibc
#endif

private let hugePageSize = 2 << 20
private let hugePageThreshold = 4 << 20

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
