/// The random numbers of the stimulus generators: SplitMix64 (Steele, Lea & Flood 2014), one stream per image.
///
/// Image `i` of a set drawn with `seed` gets its own stream from (seed, generator tag, i), so an image does not depend on
/// how many images were asked for or on the order threads draw them in: `faces(n: 10, seed: 3)` starts with the 5
/// images of `faces(n: 5, seed: 3)`, bit for bit.
struct StimulusRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64, stream: String, index: Int) {
        // FNV-1a over the tag, so that faces and bodies drawn with one seed are unrelated.
        var tag: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 { tag = (tag ^ UInt64(byte)) &* 0x100_0000_01b3 }
        state = StimulusRandom.mix(seed &+ 0x9e37_79b9_7f4a_7c15)
        state = StimulusRandom.mix(state ^ tag)
        state = StimulusRandom.mix(state ^ UInt64(truncatingIfNeeded: index) &* 0xd1b5_4a32_d192_ed03)
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return StimulusRandom.mix(state)
    }

    /// Uniform in [0, 1), 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Uniform integer in `range` (bias below 2^-40 for the small ranges used here).
    mutating func integer(_ range: Range<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func bool(_ probability: Double = 0.5) -> Bool { unit() < probability }

    /// One element of a non-empty array.
    mutating func element<T>(_ choices: [T]) -> T { choices[integer(0..<choices.count)] }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = Swift.max(unit(), 0x1p-60), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
