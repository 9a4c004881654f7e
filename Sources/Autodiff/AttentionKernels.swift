import Tensors

/// Multi-head scaled dot-product self-attention read straight from the fused projection `qkv` `[n, tokens, 3·F]`
/// (features ordered query | key | value, each `heads` blocks of d = F/heads columns, as DINOv2's `attn.qkv`):
/// every head's query, key and value matrix is a `tokens × d` block of those rows with row stride 3·F, which BLAS
/// reads in place, and each head's output is written into its d columns of the `[n, tokens, F]` result. So there
/// is no reshape, transpose or split of the projection, forward or backward.
///
/// The forward pass of small heads runs register-blocked loops, one (example, head) pair per task of a parallel
/// loop; larger heads and the backward pass use gemms, which run one after another (bm never calls BLAS inside its
/// own parallel loops, and OpenBLAS threads large ones), with the softmax (or its backward) over all rows of all
/// heads in one parallel loop between them.
enum AttentionKernels {
    struct Sizes {
        let batch: Int, tokens: Int, heads: Int, headWidth: Int
        var features: Int { heads * headWidth }
        var rowStride: Int { 3 * features }
        var scale: Double { 1 / Double(headWidth).squareRoot() }
    }

    /// Heads whose score product (tokens² · head width multiply-adds) is at most this go through `forwardInTasks`;
    /// larger ones through BLAS (`forwardByProducts`), whose vectorised kernels then win over register loops.
    static let largestTaskHead = 1 << 19

    /// The attention output `[n, tokens, F]`, and with `keepingProbabilities` the probabilities
    /// `[n, heads, tokens, tokens]` (for the backward pass; inference does without them).
    static func forward<T: KernelFloat>(_: T.Type, _ qkv: Tensor, heads: Int, keepingProbabilities: Bool) throws
        -> (output: Tensor, probabilities: Tensor?) {
        let tokens = qkv.shape[1], headWidth = qkv.shape[2] / (3 * heads)
        if tokens * tokens * headWidth <= largestTaskHead {
            return try forwardInTasks(T.self, qkv, heads: heads, keepingProbabilities: keepingProbabilities)
        }
        let (output, probabilities) = try forwardByProducts(T.self, qkv, heads: heads)
        return (output, keepingProbabilities ? probabilities : nil)
    }

    /// Small heads (a small ViT's 65 tokens × 16): each (example, head) pair is one task of a parallel loop,
    /// computed in registers rather than by BLAS. Such a head's products are too small for BLAS to run them on
    /// more than one core or to amortise its packing, so that the gemms would run one after another on one core.
    /// Each task copies Kᵀ out (zero-padded to a multiple of 8 columns), forms S = scale·Q·Kᵀ four query rows by
    /// eight keys at a time, takes each row's softmax, and forms O = P·V four rows by eight columns at a time,
    /// writing its d columns of the result.
    static func forwardInTasks<T: KernelFloat>(_: T.Type, _ qkv: Tensor, heads: Int, keepingProbabilities: Bool)
        throws -> (output: Tensor, probabilities: Tensor?) {
        let sizes = Sizes(batch: qkv.shape[0], tokens: qkv.shape[1], heads: heads,
                          headWidth: qkv.shape[2] / (3 * heads))
        let (n, t, d, f) = (sizes.batch, sizes.tokens, sizes.headWidth, sizes.features)
        let input = qkv.contiguous()
        let probabilities = keepingProbabilities ? Tensor(uninitializedShape: [n, heads, t, t], dtype: qkv.dtype) : nil
        let output = Tensor(uninitializedShape: [n, t, f], dtype: qkv.dtype)
        if n == 0 || t == 0 { return (output, probabilities) }
        let source = SendablePointer(input.pointer(T.self)), result = SendablePointer(output.mutablePointer(T.self))
        let kept = probabilities.map { SendablePointer($0.mutablePointer(T.self)) }
        let scale = T(fromDouble: sizes.scale), stride = sizes.rowStride
        let padded = (t + 7) / 8 * 8
        try parallelRanges(n * heads, grain: 2 * t * t * d, operation: "attention") { range in
            // Kᵀ (d × padded) and the scores (t × padded) of one head.
            let scratch = UnsafeMutablePointer<T>.allocate(capacity: (d + t) * padded)
            defer { scratch.deallocate() }
            let keysTransposed = scratch, scores = scratch + d * padded
            for task in range {
                let (example, head) = task.quotientAndRemainder(dividingBy: heads)
                let rows = UnsafePointer(source.base) + example * t * stride + head * d
                let (query, key, value) = (rows, rows + f, rows + 2 * f)
                for c in 0..<d {
                    let destination = keysTransposed + c * padded
                    for j in 0..<t { destination[j] = key[j * stride + c] }
                    for j in t..<padded { destination[j] = 0 }
                }
                scoresBlock(query: query, stride: stride, keysTransposed: UnsafePointer(keysTransposed),
                            tokens: t, padded: padded, headWidth: d, scale: scale, into: scores)
                for i in 0..<t { FusedKernels.softmaxRow(scores + i * padded, t) }
                if let kept {
                    let destination = kept.base + task * t * t
                    for i in 0..<t { (destination + i * t).update(from: scores + i * padded, count: t) }
                }
                mixBlock(probabilities: UnsafePointer(scores), padded: padded, value: value, stride: stride,
                         tokens: t, headWidth: d, into: result.base + example * t * f + head * d, outputStride: f)
            }
        }
        withExtendedLifetime(input) {}
        return (output, probabilities)
    }

    /// Large heads: S = scale·Q·Kᵀ and O = P·V by BLAS, one gemm per head after another (OpenBLAS threads the
    /// large ones), the softmax over all rows of all heads in one parallel loop between them. Returns the output
    /// `[n, tokens, F]` and the probabilities `[n, heads, tokens, tokens]`.
    static func forwardByProducts<T: KernelFloat>(_: T.Type, _ qkv: Tensor, heads: Int) throws
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

    @inline(__always)
    static func load8<T: KernelFloat>(_ pointer: UnsafePointer<T>) -> SIMD8<T> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<T>.self)
    }

    @inline(__always)
    static func store8<T: KernelFloat>(_ vector: SIMD8<T>, _ pointer: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<T>.self)
    }

    /// scores[i, j] = scale · Σ_c query[i·stride + c] · keysTransposed[c·padded + j] for i < tokens, j < padded.
    @inline(__always)
    static func scoresBlock<T: KernelFloat>(query: UnsafePointer<T>, stride: Int, keysTransposed: UnsafePointer<T>,
                                            tokens t: Int, padded: Int, headWidth d: Int, scale: T,
                                            into scores: UnsafeMutablePointer<T>) {
        productBlock(a: query, aStride: stride, b: keysTransposed, bStride: padded, depth: d, rows: t,
                     columns: padded, scale: scale, into: scores, cStride: padded)
    }

    /// output[i·outputStride + c] = Σ_j probabilities[i·padded + j] · value[j·stride + c] for i < tokens,
    /// c < headWidth: the columns up to a multiple of 8 by `productBlock`, the rest one at a time.
    @inline(__always)
    static func mixBlock<T: KernelFloat>(probabilities p: UnsafePointer<T>, padded: Int, value: UnsafePointer<T>,
                                         stride: Int, tokens t: Int, headWidth d: Int,
                                         into output: UnsafeMutablePointer<T>, outputStride: Int) {
        let blocked = d & ~7
        productBlock(a: p, aStride: padded, b: value, bStride: stride, depth: t, rows: t, columns: blocked,
                     scale: 1, into: output, cStride: outputStride)
        for c in blocked..<d {
            for i in 0..<t {
                var total: T = 0
                for j in 0..<t { total += p[i * padded + j] * value[j * stride + c] }
                output[i * outputStride + c] = total
            }
        }
    }

    /// c[i·cStride + j] = scale · Σ_k a[i·aStride + k] · b[k·bStride + j] for i < rows, j < columns (a multiple of
    /// 8): four rows share each load of eight columns of b (the last block repeats its last row instead of reading
    /// past it), accumulated in registers.
    @inline(__always)
    static func productBlock<T: KernelFloat>(a: UnsafePointer<T>, aStride: Int, b: UnsafePointer<T>, bStride: Int,
                                             depth: Int, rows t: Int, columns: Int, scale: T,
                                             into c: UnsafeMutablePointer<T>, cStride: Int) {
        let factor = SIMD8<T>(repeating: scale)
        var i0 = 0
        while i0 < t {
            let r1 = Swift.min(i0 + 1, t - 1), r2 = Swift.min(i0 + 2, t - 1), r3 = Swift.min(i0 + 3, t - 1)
            let a0 = a + i0 * aStride, a1 = a + r1 * aStride, a2 = a + r2 * aStride, a3 = a + r3 * aStride
            var j0 = 0
            while j0 < columns {
                var s0 = SIMD8<T>(repeating: 0), s1 = s0, s2 = s0, s3 = s0
                for k in 0..<depth {
                    let row = load8(b + k * bStride + j0)
                    s0 += SIMD8(repeating: a0[k]) * row
                    s1 += SIMD8(repeating: a1[k]) * row
                    s2 += SIMD8(repeating: a2[k]) * row
                    s3 += SIMD8(repeating: a3[k]) * row
                }
                store8(s0 * factor, c + i0 * cStride + j0)
                if i0 + 1 < t { store8(s1 * factor, c + (i0 + 1) * cStride + j0) }
                if i0 + 2 < t { store8(s2 * factor, c + (i0 + 2) * cStride + j0) }
                if i0 + 3 < t { store8(s3 * factor, c + (i0 + 3) * cStride + j0) }
                j0 += 8
            }
            i0 += 4
        }
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
