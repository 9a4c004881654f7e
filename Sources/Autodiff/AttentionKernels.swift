import Tensors

/// Multi-head scaled dot-product self-attention read straight from the fused projection `qkv` `[n, tokens, 3·F]`
/// (features ordered query | key | value, each `heads` blocks of d = F/heads columns, as DINOv2's `attn.qkv`):
/// every head's query, key and value matrix is a `tokens × d` block of those rows with row stride 3·F, which BLAS
/// reads in place, and each head's output is written into its d columns of the `[n, tokens, F]` result. So there
/// is no reshape, transpose or split of the projection, forward or backward.
///
/// The gemms run one after another (bm never calls BLAS inside its own parallel loops, and OpenBLAS threads large
/// ones); the softmax over all rows of all heads runs in one parallel loop between them.
enum AttentionKernels {
    struct Sizes {
        let batch: Int, tokens: Int, heads: Int, headWidth: Int
        var features: Int { heads * headWidth }
        var rowStride: Int { 3 * features }
        var scale: Double { 1 / Double(headWidth).squareRoot() }
    }

    /// The attention output `[n, tokens, F]` and the probabilities `[n, heads, tokens, tokens]` (kept for the
    /// backward pass).
    static func forward<T: KernelFloat>(_: T.Type, _ qkv: Tensor, heads: Int) throws
        -> (output: Tensor, probabilities: Tensor) {
        let sizes = Sizes(batch: qkv.shape[0], tokens: qkv.shape[1], heads: heads,
                          headWidth: qkv.shape[2] / (3 * heads))
        let (n, t, d, f) = (sizes.batch, sizes.tokens, sizes.headWidth, sizes.features)
        let input = qkv.contiguous()
        let probabilities = Tensor(uninitializedShape: [n, heads, t, t], dtype: qkv.dtype)
        let output = Tensor(uninitializedShape: [n, t, f], dtype: qkv.dtype)
        if n == 0 || t == 0 { return (output, probabilities) }
        let source = input.pointer(T.self), scores = probabilities.mutablePointer(T.self)
        let result = output.mutablePointer(T.self)
        let scale = T(fromDouble: sizes.scale)
        let transposed = UnsafeMutablePointer<T>.allocate(capacity: d * t)
        defer { transposed.deallocate() }
        for example in 0..<n {
            let rows = source + example * t * sizes.rowStride
            for head in 0..<heads {
                // S = scale · Q·Kᵀ, with Kᵀ copied out first (t·d elements, against t²·d multiply-adds): OpenBLAS
                // takes its small-matrix kernels for plain products but packs both operands of a transposed one.
                transpose(rows + f + head * d, rows: t, columns: d, stride: sizes.rowStride, into: transposed)
                Linalg.gemm(transposeA: false, transposeB: false, m: t, n: t, k: d, alpha: scale,
                            a: rows + head * d, lda: sizes.rowStride, b: transposed, ldb: t,
                            beta: 0, c: scores + (example * heads + head) * t * t, ldc: t)
            }
        }
        let data = SendablePointer(scores)
        try parallelRanges(n * heads * t, grain: t, operation: "attention") { range in
            for row in range { FusedKernels.softmaxRow(data.base + row * t, t) }
        }
        for example in 0..<n {
            let rows = source + example * t * sizes.rowStride
            for head in 0..<heads {
                // O_h = P·V
                Linalg.gemm(transposeA: false, transposeB: false, m: t, n: d, k: t, alpha: 1,
                            a: UnsafePointer(scores + (example * heads + head) * t * t), lda: t,
                            b: rows + 2 * f + head * d, ldb: sizes.rowStride, beta: 0,
                            c: result + example * t * f + head * d, ldc: f)
            }
        }
        // The pointers above point into `input` (possibly a fresh contiguous copy): keep it alive until here.
        withExtendedLifetime(input) {}
        return (output, probabilities)
    }

    /// The `columns × rows` transpose of a `rows × columns` block with row stride `stride`, written contiguously.
    @inline(__always)
    static func transpose<T>(_ block: UnsafePointer<T>, rows: Int, columns: Int, stride: Int,
                             into destination: UnsafeMutablePointer<T>) {
        for row in 0..<rows {
            for column in 0..<columns { destination[column * rows + row] = block[row * stride + column] }
        }
    }

    /// The gradient with respect to `qkv` `[n, tokens, 3·F]` from the output's gradient `g` `[n, tokens, F]`:
    /// dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP - rowsum(dP ⊙ P)), dQ = scale·dS·K, dK = scale·dSᵀ·Q.
    static func backward<T: KernelFloat>(_: T.Type, _ qkv: Tensor, probabilities: Tensor, heads: Int,
                                         gradient g: Tensor) throws -> Tensor {
        let sizes = Sizes(batch: qkv.shape[0], tokens: qkv.shape[1], heads: heads,
                          headWidth: qkv.shape[2] / (3 * heads))
        let (n, t, d, f) = (sizes.batch, sizes.tokens, sizes.headWidth, sizes.features)
        let input = qkv.contiguous(), upstream = g.contiguous()
        let result = Tensor(uninitializedShape: qkv.shape, dtype: qkv.dtype)
        if n == 0 || t == 0 { return result }
        let source = input.pointer(T.self), gradient = upstream.pointer(T.self)
        let scores = probabilities.pointer(T.self), output = result.mutablePointer(T.self)
        let scoreGradients = Tensor(uninitializedShape: [n, heads, t, t], dtype: qkv.dtype)
        let dScores = scoreGradients.mutablePointer(T.self)
        let stride = sizes.rowStride
        let transposed = UnsafeMutablePointer<T>.allocate(capacity: d * t)
        defer { transposed.deallocate() }
        for example in 0..<n {
            let rows = source + example * t * stride, outputRows = output + example * t * stride
            let dO = gradient + example * t * f
            for head in 0..<heads {
                let p = scores + (example * heads + head) * t * t
                // dV = Pᵀ·dO
                Linalg.gemm(transposeA: true, transposeB: false, m: t, n: d, k: t, alpha: 1, a: p, lda: t,
                            b: dO + head * d, ldb: f, beta: 0, c: outputRows + 2 * f + head * d, ldc: stride)
                // dP = dO·Vᵀ (Vᵀ copied out, as Kᵀ forward)
                transpose(rows + 2 * f + head * d, rows: t, columns: d, stride: stride, into: transposed)
                Linalg.gemm(transposeA: false, transposeB: false, m: t, n: t, k: d, alpha: 1, a: dO + head * d,
                            lda: f, b: transposed, ldb: t, beta: 0,
                            c: dScores + (example * heads + head) * t * t, ldc: t)
            }
        }
        let values = SendablePointer(scores), data = SendablePointer(dScores)
        try parallelRanges(n * heads * t, grain: t, operation: "attention") { range in
            for row in range {
                FusedKernels.softmaxBackwardRow(UnsafePointer(values.base + row * t), data.base + row * t, t, scale: 1)
            }
        }
        let scale = T(fromDouble: sizes.scale)
        for example in 0..<n {
            let rows = source + example * t * stride, outputRows = output + example * t * stride
            for head in 0..<heads {
                let dS = UnsafePointer(dScores + (example * heads + head) * t * t)
                // dQ = scale · dS·K
                Linalg.gemm(transposeA: false, transposeB: false, m: t, n: d, k: t, alpha: scale, a: dS, lda: t,
                            b: rows + f + head * d, ldb: stride, beta: 0, c: outputRows + head * d, ldc: stride)
                // dK = scale · dSᵀ·Q
                Linalg.gemm(transposeA: true, transposeB: false, m: t, n: d, k: t, alpha: scale, a: dS, lda: t,
                            b: rows + head * d, ldb: stride, beta: 0, c: outputRows + f + head * d, ldc: stride)
            }
        }
        withExtendedLifetime((input, upstream, probabilities, scoreGradients)) {}
        return result
    }
}
