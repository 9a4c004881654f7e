import Tensors

/// Frobenius norms and inner products of Gram matrices through GEMMs, without forming what is not needed.
enum GramNorms {
    /// `Σ_ij values²` of a float tensor, accumulated in Double.
    static func squaredSum(_ t: Tensor) -> Double {
        let c = t.contiguous()
        var sum = 0.0
        if c.dtype == .float32 {
            let p = c.pointer(Float.self)
            for index in 0..<c.count { let v = Double(p[index]); sum += v * v }
        } else {
            let p = c.astype(.float64).pointer(Double.self)
            for index in 0..<c.count { sum += p[index] * p[index] }
        }
        return sum
    }

    /// `Σ_ij a_ij b_ij` of two same-shape float tensors.
    static func innerProduct(_ a: Tensor, _ b: Tensor) -> Double {
        let x = a.astype(.float64).contiguous(), y = b.astype(.float64).contiguous()
        let p = x.pointer(Double.self), q = y.pointer(Double.self)
        var sum = 0.0
        for index in 0..<x.count { sum += p[index] * q[index] }
        return sum
    }

    /// `‖XᵀX‖²_F` for X [n, p] from the upper triangle of `XᵀX`, formed by one symmetric rank-k update (?syrk, half
    /// the multiplications of the product, numpy's path for `X.T @ X`): `Σ_i G_ii² + 2 Σ_{i<j} G_ij²`, summed in
    /// float64 row by row, rows split over threads. Float32 and float64 X stay in their dtype; others are widened.
    static func gramSquaredNorm(_ x: Tensor) throws -> Double {
        try Cancellation.check("cka")
        let source = (x.dtype == .float32 || x.dtype == .float64 ? x : x.astype(.float64)).contiguous()
        if source.dtype == .float32 { return upperGramSquaredNorm(Float.self, source) }
        return upperGramSquaredNorm(Double.self, source)
    }

    private static func upperGramSquaredNorm<T: TensorFloat>(_: T.Type, _ x: Tensor) -> Double {
        let n = x.shape[0], p = x.shape[1]
        let gram = Tensor(uninitializedShape: [p, p], dtype: T.dtype)
        Linalg.syrk(transpose: true, n: p, k: n, a: x.pointer(T.self), lda: p, c: gram.mutablePointer(T.self), ldc: p)
        let values = SharedPointer(gram.pointer(T.self))
        let sums = ResultSlots<Double>(count: p)
        RidgeParallel.forRanges(p, workPerItem: p / 2) { rows in
            for row in rows {
                let line = values.base + row * p
                let diagonal = line[row].doubleValue
                var offDiagonal = 0.0
                for column in (row + 1)..<Swift.max(p, row + 1) {
                    let value = line[column].doubleValue
                    offDiagonal += value * value
                }
                sums.set(row, diagonal * diagonal + 2 * offDiagonal)
            }
        }
        return sums.values.reduce(0) { $0 + ($1 ?? 0) }
    }

    /// `‖YᵀX‖²_F`, `‖XᵀX‖_F`, `‖YᵀY‖_F` of X [n, p] and Y [n, q] with their columns centred: in feature space (p², q²,
    /// pq products of length n: one GEMM for `YᵀX`, one ?syrk for each Gram matrix) or, when examples are fewer
    /// than features, in example space through `‖YᵀX‖²_F = ⟨XXᵀ, YYᵀ⟩_F` and `‖XᵀX‖_F = ‖XXᵀ‖_F` — whichever
    /// needs fewer multiplications. Float32 when both inputs are float32, float64 otherwise. The column sums
    /// (float64, one pass) give both the means and the finiteness check: a finite float32 column sums to a finite
    /// float64, so the search for the offending column (`requireFinite`, which throws naming it) runs only when a
    /// sum is not finite.
    static func linearCKATerms(_ x: Tensor, _ y: Tensor, operation: String) throws
        -> (cross: Double, xx: Double, yy: Double)
    {
        let dtype: DType = x.dtype == .float32 && y.dtype == .float32 ? .float32 : .float64
        let xs = x.astype(dtype).contiguous(), ys = y.astype(dtype).contiguous()
        if dtype == .float32 { return try linearCKATerms(Float.self, xs, ys, operation: operation) }
        return try linearCKATerms(Double.self, xs, ys, operation: operation)
    }

    private static func linearCKATerms<T: TensorFloat>(_: T.Type, _ x: Tensor, _ y: Tensor, operation: String) throws
        -> (cross: Double, xx: Double, yy: Double)
    {
        let xc = try centredColumns(T.self, x, "X", operation)
        let yc = try centredColumns(T.self, y, "Y", operation)
        try Cancellation.check(operation)
        let n = Double(x.shape[0]), p = Double(x.shape[1]), q = Double(y.shape[1])
        let featureCost = n * (p * q + (p * p + q * q) * 0.6)
        let exampleCost = n * n * (p + q) * 0.6
        if featureCost <= exampleCost {
            let rows = x.shape[0], pCount = x.shape[1], qCount = y.shape[1]
            let product = Tensor(uninitializedShape: [pCount, qCount], dtype: T.dtype)
            Linalg.gemm(transposeA: true, transposeB: false, m: pCount, n: qCount, k: rows, alpha: T(fromDouble: 1),
                        a: xc.pointer(T.self), lda: pCount, b: yc.pointer(T.self), ldb: qCount,
                        beta: T(fromDouble: 0), c: product.mutablePointer(T.self), ldc: qCount)
            let cross = parallelSquaredSum(T.self, product)
            try Cancellation.check(operation)
            let xx = upperGramSquaredNorm(T.self, xc).squareRoot()
            try Cancellation.check(operation)
            return (cross, xx, upperGramSquaredNorm(T.self, yc).squareRoot())
        }
        let k = try Tensor.matmul(xc, xc.transposed()), l = try Tensor.matmul(yc, yc.transposed())
        return (innerProduct(k, l), squaredSum(k).squareRoot(), squaredSum(l).squareRoot())
    }

    /// `x − 1 x̄ᵀ` for contiguous `x` [n, p] of dtype T, as a new contiguous tensor: the column sums in float64 (one
    /// pass, columns split over threads, each thread walking whole rows of its columns), the means rounded to T and
    /// subtracted in a second pass (rows over threads). Throws through `requireFinite` when a sum is not finite.
    static func centredColumns<T: TensorFloat>(_: T.Type, _ x: Tensor, _ name: String, _ operation: String) throws
        -> Tensor
    {
        let rows = x.shape[0], columns = x.shape[1]
        let source = SharedPointer(x.pointer(T.self))
        let ranges = columnRanges(columns, parts: Swift.max(1, Threads.count * 2))
        let sums = ResultSlots<[Double]>(count: ranges.count)
        RidgeParallel.forRanges(ranges.count, workPerItem: rows * columns / Swift.max(ranges.count, 1)) { parts in
            for part in parts {
                let range = ranges[part]
                var partial = [Double](repeating: 0, count: range.count)
                partial.withUnsafeMutableBufferPointer { partial in
                    let total = partial.baseAddress!
                    for row in 0..<rows {
                        let line = source.base + row * columns + range.lowerBound
                        for column in 0..<range.count { total[column] += line[column].doubleValue }
                    }
                }
                sums.set(part, partial)
            }
        }
        let columnSums = sums.values.compactMap { $0 }.flatMap { $0 }
        if columnSums.contains(where: { !$0.isFinite }) { try Similarity.requireFinite(x, name, operation) }
        let means = columnSums.map { T(fromDouble: $0 / Double(rows)) }
        let result = Tensor(uninitializedShape: [rows, columns], dtype: T.dtype)
        let destination = SharedPointer(result.mutablePointer(T.self))
        RidgeParallel.forRanges(rows, workPerItem: columns) { range in
            means.withUnsafeBufferPointer { means in
                for row in range {
                    let from = source.base + row * columns, to = destination.base + row * columns
                    for column in 0..<columns { to[column] = from[column] - means[column] }
                }
            }
        }
        return result
    }

    /// `0..<count` cut into `parts` consecutive ranges (fewer when count is small), none empty.
    private static func columnRanges(_ count: Int, parts: Int) -> [Range<Int>] {
        let pieces = Swift.max(1, Swift.min(parts, count)), size = (count + pieces - 1) / pieces
        return stride(from: 0, to: count, by: Swift.max(size, 1)).map { $0..<Swift.min(count, $0 + size) }
    }

    /// `Σ_ij values²` of a contiguous float tensor of dtype T in float64, rows split over threads (each row's sum a
    /// slot, added in order: the same answer for any thread count).
    static func parallelSquaredSum<T: TensorFloat>(_: T.Type, _ t: Tensor) -> Double {
        let rows = t.shape[0], columns = t.count / Swift.max(rows, 1)
        let values = SharedPointer(t.pointer(T.self))
        let sums = ResultSlots<Double>(count: rows)
        RidgeParallel.forRanges(rows, workPerItem: columns) { range in
            for row in range {
                let line = values.base + row * columns
                var sum = 0.0
                for column in 0..<columns { let v = line[column].doubleValue; sum += v * v }
                sums.set(row, sum)
            }
        }
        return sums.values.reduce(0) { $0 + ($1 ?? 0) }
    }
}
