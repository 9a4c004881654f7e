/// An N-dimensional array of `dtype` elements with value semantics.
///
/// A tensor is a strided view (`shape`, `strides` in elements, `offset`) of a `TensorStorage`. Views made by
/// `reshape`, `transpose`, slicing or `broadcast(to:)` share storage with their source; any write makes the writer's
/// storage unique first, so no tensor ever sees another change under it.
public struct Tensor: Sendable {
    public internal(set) var dtype: DType
    public internal(set) var shape: [Int]
    /// Element strides per axis; 0 for broadcast axes, negative for flipped ones.
    public internal(set) var strides: [Int]
    /// Element offset of `self[0, 0, …]` in `storage`.
    public internal(set) var offset: Int
    public internal(set) var storage: TensorStorage

    /// A view; callers guarantee that every reachable element lies inside `storage`.
    @usableFromInline
    init(storage: TensorStorage, dtype: DType, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A new contiguous tensor with uninitialised elements: every caller writes all of them before reading (public
    /// for the fused kernels of Autodiff and Networks, which fill their results through `mutablePointer`).
    @inlinable
    public init(uninitializedShape shape: [Int], dtype: DType) {
        let count = shape.reduce(1, *)
        self.init(storage: TensorStorage(byteCount: count * dtype.itemSize), dtype: dtype, shape: shape,
                  strides: Tensor.contiguousStrides(for: shape), offset: 0)
    }

    /// Number of axes.
    @inlinable public var rank: Int { shape.count }
    /// Number of elements.
    @inlinable public var count: Int { shape.reduce(1, *) }

    /// Row-major (C-order) strides of a contiguous tensor of `shape`.
    @inlinable
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= Swift.max(shape[axis], 1)
        }
        return strides
    }

    /// True when the elements lie in row-major order with no gaps (axes of length 1 may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return shape[axis] == 0 || count == 0 }
            expected *= shape[axis]
        }
        return true
    }

    /// This tensor if it is contiguous, otherwise a contiguous copy.
    public func contiguous() -> Tensor {
        isContiguous ? self : copy()
    }

    /// A contiguous copy with storage of its own.
    public func copy() -> Tensor {
        let result = Tensor(uninitializedShape: shape, dtype: dtype)
        let total = count
        if total == 0 { return result }
        if isContiguous {
            result.storage.bytes.copyMemory(from: storage.bytes + offset * dtype.itemSize, byteCount: total * dtype.itemSize)
            return result
        }
        // Elements are copied as raw words of their size: no conversion, any dtype.
        switch dtype.itemSize {
        case 1: stridedCopy(UInt8.self, into: result)
        case 4: stridedCopy(UInt32.self, into: result)
        default: stridedCopy(UInt64.self, into: result)
        }
        return result
    }

    /// Copies this (non-contiguous) tensor into the contiguous `result`, row by row of the coalesced layout; a 2-D
    /// transpose is copied in square tiles so that both sides stay in cache.
    private func stridedCopy<Word>(_: Word.Type, into result: Tensor) {
        let loop = StridedLoop(shape: shape, operands: [(strides, offset), (result.strides, 0)])
        let source = storage.bytes.assumingMemoryBound(to: Word.self)
        let destination = result.storage.bytes.assumingMemoryBound(to: Word.self)
        if loop.shape.count == 2 && loop.strides[0][0] == 1 && loop.strides[1][1] == 1 {
            let rows = loop.shape[0], columns = loop.shape[1]
            let sourceColumnStride = loop.strides[0][1], destinationRowStride = loop.strides[1][0]
            let sourceBase = source + loop.offsets[0], destinationBase = destination + loop.offsets[1]
            let tile = 32
            for rowStart in stride(from: 0, to: rows, by: tile) {
                let rowEnd = Swift.min(rowStart + tile, rows)
                for columnStart in stride(from: 0, to: columns, by: tile) {
                    let columnEnd = Swift.min(columnStart + tile, columns)
                    for row in rowStart..<rowEnd {
                        let target = destinationBase + row * destinationRowStride
                        for column in columnStart..<columnEnd {
                            target[column] = sourceBase[row + column * sourceColumnStride]
                        }
                    }
                }
            }
            return
        }
        let sourceStride = loop.innerStride(0), destinationStride = loop.innerStride(1)
        loop.runRows(0..<loop.rowCount) { offsets, length in
            let input = source + offsets[0], output = destination + offsets[1]
            if sourceStride == 1 && destinationStride == 1 {
                output.update(from: input, count: length)
            } else {
                for index in 0..<length { output[index * destinationStride] = input[index * sourceStride] }
            }
        }
    }

    /// Makes the storage unique and contiguous, so that writes through `mutablePointer` touch only this tensor.
    public mutating func makeUniqueContiguous() {
        if !isKnownUniquelyReferenced(&storage) || !isContiguous || offset != 0
            || storage.byteCount != count * dtype.itemSize {
            self = copy()
        }
    }

    /// Pointer to element `[0, 0, …]` typed as `T`. The dtype must match; strided access uses `strides`.
    @inlinable
    public func pointer<T: TensorScalar>(_: T.Type) -> UnsafePointer<T> {
        precondition(T.dtype == dtype, "internal: pointer(\(T.self)) on a \(dtype) tensor")
        return UnsafePointer(storage.bytes.assumingMemoryBound(to: T.self) + offset)
    }

    /// Mutable pointer to element `[0, 0, …]`. Only for tensors whose storage the caller just created or made unique.
    @inlinable
    public func mutablePointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dtype == dtype, "internal: mutablePointer(\(T.self)) on a \(dtype) tensor")
        return storage.bytes.assumingMemoryBound(to: T.self) + offset
    }

    /// Calls `body(index, offset)` for each element in row-major order: `index` counts elements, `offset` is the
    /// element's position in storage.
    @inlinable
    func forEachElementOffset(_ body: (Int, Int) -> Void) {
        if isContiguous {
            for index in 0..<count { body(index, offset + index) }
            return
        }
        forEachOffset(shape: shape, strides: strides, base: offset, body)
    }
}
