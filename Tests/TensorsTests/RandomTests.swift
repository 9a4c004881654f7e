import Foundation
import Testing
@testable import Tensors

/// Kolmogorov–Smirnov statistic sup |F_n(x) - F(x)| of `samples` against the cdf `F`.
private func kolmogorovSmirnov(_ samples: [Double], cdf: (Double) -> Double) -> Double {
    let sorted = samples.sorted()
    let n = Double(sorted.count)
    var statistic = 0.0
    for (index, value) in sorted.enumerated() {
        let expected = cdf(value)
        statistic = max(statistic, Double(index + 1) / n - expected, expected - Double(index) / n)
    }
    return statistic
}

private func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

private func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance)
}

/// Runs `body` with the kernel thread count set to `count`, restoring the previous setting afterwards.
/// Only for tests in `GlobalStateTests`, which scripts/test runs alone.
private func withThreads<R>(_ count: Int, _ body: () throws -> R) throws -> R {
    let saved = Threads.count
    try Threads.set(count)
    defer { try? Threads.set(saved) }
    return try body()
}

@Suite struct PhiloxTests {
    /// Random123's known-answer vectors (tests/kat_vectors, the three `philox4x32 10` lines):
    /// counter (4 words), key (2 words), expected output (4 words).
    @Test(arguments: [
        ([UInt32(0), 0, 0, 0], [UInt32(0), 0], [UInt32(0x6627e8d5), 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
        ([UInt32(0xffffffff), 0xffffffff, 0xffffffff, 0xffffffff], [UInt32(0xffffffff), 0xffffffff],
         [UInt32(0x408f276d), 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
        ([UInt32(0x243f6a88), 0x85a308d3, 0x13198a2e, 0x03707344], [UInt32(0xa4093822), 0x299f31d0],
         [UInt32(0xd16cfe09), 0x94fdcceb, 0x5001e420, 0x24126ea1]),
    ])
    func knownAnswers(counter: [UInt32], key: [UInt32], expected: [UInt32]) {
        let output = Philox.rounds(counter: (counter[0], counter[1], counter[2], counter[3]), key: (key[0], key[1]))
        #expect([output.0, output.1, output.2, output.3] == expected)
    }

    @Test(arguments: [UInt64(0), 5, 0xFFFF_FFFE, 0x1234_5678_9ABC])
    func fourBlocksAtOnceEqualOneAtATime(first: UInt64) {
        let philox = Philox(seed: 0xDEAD_BEEF_0123_4567, stream: 77)
        let words = philox.blocks4(first)
        for lane in 0..<4 {
            let single = philox.block(first + UInt64(lane))
            #expect([words.0[lane], words.1[lane], words.2[lane], words.3[lane]]
                    == [single.0, single.1, single.2, single.3])
        }
    }

    /// The stream definition is part of bm's reproducibility promise: the same seed must give the same numbers in
    /// every version. Expected values come from an independent pure-Python Philox4x32-10 with the same counter layout
    /// and transforms (u₁ = (53 bits + 1)·2⁻⁵³, u₂ = 53 bits·2⁻⁵³, z = sqrt(-2 ln u₁)·(cos, sin)(2π u₂); Lemire's
    /// bounded integers), written when this test was; the snippet is kept in the comments below.
    ///   def philox(c, k): 10 rounds of c = [hi(M1*c2)^c1^k0, lo(M1*c2), hi(M0*c0)^c3^k1, lo(M0*c0)], key += W
    ///   block(seed, stream, i) = philox((i & M, i >> 32, stream & M, stream >> 32), (seed & M, seed >> 32))
    @Test func streamsAreStableAcrossVersions() throws {
        let normals = try Tensor.randomNormal([5], seed: 42).scalars(as: Double.self)
        let expectedNormals = [0.886497505901441, 0.4393560694379266, -0.15660962291201724, -0.013718678830210418,
                               -0.49410051266974614]
        #expect(zip(normals, expectedNormals).allSatisfy { abs($0 - $1) <= 1e-15 })
        let uniforms = try Tensor.randomUniform([6], low: -1, high: 2, seed: 42).scalars(as: Double.self)
        #expect(uniforms == [0.8388796435682475, -0.7803047876752485, 1.9631559527435316, 0.5417184409133498,
                             1.4776004815881478, 0.8082318784018869])
        #expect(try Tensor.randomIntegers([5], low: -10, high: 10, seed: 42).scalars(as: Int64.self) == [2, 9, 6, 4, -4])
        #expect(try Tensor.randomUniform([4], seed: 42, dtype: .float32).scalars(as: Float.self)
                == [0.6129598617553711, 0.4685865044593811, 0.07323169708251953, 0.3408614993095398])
        var generator = RandomGenerator(seed: 42, stream: 1)
        #expect(abs(try generator.normal([1]).item() - 0.3410315357706154) <= 1e-15)
    }

    @Test func blockLayoutPutsIndexAndStreamInTheCounter() {
        let philox = Philox(seed: 0x299f31d0_a4093822, stream: 0x03707344_13198a2e)
        let output = philox.block(0x85a308d3_243f6a88)
        #expect([output.0, output.1, output.2, output.3] == [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1])
    }
}

/// A call that must throw, and the exact text of its error.
struct RandomErrorCase: Sendable, CustomTestStringConvertible {
    let draw: @Sendable () throws -> Tensor
    let message: String
    init(_ draw: @escaping @Sendable () throws -> Tensor, _ message: String) {
        self.draw = draw
        self.message = message
    }
    var testDescription: String { message }
}

@Suite struct RandomTests {
    /// Every generator, with shapes large enough to run on several threads (more than 2^16 elements).
    static let draws: [(String, @Sendable () throws -> Tensor)] = [
        ("normal float64", { try Tensor.randomNormal([301, 401], seed: 7) }),
        ("normal float32", { try Tensor.randomNormal([301, 401], mean: 2, std: 3, seed: 7, dtype: .float32) }),
        ("uniform float64", { try Tensor.randomUniform([120_001], low: -1, high: 2, seed: 9) }),
        ("uniform float32", { try Tensor.randomUniform([120_003], seed: 9, dtype: .float32) }),
        ("integers", { try Tensor.randomIntegers([3, 40_001], low: -5, high: 1_000_000, seed: 11) }),
        ("permutation", { try Tensor.randomPermutation(100_000, seed: 13) }),
    ]

    @Test func eachElementDependsOnlyOnSeedAndIndex() throws {
        // A short draw is the prefix of a long one, whatever the block boundaries and the reshaping.
        let long = try Tensor.randomNormal([100_000], seed: 3).scalars(as: Double.self)
        let short = try Tensor.randomNormal([3, 5], seed: 3).scalars(as: Double.self)
        #expect(Array(long.prefix(15)) == short)
        let longFloat = try Tensor.randomUniform([70_001], seed: 3, dtype: .float32).scalars(as: Float.self)
        let shortFloat = try Tensor.randomUniform([7], seed: 3, dtype: .float32).scalars(as: Float.self)
        #expect(Array(longFloat.prefix(7)) == shortFloat)
        let longIntegers = try Tensor.randomIntegers([70_000], low: 0, high: 10, seed: 3).scalars(as: Int64.self)
        let shortIntegers = try Tensor.randomIntegers([5], low: 0, high: 10, seed: 3).scalars(as: Int64.self)
        #expect(Array(longIntegers.prefix(5)) == shortIntegers)
    }

    @Test func differentSeedsGiveDifferentNumbers() throws {
        let a = try Tensor.randomNormal([1000], seed: 1).scalars(as: Double.self)
        let b = try Tensor.randomNormal([1000], seed: 2).scalars(as: Double.self)
        #expect(zip(a, b).filter { $0 == $1 }.isEmpty)
    }

    @Test(arguments: [DType.float64, .float32])
    func normalMomentsAndDistribution(dtype: DType) throws {
        let n = 1_000_000
        let values = try Tensor.randomNormal([n], mean: 3, std: 2, seed: 2024, dtype: dtype).scalars(as: Double.self)
        let (mean, variance) = meanAndVariance(values)
        // Five standard errors: sd(mean) = 2/1000, sd(variance) = 4·sqrt(2/n) ≈ 0.0057.
        #expect(abs(mean - 3) < 0.01)
        #expect(abs(variance - 4) < 0.03)
        // Critical value of the KS statistic at p = 0.001 is 1.95/sqrt(n); a mean off by 0.02 std gives 0.008.
        let statistic = kolmogorovSmirnov(values) { normalCDF(($0 - 3) / 2) }
        #expect(statistic < 1.95 / Double(n).squareRoot())
    }

    @Test(arguments: [DType.float64, .float32])
    func uniformMomentsAndDistribution(dtype: DType) throws {
        let n = 1_000_000
        let values = try Tensor.randomUniform([n], low: -2, high: 3, seed: 99, dtype: dtype).scalars(as: Double.self)
        #expect(values.allSatisfy { $0 >= -2 && $0 < 3 })
        let (mean, variance) = meanAndVariance(values)
        // Variance of U(-2, 3) is 25/12; sd(mean) ≈ 0.0014, sd(variance) ≈ 0.0019.
        #expect(abs(mean - 0.5) < 0.008)
        #expect(abs(variance - 25.0 / 12.0) < 0.01)
        let statistic = kolmogorovSmirnov(values) { min(max(($0 + 2) / 5, 0), 1) }
        #expect(statistic < 1.95 / Double(n).squareRoot())
    }

    @Test func uniformNeverReachesHigh() throws {
        // A width of one float32 step: every value must be low itself.
        let low = 1.0, high = Double(Float(1).nextUp)
        let values = try Tensor.randomUniform([10_000], low: low, high: high, seed: 5, dtype: .float32)
            .scalars(as: Float.self)
        #expect(values.allSatisfy { $0 == 1 })
        let doubles = try Tensor.randomUniform([10_000], low: 1, high: 1.0.nextUp, seed: 5).scalars(as: Double.self)
        #expect(doubles.allSatisfy { $0 == 1 })
    }

    @Test func integersStayInBoundsAndAreUniform() throws {
        let n = 70_000
        let values = try Tensor.randomIntegers([n], low: -3, high: 4, seed: 17).scalars(as: Int64.self)
        var counts = [Int64: Int]()
        for value in values { counts[value, default: 0] += 1 }
        #expect(Set(counts.keys) == Set(-3..<4))
        // Expected 10 000 each, sd ≈ 93.
        for (_, count) in counts { #expect(abs(count - n / 7) < 500) }
        let single = try Tensor.randomIntegers([100], low: 41, high: 42, seed: 1).scalars(as: Int64.self)
        #expect(single.allSatisfy { $0 == 41 })
    }

    @Test func integersHaveNoModuloBias() throws {
        // With range 3·2^62, `x mod range` would put half of the draws in the first third; unbiased gives a third.
        let low = Int64.min
        let high = Int64.min &+ Int64(bitPattern: 3 << 62)
        let values = try Tensor.randomIntegers([30_000], low: low, high: high, seed: 8).scalars(as: Int64.self)
        #expect(values.allSatisfy { $0 >= low && $0 < high })
        let firstThird = values.filter { $0 < low &+ (1 << 62) }.count
        #expect(abs(Double(firstThird) / 30_000 - 1.0 / 3) < 0.015)
        // The full int64 range is allowed.
        let full = try Tensor.randomIntegers([1000], low: .min, high: .max, seed: 8).scalars(as: Int64.self)
        #expect(full.contains { $0 < 0 } && full.contains { $0 > 0 })
    }

    @Test(arguments: [0, 1, 2, 10, 1000, 70_000])
    func permutationIsAPermutation(n: Int) throws {
        let values = try Tensor.randomPermutation(n, seed: 4).scalars(as: Int64.self)
        #expect(values.count == n)
        #expect(values.sorted() == (0..<Int64(n)).map { $0 })
        if n >= 10 { #expect(values != (0..<Int64(n)).map { $0 }) }
    }

    @Test func permutationPositionsAreUniform() throws {
        // Where element 0 lands in a permutation of 4, over 4000 seeds: 1000 each (sd ≈ 27). Sattolo's variant
        // (an off-by-one Fisher–Yates) would never leave it at 0.
        var positions = [Int](repeating: 0, count: 4)
        for seed in 0..<4000 {
            let values = try Tensor.randomPermutation(4, seed: UInt64(seed)).scalars(as: Int64.self)
            positions[values.firstIndex(of: 0)!] += 1
        }
        for count in positions { #expect(abs(count - 1000) < 150) }
    }

    @Test func generatorGivesSuccessiveIndependentDraws() throws {
        var generator = RandomGenerator(seed: 21)
        let first = try generator.normal([500])
        let second = try generator.normal([500])
        #expect(generator.stream == 2)
        #expect(first.scalars(as: Double.self) == (try Tensor.randomNormal([500], seed: 21)).scalars(as: Double.self))
        #expect(first.scalars(as: Double.self) != second.scalars(as: Double.self))
        var resumed = RandomGenerator(seed: 21, stream: 1)
        #expect(try resumed.normal([500]).scalars(as: Double.self) == second.scalars(as: Double.self))
        // Draws of different kinds advance the same counter.
        _ = try generator.uniform([3])
        _ = try generator.integers([3], low: 0, high: 5)
        _ = try generator.permutation(3)
        #expect(generator.stream == 5)
        // The two draws are uncorrelated: |r| of 500 independent pairs is below 0.2 with overwhelming probability.
        let a = first.scalars(as: Double.self), b = second.scalars(as: Double.self)
        let cross: Double = zip(a, b).map { $0 * $1 }.reduce(0, +)
        let normA: Double = a.map { $0 * $0 }.reduce(0, +)
        let normB: Double = b.map { $0 * $0 }.reduce(0, +)
        let correlation = cross / (normA * normB).squareRoot()
        #expect(abs(correlation) < 0.2)
    }

    @Test func failedDrawDoesNotAdvanceTheGenerator() throws {
        var generator = RandomGenerator(seed: 1)
        #expect(throws: TensorError.self) { try generator.uniform([2], low: 1, high: 0) }
        #expect(throws: TensorError.self) { try generator.uniform([2], low: 1, high: 1 + 1e-12, dtype: .float32) }
        #expect(throws: TensorError.self) { try generator.normal([-2]) }
        #expect(generator.stream == 0)
    }

    @Test(arguments: [
        RandomErrorCase({ try Tensor.randomNormal([2, -1], seed: 0) },
         "randomNormal: negative length in shape [2, -1]"),
        RandomErrorCase({ try Tensor.randomNormal([2], std: -1, seed: 0) },
         "randomNormal: mean must be finite and std finite and >= 0, got mean 0.0, std -1.0"),
        RandomErrorCase({ try Tensor.randomNormal([2], mean: .nan, seed: 0) },
         "randomNormal: mean must be finite and std finite and >= 0, got mean nan, std 1.0"),
        RandomErrorCase({ try Tensor.randomNormal([2], seed: 0, dtype: .int64) },
         "randomNormal: dtype must be float32 or float64, got int64"),
        RandomErrorCase({ try Tensor.randomUniform([-3], seed: 0) }, "randomUniform: negative length in shape [-3]"),
        RandomErrorCase({ try Tensor.randomUniform([3], low: 2, high: 2, seed: 0) },
         "randomUniform: low must be below high, got low 2.0, high 2.0"),
        RandomErrorCase({ try Tensor.randomUniform([3], low: 0, high: .infinity, seed: 0) },
         "randomUniform: bounds must be finite, got low 0.0, high inf"),
        RandomErrorCase({ try Tensor.randomUniform([3], low: -1e308, high: 1e308, seed: 0) },
         "randomUniform: bounds must be finite, got low -1e+308, high 1e+308"),
        RandomErrorCase({ try Tensor.randomUniform([3], low: 1, high: 1 + 1e-12, seed: 0, dtype: .float32) },
         "randomUniform: low 1.0 and high 1.000000000001 are the same number in float32"),
        RandomErrorCase({ try Tensor.randomUniform([3], seed: 0, dtype: .bool) },
         "randomUniform: dtype must be float32 or float64, got bool"),
        RandomErrorCase({ try Tensor.randomIntegers([3], low: 5, high: 4, seed: 0) },
         "randomIntegers: low must be below high, got low 5, high 4"),
        RandomErrorCase({ try Tensor.randomIntegers([3, -2], low: 0, high: 4, seed: 0) },
         "randomIntegers: negative length in shape [3, -2]"),
        RandomErrorCase({ try Tensor.randomPermutation(-1, seed: 0) }, "randomPermutation: n must be >= 0, got -1"),
    ])
    func errors(errorCase: RandomErrorCase) {
        #expect {
            _ = try errorCase.draw()
        } throws: { error in
            (error as? TensorError)?.description == errorCase.message
        }
    }

    @Test func emptyAndScalarShapes() throws {
        #expect(try Tensor.randomNormal([0, 3], seed: 1).shape == [0, 3])
        #expect(try Tensor.randomIntegers([0], low: 0, high: 1, seed: 1).count == 0)
        let scalar = try Tensor.randomUniform([], seed: 1)
        #expect(scalar.shape == [] && scalar.count == 1)
        #expect(try scalar.item() == (try Tensor.randomUniform([1], seed: 1)).item())
    }
}

/// Tests that change the thread count belong to the serialized GlobalState suite, which runs after all others.
extension GlobalStateTests {
    @Test("random draws are the same whatever the thread count")
    func randomDrawsAreThreadIndependent() throws {
        for (name, draw) in RandomTests.draws {
            let single = try withThreads(1) { try draw().scalars(as: Double.self) }
            let double = try withThreads(2) { try draw().scalars(as: Double.self) }
            let again = try draw().scalars(as: Double.self)
            #expect(single == double, "\(name)")
            #expect(single == again, "\(name)")
        }
    }
}
