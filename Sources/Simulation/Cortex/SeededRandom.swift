import Foundation

/// The scalar random numbers of the simulation (layouts, tunings, jitters): SplitMix64 (Steele, Lea & Flood 2014),
/// keyed by a seed and a named stream, so that each property of a subject draws from its own sequence and adding a
/// property never changes another. Bulk noise uses `Tensor.randomNormal` (Philox), seeded from these streams.
struct SeededRandom {
    private var state: UInt64

    /// A generator for `stream` (a small constant naming what is drawn) under `seed`, optionally for one subject.
    init(seed: UInt64, stream: UInt64, subject: UInt64 = 0) {
        state = SeededRandom.mix(seed ^ SeededRandom.mix(stream &+ 0x9E37_79B9_7F4A_7C15)
                                 ^ SeededRandom.mix(subject &* 0xD6E8_FEB8_6659_FD93 &+ 0x1234_5678))
    }

    /// SplitMix64's finaliser: a bijection of 64-bit words with full avalanche.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// Uniform on [0, 1) from 53 bits.
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }

    /// A standard normal (Box–Muller; the second value is discarded so that draws stay independent of parity).
    mutating func normal() -> Double {
        let u1 = Double((next() >> 11) + 1) * 0x1p-53
        let u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A seed for a bulk `Tensor.random…` draw.
    mutating func seed() -> UInt64 { next() >> 1 }
}

/// Stream names: one constant per property drawn, so that streams never overlap.
enum RandomStream: UInt64 {
    case vertexLayout = 1, regionJitter, retinotopyJitter, orientationMap, scaleJitter, middleTuning,
         categoryTuning, gains, noiseScales, latencies, maps, sourceOrientations, fmriNoise, megNoise,
         timeSeriesNoise, referenceImages, stageJitter
}
