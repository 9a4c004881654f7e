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

    /// `‖YᵀX‖²_F`, `‖XᵀX‖_F`, `‖YᵀY‖_F` of column-centred X [n, p], Y [n, q]: in feature space (p², q², pq
    /// products of length n) or, when examples are fewer than features, in example space through
    /// `‖YᵀX‖²_F = ⟨XXᵀ, YYᵀ⟩_F` and `‖XᵀX‖_F = ‖XXᵀ‖_F` — whichever needs fewer multiplications.
    static func linearCKATerms(_ x: Tensor, _ y: Tensor) throws -> (cross: Double, xx: Double, yy: Double) {
        let n = Double(x.shape[0]), p = Double(x.shape[1]), q = Double(y.shape[1])
        let featureCost = n * (p * q + (p * p + q * q) * 0.6)
        let exampleCost = n * n * (p + q) * 0.6
        if featureCost <= exampleCost {
            let cross = squaredSum(try Tensor.matmul(y.transposed(), x))
            return (cross, try gramSquaredNorm(x).squareRoot(), try gramSquaredNorm(y).squareRoot())
        }
        let k = try Tensor.matmul(x, x.transposed()), l = try Tensor.matmul(y, y.transposed())
        return (innerProduct(k, l), squaredSum(k).squareRoot(), squaredSum(l).squareRoot())
    }
}
