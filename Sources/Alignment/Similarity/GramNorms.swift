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

    /// `‖XᵀX‖²_F` for X [n, p] from the upper block triangle only: with the columns cut into b blocks,
    /// `‖XᵀX‖² = Σ_i ‖X_iᵀX_i‖² + 2 Σ_{i<j} ‖X_iᵀX_j‖²`, which costs (b+1)/2b of the full product — what a
    /// symmetric rank-k update (numpy's `syrk` path for `X.T @ X`) saves, through plain GEMMs on column views.
    static func gramSquaredNorm(_ x: Tensor) throws -> Double {
        let p = x.shape[1]
        let blocks = p >= 1024 ? 8 : p >= 256 ? 4 : 1
        let size = (p + blocks - 1) / blocks
        let ranges = stride(from: 0, to: p, by: size).map { $0..<Swift.min($0 + size, p) }
        let views = try ranges.map { try x.sliced(axis: 1, $0) }
        var total = 0.0
        for i in views.indices {
            for j in i..<views.count {
                try Cancellation.check("cka")
                let block = squaredSum(try Tensor.matmul(views[i].transposed(), views[j]))
                total += i == j ? block : 2 * block
            }
        }
        return total
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
