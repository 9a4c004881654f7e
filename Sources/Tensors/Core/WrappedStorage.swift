extension Tensor {
    /// A contiguous (row-major) tensor of `shape` whose elements are the first `count × itemSize` bytes of `storage`.
    ///
    /// This is how file readers hand over memory they filled or mapped themselves (a memory-mapped `.npy` or
    /// safetensors file) without a copy. The bytes must already hold valid `dtype` elements (for `bool`: only 0 or 1).
    /// Throws `invalidShape` when a dimension is negative, the element count overflows, or `storage` is too small.
    public init(wrapping storage: TensorStorage, dtype: DType, shape: [Int]) throws {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else {
                throw TensorError(.invalidShape, "Tensor(wrapping:)", "negative dimension in \(formatShape(shape))")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw TensorError(.invalidShape, "Tensor(wrapping:)", "shape \(formatShape(shape)) is too large")
            }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, byteCount <= storage.byteCount else {
            throw TensorError(.invalidShape, "Tensor(wrapping:)",
                              "shape \(formatShape(shape)) of \(dtype) needs more than the \(storage.byteCount) bytes given")
        }
        self.init(storage: storage, dtype: dtype, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0)
    }
}
