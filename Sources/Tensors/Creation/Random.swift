import RealModule

/// Reproducible random tensors from a counter-based generator.
///
/// bm uses Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
/// counter-based generator of cuRAND, PyTorch's CUDA backend and TensorFlow (numpy offers its 4×64 sibling). A counter-based generator is a keyed bijection of a
/// 128-bit counter: block `k` of a stream is `philox(counter: (k, stream), key: seed)`, so any block is computed
/// directly, without stepping through the ones before it. Each element's value therefore depends only on the seed, the
/// stream and the element's index — never on how many threads fill the tensor or in which order.
///
/// Counter layout, in 32-bit words: `(block low, block high, stream low, stream high)`. Integer draws that reject a
/// candidate take the next one from the same element's block `attempt << 56 | element`; element indices stay far
/// below 2^56, so such retries never collide with another element's block.
@usableFromInline
struct Philox: Sendable {
    @usableFromInline let key: (UInt32, UInt32)
    @usableFromInline let stream: (UInt32, UInt32)

    @inlinable
    init(seed: UInt64, stream: UInt64) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        self.stream = (UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
    }

    /// The four 32-bit words of block `index` of this stream.
    @inlinable
    func block(_ index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        Philox.rounds(counter: (UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32),
                                stream.0, stream.1), key: key)
    }

    /// Blocks `first ..< first + 4` at once: `words.k[i]` is word k of block `first + i`. Each block is a chain of
    /// ten dependent multiplications; four independent chains side by side keep the multiplier busy (about four
    /// times the throughput of one block at a time). The words equal `block(first + i)` exactly.
    @inlinable
    func blocks4(_ first: UInt64) -> (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>) {
        let indices = SIMD4<UInt64>(first, first &+ 1, first &+ 2, first &+ 3)
        var c0 = SIMD4<UInt32>(truncatingIfNeeded: indices)
        var c1 = SIMD4<UInt32>(truncatingIfNeeded: indices &>> 32)
        var c2 = SIMD4<UInt32>(repeating: stream.0)
        var c3 = SIMD4<UInt32>(repeating: stream.1)
        var k0 = key.0, k1 = key.1
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let product0 = SIMD4<UInt64>(truncatingIfNeeded: c0) &* 0xD251_1F53
            let product1 = SIMD4<UInt64>(truncatingIfNeeded: c2) &* 0xCD9E_8D57
            let next0 = SIMD4<UInt32>(truncatingIfNeeded: product1 &>> 32) ^ c1 ^ SIMD4(repeating: k0)
            let next2 = SIMD4<UInt32>(truncatingIfNeeded: product0 &>> 32) ^ c3 ^ SIMD4(repeating: k1)
            c1 = SIMD4<UInt32>(truncatingIfNeeded: product1)
            c3 = SIMD4<UInt32>(truncatingIfNeeded: product0)
            c0 = next0
            c2 = next2
        }
        return (c0, c1, c2, c3)
    }

    /// Philox4x32 with 10 rounds: the Random123 reference, checked against its known-answer vectors in the tests.
    @inlinable
    static func rounds(counter: (UInt32, UInt32, UInt32, UInt32),
                       key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 {
                // The Weyl key schedule: golden ratio and sqrt(3) - 1, as 32-bit fractions.
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let product0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let product1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let next0 = UInt32(truncatingIfNeeded: product1 >> 32) ^ c1 ^ k0
            let next1 = UInt32(truncatingIfNeeded: product1)
            let next2 = UInt32(truncatingIfNeeded: product0 >> 32) ^ c3 ^ k1
            let next3 = UInt32(truncatingIfNeeded: product0)
            (c0, c1, c2, c3) = (next0, next1, next2, next3)
        }
        return (c0, c1, c2, c3)
    }

    /// A uniform integer in `0..<range` (range 0 means all 2^64 values) for element `element`, without bias:
    /// Lemire's multiply-and-reject ("Fast random integer generation in an interval", 2019), drawing candidates
    /// two per block from the element's own blocks. `threshold` is `(2^64 - range) mod range`, computed once;
    /// `words` is the element's first block, `block(element)`, which callers may have computed four at a time.
    @inlinable
    func boundedInteger(element: UInt64, range: UInt64, threshold: UInt64,
                        words firstWords: (UInt32, UInt32, UInt32, UInt32)) -> UInt64 {
        if range == 0 { return UInt64(firstWords.0) << 32 | UInt64(firstWords.1) }
        var candidate: UInt64 = 0
        for attempt in UInt64(0)..<256 {
            let words = attempt == 0 ? firstWords : block(attempt << 56 | element)
            let first = (UInt64(words.0) << 32 | UInt64(words.1)).multipliedFullWidth(by: range)
            if first.low >= threshold { return first.high }
            let second = (UInt64(words.2) << 32 | UInt64(words.3)).multipliedFullWidth(by: range)
            if second.low >= threshold { return second.high }
            candidate = second.high
        }
        // 512 rejections in a row happen with probability below 2^-512; any answer in range will do.
        return candidate
    }

    /// `(2^64 - range) mod range`: the rejection threshold of `boundedInteger`.
    @inlinable
    static func rejectionThreshold(range: UInt64) -> UInt64 { range == 0 ? 0 : (0 &- range) % range }
}

/// A seed and a stream counter: each draw uses the next stream, so successive draws from one generator are
/// independent and the whole sequence is reproducible from the seed.
///
/// ```swift
/// var generator = RandomGenerator(seed: 42)
/// let weights = try generator.normal([768, 768], std: 0.02)   // stream 0
/// let noise = try generator.normal([768])                      // stream 1
/// ```
/// `Tensor.randomNormal(shape, seed: s)` equals the first draw of `RandomGenerator(seed: s)`.
public struct RandomGenerator: Sendable {
    public let seed: UInt64
    /// The stream the next draw uses; each successful draw advances it by one.
    public private(set) var stream: UInt64

    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
    }

    private mutating func nextPhilox() -> Philox {
        defer { stream &+= 1 }
        return Philox(seed: seed, stream: stream)
    }

    /// Normal samples `mean + std · z`, z ~ N(0, 1), by the Box–Muller transform of two uniforms of 53 bits
    /// (float64) or 24 bits (float32). The float32 tail therefore stops at |z| ≈ 5.8 (u₁ ≥ 2⁻²⁴), as in cuRAND.
    /// - Parameters: `shape` of the result; `std` ≥ 0; `dtype` float32 or float64.
    /// - Throws: `invalidShape` for a negative length, `invalidArgument` for a negative or non-finite `std` or a
    ///   non-finite `mean`, `dtype` for a non-floating dtype.
    public mutating func normal(_ shape: [Int], mean: Double = 0, std: Double = 1,
                                dtype: DType = .float64) throws -> Tensor {
        let operation = "randomNormal"
        try Tensor.validate(shape: shape, operation: operation)
        try Self.requireFloat(dtype, operation)
        guard mean.isFinite, std.isFinite, std >= 0 else {
            throw TensorError(.invalidArgument, operation,
                              "mean must be finite and std finite and >= 0, got mean \(mean), std \(std)")
        }
        let philox = nextPhilox()
        if dtype == .float64 {
            return try Self.fill(shape, Double.self, perBlock: 2, operation: operation) { first, output in
                let words = philox.blocks4(first)
                for lane in 0..<4 {
                    let (z0, z1) = Self.boxMuller(Self.open53(words.0[lane], words.1[lane]),
                                                  Self.unit53(words.2[lane], words.3[lane]))
                    output[2 * lane] = mean + std * z0
                    output[2 * lane + 1] = mean + std * z1
                }
            }
        }
        let floatMean = Float(mean), floatStd = Float(std)
        return try Self.fill(shape, Float.self, perBlock: 4, operation: operation) { first, output in
            let words = philox.blocks4(first)
            for lane in 0..<4 {
                let (z0, z1) = Self.boxMuller(Self.open24(words.0[lane]), Self.unit24(words.1[lane]))
                let (z2, z3) = Self.boxMuller(Self.open24(words.2[lane]), Self.unit24(words.3[lane]))
                output[4 * lane] = floatMean + floatStd * z0
                output[4 * lane + 1] = floatMean + floatStd * z1
                output[4 * lane + 2] = floatMean + floatStd * z2
                output[4 * lane + 3] = floatMean + floatStd * z3
            }
        }
    }

    /// Uniform samples in `[low, high)`: `low + (high - low) · u` with u of 53 bits (float64) or 24 bits
    /// (float32); a value that rounds up to `high` is replaced by the largest one below it.
    /// - Throws: `invalidShape`, `dtype` as `normal`; `invalidArgument` when the bounds are not finite, when
    ///   `low >= high`, or when they coincide in float32.
    public mutating func uniform(_ shape: [Int], low: Double = 0, high: Double = 1,
                                 dtype: DType = .float64) throws -> Tensor {
        let operation = "randomUniform"
        try Tensor.validate(shape: shape, operation: operation)
        try Self.requireFloat(dtype, operation)
        guard low.isFinite, high.isFinite, (high - low).isFinite else {
            throw TensorError(.invalidArgument, operation, "bounds must be finite, got low \(low), high \(high)")
        }
        guard low < high else {
            throw TensorError(.invalidArgument, operation, "low must be below high, got low \(low), high \(high)")
        }
        guard dtype == .float64 || Float(low) < Float(high) else {
            throw TensorError(.invalidArgument, operation,
                              "low \(low) and high \(high) are the same number in float32")
        }
        let width = high - low
        let philox = nextPhilox()
        if dtype == .float64 {
            let top = high.nextDown
            return try Self.fill(shape, Double.self, perBlock: 2, operation: operation) { first, output in
                let words = philox.blocks4(first)
                for lane in 0..<4 {
                    output[2 * lane] = Swift.min(low + width * Self.unit53(words.0[lane], words.1[lane]), top)
                    output[2 * lane + 1] = Swift.min(low + width * Self.unit53(words.2[lane], words.3[lane]), top)
                }
            }
        }
        let top = Float(high).nextDown
        return try Self.fill(shape, Float.self, perBlock: 4, operation: operation) { first, output in
            let words = philox.blocks4(first)
            for lane in 0..<4 {
                output[4 * lane] = Swift.min(Float(low + width * Double(Self.unit24(words.0[lane]))), top)
                output[4 * lane + 1] = Swift.min(Float(low + width * Double(Self.unit24(words.1[lane]))), top)
                output[4 * lane + 2] = Swift.min(Float(low + width * Double(Self.unit24(words.2[lane]))), top)
                output[4 * lane + 3] = Swift.min(Float(low + width * Double(Self.unit24(words.3[lane]))), top)
            }
        }
    }

    /// Int64 samples uniform on `low..<high`, without modulo bias (each element rejects with Lemire's method).
    /// - Throws: `invalidShape` for a negative length, `invalidArgument` when `low >= high`.
    public mutating func integers(_ shape: [Int], low: Int64, high: Int64) throws -> Tensor {
        let operation = "randomIntegers"
        try Tensor.validate(shape: shape, operation: operation)
        guard low < high else {
            throw TensorError(.invalidArgument, operation, "low must be below high, got low \(low), high \(high)")
        }
        let range = UInt64(bitPattern: high &- low)
        let threshold = Philox.rejectionThreshold(range: range)
        let philox = nextPhilox()
        return try Self.fill(shape, Int64.self, perBlock: 1, operation: operation) { first, output in
            let words = philox.blocks4(first)
            for lane in 0..<4 {
                let offset = philox.boundedInteger(
                    element: first + UInt64(lane), range: range, threshold: threshold,
                    words: (words.0[lane], words.1[lane], words.2[lane], words.3[lane]))
                output[lane] = low &+ Int64(bitPattern: offset)
            }
        }
    }

    /// A uniformly random ordering of `0..<n` as int64 (Fisher–Yates; step i draws its swap partner from block i).
    /// - Throws: `invalidArgument` for a negative `n`.
    public mutating func permutation(_ n: Int) throws -> Tensor {
        let operation = "randomPermutation"
        guard n >= 0 else { throw TensorError(.invalidArgument, operation, "n must be >= 0, got \(n)") }
        try Tensor.validate(shape: [n], operation: operation)
        let philox = nextPhilox()
        let result = Tensor(uninitializedShape: [n], dtype: .int64)
        let values = result.mutablePointer(Int64.self)
        for index in 0..<n { values[index] = Int64(index) }
        var index = n - 1
        while index > 0 {
            if index % (1 << 20) == 0 { try Cancellation.check(operation) }
            let range = UInt64(index + 1)
            let partner = Int(philox.boundedInteger(element: UInt64(index), range: range,
                                                    threshold: Philox.rejectionThreshold(range: range),
                                                    words: philox.block(UInt64(index))))
            (values[index], values[partner]) = (values[partner], values[index])
            index -= 1
        }
        return result
    }

    // MARK: Building blocks

    private static func requireFloat(_ dtype: DType, _ operation: String) throws {
        guard dtype.isFloatingPoint else {
            throw TensorError(.dtype, operation, "dtype must be float32 or float64, got \(dtype)")
        }
    }

    /// Fills a new tensor on `Threads.count` threads, four blocks at a time: block `b` always supplies elements
    /// `b·perBlock ..< (b+1)·perBlock`. `generate(first, output)` writes the `4·perBlock` elements of blocks
    /// `first ..< first + 4`; the last, partial group goes through scratch memory.
    private static func fill<T: TensorScalar>(
        _ shape: [Int], _: T.Type, perBlock: Int, operation: String,
        _ generate: @escaping @Sendable (_ first: UInt64, _ output: UnsafeMutablePointer<T>) -> Void
    ) throws -> Tensor {
        let result = Tensor(uninitializedShape: shape, dtype: T.dtype)
        let total = result.count
        let destination = SendablePointer(result.mutablePointer(T.self))
        let group = 4 * perBlock
        let groups = (total + group - 1) / group
        try parallelRanges(groups, grain: group * 4, operation: operation) { range in
            withUnsafeTemporaryAllocation(of: T.self, capacity: group) { scratch in
                for index in range {
                    let start = index * group
                    let valid = Swift.min(group, total - start)
                    if valid == group {
                        generate(UInt64(4 * index), destination.base + start)
                    } else {
                        generate(UInt64(4 * index), scratch.baseAddress!)
                        (destination.base + start).update(from: scratch.baseAddress!, count: valid)
                    }
                }
            }
        }
        return result
    }

    /// [0, 1) from the top 53 bits of two words.
    @inline(__always)
    static func unit53(_ high: UInt32, _ low: UInt32) -> Double {
        Double(UInt64(high) << 21 | UInt64(low >> 11)) * 0x1p-53
    }

    /// (0, 1] from 53 bits, so that its logarithm is finite.
    @inline(__always)
    static func open53(_ high: UInt32, _ low: UInt32) -> Double {
        Double((UInt64(high) << 21 | UInt64(low >> 11)) + 1) * 0x1p-53
    }

    @inline(__always)
    static func unit24(_ word: UInt32) -> Float { Float(word >> 8) * 0x1p-24 }

    @inline(__always)
    static func open24(_ word: UInt32) -> Float { Float((word >> 8) + 1) * 0x1p-24 }

    /// Two independent standard normals from u₁ ∈ (0, 1] and u₂ ∈ [0, 1).
    @inline(__always)
    static func boxMuller<T: TensorFloat>(_ u1: T, _ u2: T) -> (T, T) {
        let radius = T.sqrt(-2 * T.log(u1))
        let angle = 2 * T.pi * u2
        return (radius * T.cos(angle), radius * T.sin(angle))
    }
}

extension Tensor {
    /// Normal samples with `mean` and `std` (the first draw of `RandomGenerator(seed:)`; see `RandomGenerator.normal`).
    public static func randomNormal(_ shape: [Int], mean: Double = 0, std: Double = 1, seed: UInt64,
                                    dtype: DType = .float64) throws -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return try generator.normal(shape, mean: mean, std: std, dtype: dtype)
    }

    /// Uniform samples in `[low, high)` (see `RandomGenerator.uniform`).
    public static func randomUniform(_ shape: [Int], low: Double = 0, high: Double = 1, seed: UInt64,
                                     dtype: DType = .float64) throws -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return try generator.uniform(shape, low: low, high: high, dtype: dtype)
    }

    /// Int64 samples uniform on `low..<high` (see `RandomGenerator.integers`).
    public static func randomIntegers(_ shape: [Int], low: Int64, high: Int64, seed: UInt64) throws -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return try generator.integers(shape, low: low, high: high)
    }

    /// A random ordering of `0..<n` as int64 (see `RandomGenerator.permutation`).
    public static func randomPermutation(_ n: Int, seed: UInt64) throws -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return try generator.permutation(n)
    }
}
