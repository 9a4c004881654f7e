import Tensors

/// One factorisation of (centred) training features from which every ridge solution follows for any alpha.
///
/// Primal (`X = U S Vᵀ`, the SVD): `W(α) = V diag(s / (s² + α)) Uᵀ Y`.
/// Dual (`X Xᵀ = Q Λ Qᵀ`): `W(α) = Xᵀ Q diag(1 / (λ + α)) Qᵀ Y`, which is the same matrix since `Xᵀ Q = V S`.
/// Both are written as `W(α) = R · diag(d(α)) · Bᵀ Y` with the basis `B` (U or Q), the spectral weights `d(α)` and
/// the read-out `R` (V, or Xᵀ Q): so targets are projected once (`Bᵀ Y`, one GEMM) and every alpha only rescales.
struct RidgeFactorization {
    let isDual: Bool
    /// `[n_train, k]`: U (primal) or Q (dual).
    let basis: Tensor
    /// Singular values s (primal) or eigenvalues λ ≥ 0 (dual), length k.
    let spectrum: [Double]
    /// Primal: Vᵀ `[k, p]`. Dual: the centred training features X `[n_train, p]`.
    private let readOut: Tensor

    /// Factorises the training rows `rows` of `source` `[n, p]` (dtype float32 or float64, any strides), centred by
    /// subtracting `means` (per feature; nil: not centred).
    ///
    /// Both factorisations go through a symmetric eigendecomposition of a Gram matrix formed in float64 (symmetric
    /// rank-k updates and LAPACK ?syevd): for the primal `XᵀX = V S² Vᵀ`, then `U = X V S⁻¹`; for the dual
    /// `X Xᵀ = Q Λ Qᵀ`. This is several times faster than ?gesdd on the tall matrix (0.15 s against 0.8 s for
    /// 1600 × 512 float32 here), and forming the Gram matrix in float64 keeps float32 inputs as accurate as a float32
    /// SVD. Directions with `s ≤ s_max · max(n, p) · ε` (numerical rank deficiency) get `s = 0` and a zero column in
    /// U: ridge gives them no weight, as the SVD would (s / (s² + α) → 0).
    ///
    /// Memory: the primal never gathers the training rows as a whole — both `XᵀX` and `U = X V` go through blocks of
    /// `chunkRows` centred rows — so the factorisation's peak is the Gram matrix, its eigendecomposition's workspace
    /// and U. The dual keeps the centred rows (its read-out). With `withBasis` false the primal leaves U out (an empty
    /// `[0, k]` basis): fits that project through `Vᵀ Xᵀ Y` (`rotate`) never read it.
    init(_ source: Tensor, rows: [Int], subtracting means: [Double]?, dual: Bool, withBasis: Bool = true) throws {
        if dual {
            let x = source.dtype == .float32
                ? RidgeKernels.gatherRows(Float.self, source, rows: rows, subtracting: means)
                : RidgeKernels.gatherRows(Double.self, source, rows: rows, subtracting: means)
            var kernel = try Self.kernel(x)
            let (values, vectors) = try Linalg.eigh(overwriting: &kernel)   // a temporary: no copy
            isDual = true
            // Rounding can leave tiny negative eigenvalues in a positive semi-definite kernel: they are zeros.
            spectrum = values.scalars(as: Double.self).map { Swift.max($0, 0) }
            basis = vectors.astype(x.dtype).contiguous()
            readOut = x
        } else if source.dtype == .float32 {
            (basis, spectrum, readOut) = try Self.primal(Float.self, source, rows: rows, means: means,
                                                         withBasis: withBasis)
            isDual = false
        } else {
            (basis, spectrum, readOut) = try Self.primal(Double.self, source, rows: rows, means: means,
                                                         withBasis: withBasis)
            isDual = false
        }
    }

    /// Rows per block of the primal factorisation's passes over X (128: the float32 block and its float64 copy are
    /// 0.75 MB at 512 features, held while the Gram matrix is formed and decomposed).
    static var chunkRows: Int { 128 }

    /// The primal factorisation `(U, s, Vᵀ)` of `source[rows] − means` by blocks of `chunkRows` rows: each block is
    /// gathered and centred in T (as the targets' products see it), widened to float64 for `XᵀX += X_bᵀ X_b`
    /// (upper triangle, mirrored once), and after the eigendecomposition gathered again for `U_b = X_b V S⁻¹`.
    private static func primal<T: TensorFloat>(_: T.Type, _ source: Tensor, rows: [Int], means: [Double]?,
                                               withBasis: Bool) throws
        -> (basis: Tensor, spectrum: [Double], readOut: Tensor)
    {
        let features = source.shape[1], count = rows.count
        let epsilon = T.self == Float.self ? Double(Float.ulpOfOne) : Double.ulpOfOne
        let chunk = Swift.min(chunkRows, Swift.max(count, 1))
        let block = RidgeKernels.buffer(chunk * features, dtype: T.dtype)
        func gathered(_ start: Int) -> Tensor {
            RidgeKernels.gatherRows(T.self, source, rows: Array(rows[start..<Swift.min(count, start + chunk)]),
                                    subtracting: means, reusing: block)
        }
        var gram = try Tensor.zeros([features, features], dtype: .float64)
        gram.makeUniqueContiguous()
        let gramValues = gram.mutablePointer(Double.self)
        do {
            var wide = RidgeKernels.buffer(chunk * features, dtype: .float64)
            wide.makeUniqueContiguous()
            let wideValues = wide.mutablePointer(Double.self)
            for start in stride(from: 0, to: count, by: chunk) {
                let part = gathered(start), size = part.shape[0]
                let values = part.pointer(T.self)
                for index in 0..<(size * features) { wideValues[index] = values[index].doubleValue }
                Linalg.syrk(transpose: true, n: features, k: size, a: UnsafePointer(wideValues), lda: features,
                            beta: 1, c: gramValues, ldc: features)
            }
        }
        mirrorUpperTriangle(gramValues, features)
        // In place: the Gram matrix is a temporary (its copy would be another p² float64 at the fit's peak).
        let (values, vectors) = try Linalg.eigh(overwriting: &gram)
        gram = RidgeKernels.buffer(0, dtype: .float64)
        let singular = values.scalars(as: Double.self).map { Swift.max($0, 0).squareRoot() }
        let tolerance = (singular.max() ?? 0) * Double(Swift.max(count, features)) * epsilon
        let kept = singular.map { $0 > tolerance ? $0 : 0 }
        let axes = vectors.astype(T.dtype).contiguous()   // V [p, p], column j ↔ spectrum[j]
        guard withBasis else {
            return (Tensor(uninitializedShape: [0, features], dtype: T.dtype), kept, axes.transposed().contiguous())
        }
        // U = X V S⁻¹ block by block, then scaled in place.
        let basis = Tensor(uninitializedShape: [count, features], dtype: T.dtype)
        for start in stride(from: 0, to: count, by: chunk) {
            let part = gathered(start)
            Linalg.gemm(transposeA: false, transposeB: false, m: part.shape[0], n: features, k: features,
                        alpha: T(fromDouble: 1), a: part.pointer(T.self), lda: features, b: axes.pointer(T.self),
                        ldb: features, beta: T(fromDouble: 0), c: basis.mutablePointer(T.self) + start * features,
                        ldc: features)
        }
        RidgeKernels.scaleColumns(T.self, basis, by: kept.map { $0 > 0 ? T(fromDouble: 1 / $0) : 0 },
                                  into: basis.mutablePointer(T.self))
        return (basis, kept, axes.transposed().contiguous())
    }

    /// `X Xᵀ` in float64 `[n, n]` (the dual's kernel) by one symmetric rank-k update, mirrored.
    static func kernel(_ x: Tensor) throws -> Tensor {
        let rows = x.shape[0], features = x.shape[1]
        let wide = x.astype(.float64).contiguous()
        var total = try Tensor.zeros([rows, rows], dtype: .float64)
        total.makeUniqueContiguous()
        let output = total.mutablePointer(Double.self)
        Linalg.syrk(transpose: false, n: rows, k: features, a: wide.pointer(Double.self), lda: features,
                    c: output, ldc: rows)
        mirrorUpperTriangle(output, rows)
        return total
    }

    /// Copies the upper triangle of the row-major `n × n` matrix at `matrix` into its lower triangle.
    static func mirrorUpperTriangle(_ matrix: UnsafeMutablePointer<Double>, _ n: Int) {
        for row in 0..<n {
            for column in 0..<row { matrix[row * n + column] = matrix[column * n + row] }
        }
    }

    /// `d(α)`: `s / (s² + α)` (primal) or `1 / (λ + α)` (dual), in float64.
    func spectralWeights(alpha: Double) -> [Double] {
        isDual ? spectrum.map { 1 / ($0 + alpha) } : spectrum.map { $0 / ($0 * $0 + alpha) }
    }

    /// `1 / (s² + α)` (primal; 0 where s = 0, as `spectralWeights` gives those directions no weight): the weights of
    /// `Vᵀ Xᵀ Y = S Uᵀ Y`, the projection of `rotate`.
    func normalEquationWeights(alpha: Double) -> [Double] {
        spectrum.map { $0 > 0 ? 1 / ($0 * $0 + alpha) : 0 }
    }

    /// `Vᵀ M` `[k, b]` (primal) for `M` `[p, b]` at `values` (row stride `rowStride`, column stride 1), written at
    /// `output` with row stride b.
    func rotate<T: TensorFloat>(_: T.Type, _ values: UnsafePointer<T>, rowStride: Int, width: Int,
                                into output: UnsafeMutablePointer<T>) {
        precondition(!isDual, "rotate: the dual factorisation has no Vᵀ")
        let features = readOut.shape[1]
        Linalg.gemm(transposeA: false, transposeB: false, m: readOut.shape[0], n: width, k: features,
                    alpha: T(fromDouble: 1), a: readOut.pointer(T.self), lda: features, b: values, ldb: rowStride,
                    beta: T(fromDouble: 0), c: output, ldc: width)
    }

    /// `X_val · R`: the validation features `[n_val, p]` (centred with the training means) carried into the
    /// spectral basis, `[n_val, k]`, so that predictions are `(X_val R) · diag(d(α)) · (Bᵀ Y)`.
    func validationProjection(_ validation: Tensor) throws -> Tensor {
        if isDual {
            return try Tensor.matmul(try Tensor.matmul(validation, readOut.transposed()), basis)
        }
        return try Tensor.matmul(validation, readOut.transposed())
    }

    /// Number of basis columns k.
    var rank: Int { basis.shape[1] }

    /// Weights `[p, g]` from scaled projections `diag(d(α)) Bᵀ Y` (contiguous `[k, g]`), written at `output` with
    /// row stride `outputRowStride` (a block of columns of a wider `[p, t]` matrix, say).
    func weights<T: TensorFloat>(_: T.Type, fromScaledProjection scaled: Tensor, into output: UnsafeMutablePointer<T>,
                                 outputRowStride: Int) throws {
        let width = scaled.shape[1], features = readOut.shape[1]
        // Primal: Vᵀ is stored [k, p], so V · scaled is its transpose times scaled. Dual: Xᵀ (Q · scaled), the
        // [n_train, g] product first.
        let right = isDual ? try Tensor.matmul(basis, scaled) : scaled
        Linalg.gemm(transposeA: true, transposeB: false, m: features, n: width, k: readOut.shape[0],
                    alpha: T(fromDouble: 1), a: readOut.pointer(T.self), lda: features, b: right.pointer(T.self),
                    ldb: width, beta: T(fromDouble: 0), c: output, ldc: outputRowStride)
    }
}
