import Foundation
import Testing
@testable import Tensors

/// `Linalg.syrk` against a double loop over the stored values: both products (`A Aᵀ` and `AᵀA`), both triangles,
/// leading dimensions wider than the matrices, `alpha` and `beta`, and the untouched triangle.
@Suite struct SymmetricProductTests {
    /// (n, k, lda padding, ldc padding): empty and one-element sizes, thin and wide operands, sizes past OpenBLAS's
    /// blocking (its threaded path starts at a few hundred).
    static let shapes: [(Int, Int, Int, Int)] = [
        (1, 1, 0, 0), (1, 5, 2, 0), (3, 1, 0, 3), (4, 4, 1, 1), (7, 13, 0, 2), (13, 7, 3, 0), (33, 65, 5, 1),
        (64, 3, 0, 0), (130, 257, 7, 9), (300, 40, 0, 0), (0, 5, 0, 0), (5, 0, 0, 0),
    ]

    @Test(arguments: shapes)
    func syrkMatchesTheDoubleLoop(shape: (Int, Int, Int, Int)) {
        let (n, k, aPadding, cPadding) = shape
        for transpose in [false, true] {
            for upper in [true, false] {
                for (alpha, beta) in [(1.0, 0.0), (-0.5, 2.0)] {
                    check(Float.self, n: n, k: k, aPadding: aPadding, cPadding: cPadding, transpose: transpose,
                          upper: upper, alpha: alpha, beta: beta, tolerance: 2e-5)
                    check(Double.self, n: n, k: k, aPadding: aPadding, cPadding: cPadding, transpose: transpose,
                          upper: upper, alpha: alpha, beta: beta, tolerance: 1e-12)
                }
            }
        }
    }

    /// Fills A (stored `n × k`, or `k × n` with `transpose`) and C with seeded values, runs syrk, and compares each
    /// element of C: the chosen triangle with `alpha · Σ op(A)_il op(A)_jl + beta · C₀`, the rest with `C₀`.
    private func check<T: TensorFloat>(_: T.Type, n: Int, k: Int, aPadding: Int, cPadding: Int, transpose: Bool,
                                       upper: Bool, alpha: Double, beta: Double, tolerance: Double) {
        let storedRows = transpose ? k : n, storedColumns = transpose ? n : k
        // BLAS wants leading dimensions of at least 1, even for empty operands.
        let lda = Swift.max(1, storedColumns + aPadding), ldc = Swift.max(1, n + cPadding)
        var generator = SplitMix(state: UInt64(n * 1000 + k * 10 + (transpose ? 1 : 0)))
        let a = (0..<Swift.max(storedRows * lda, 1)).map { _ in T(fromDouble: Double.random(in: -1..<1, using: &generator)) }
        let initial = (0..<Swift.max(n * ldc, 1)).map { _ in T(fromDouble: Double.random(in: -1..<1, using: &generator)) }
        var c = initial
        a.withUnsafeBufferPointer { aBuffer in
            c.withUnsafeMutableBufferPointer { cBuffer in
                Linalg.syrk(upper: upper, transpose: transpose, n: n, k: k, alpha: T(fromDouble: alpha),
                            a: aBuffer.baseAddress!, lda: lda, beta: T(fromDouble: beta), c: cBuffer.baseAddress!,
                            ldc: ldc)
            }
        }
        // op(A)[i, l]: A[i, l] as stored, or A[l, i] for the transposed product.
        func element(_ i: Int, _ l: Int) -> Double { (transpose ? a[l * lda + i] : a[i * lda + l]).doubleValue }
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<ldc {
                let index = i * ldc + j
                let inTriangle = j < n && (upper ? j >= i : j <= i)
                var expected = initial[index].doubleValue
                if inTriangle {
                    var sum = 0.0, magnitude = 0.0
                    for l in 0..<k { sum += element(i, l) * element(j, l); magnitude += abs(element(i, l) * element(j, l)) }
                    expected = alpha * sum + beta * expected
                    let error = abs(c[index].doubleValue - expected) / Swift.max(1, abs(alpha) * magnitude + abs(beta))
                    worst = Swift.max(worst, error)
                } else {
                    #expect(c[index] == initial[index], "n \(n) k \(k) transpose \(transpose) upper \(upper): (\(i), \(j)) outside the triangle was written")
                }
            }
        }
        #expect(worst <= tolerance, "\(T.self) n \(n) k \(k) transpose \(transpose) upper \(upper) alpha \(alpha) beta \(beta): relative error \(worst)")
    }
}
