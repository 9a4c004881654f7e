import Foundation
import Testing
import Tensors
@testable import Alignment

/// Noise ceilings against plain formulas and simulated data with known signal and noise.
@Suite struct NoiseCeilingTests {
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as AlignmentError { return error.description } catch { return "\(error)" }
        return nil
    }

    /// r repetitions of n stimuli, t targets: signal (unit variance) plus noise of standard deviation `noise[target]`.
    static func simulate(repetitions: Int, stimuli: Int, noise: [Double], seed: UInt64) throws -> Tensor {
        let signal = try Tensor.randomNormal([1, stimuli, noise.count], seed: seed)
        let error = try Tensor.randomNormal([repetitions, stimuli, noise.count], seed: seed + 1)
        return try signal + error * Tensor(noise)
    }

    @Test func ncsnrMatchesFormulaAndRecoversTheSimulatedSNR() throws {
        let repeats = try Self.simulate(repetitions: 3, stimuli: 4000, noise: [0.5, 1, 2], seed: 1)
        let (snr, ceiling) = try NoiseCeiling.ncsnr(repeats)
        // True ncsnr = σ_signal / σ_noise = 1 / noise.
        #expect(close(snr.scalars(as: Double.self), [2, 1, 0.5], 0.05))
        for (index, value) in snr.scalars(as: Double.self).enumerated() {
            #expect(abs(ceiling.scalars(as: Double.self)[index] - 100 * value * value / (value * value + 1.0 / 3)) < 1e-9)
        }
        let single = try NoiseCeiling.ncsnr(repeats, averaged: 1).ceiling.scalars(as: Double.self)
        #expect(abs(single[1] - 50) < 3)
        // Naive formula on a tiny case.
        let tiny = try Tensor([[[1.0], [2], [4]], [[2.0], [2], [6]]])
        let means: [Double] = [1.5, 2, 5], values: [[Double]] = [[1, 2, 4], [2, 2, 6]]
        var noise = 0.0
        for stimulus in 0..<3 {
            for repetition in 0..<2 {
                let deviation = values[repetition][stimulus] - means[stimulus]
                noise += deviation * deviation
            }
        }
        noise /= 3
        let all = values.flatMap { $0 }, grand = all.reduce(0, +) / 6
        let total = all.map { ($0 - grand) * ($0 - grand) }.reduce(0, +) / 5
        let expected = (max(0, total - noise)).squareRoot() / noise.squareRoot()
        #expect(abs(try NoiseCeiling.ncsnr(tiny).ncsnr.scalars(as: Double.self)[0] - expected) < 1e-12)
    }

    @Test func splitHalfSpearmanBrown() throws {
        let repeats = try Self.simulate(repetitions: 4, stimuli: 4000, noise: [1, 3], seed: 5)
        let reliability = try NoiseCeiling.splitHalf(repeats).scalars(as: Double.self)
        // Reliability of the mean of 4 repetitions: 1 / (1 + σ²/4).
        #expect(abs(reliability[0] - 1 / (1 + 1.0 / 4)) < 0.02)
        #expect(abs(reliability[1] - 1 / (1 + 9.0 / 4)) < 0.03)
        let constant = try Tensor.ones([2, 5, 1])
        #expect(try NoiseCeiling.splitHalf(constant).scalars(as: Double.self)[0].isNaN)
    }

    @Test func interSubjectBounds() throws {
        let subjects = try Self.simulate(repetitions: 5, stimuli: 3000, noise: [1], seed: 9)
        let (lower, upper) = try NoiseCeiling.interSubject(subjects)
        // r(subject, mean of 4 others) = 1 / sqrt((1 + 1)(1 + 1/4)); upper bound above it.
        #expect(abs(lower.scalars(as: Double.self)[0] - 1 / (2 * 1.25).squareRoot()) < 0.03)
        #expect(upper.scalars(as: Double.self)[0] > lower.scalars(as: Double.self)[0])
    }

    @Test func normalizeAndErrors() throws {
        let normalized = try NoiseCeiling.normalize(Tensor([0.2, 0.3, 0.1]), by: Tensor([0.4, 0, .nan]))
        let values = normalized.scalars(as: Double.self)
        #expect(values[0] == 0.5 && values[1].isNaN && values[2].isNaN)
        #expect(Self.message { _ = try NoiseCeiling.splitHalf(Tensor([1.0])) }
                == "split_half: repeats must be [repetitions, stimuli, targets], got shape [1]")
        #expect(Self.message { _ = try NoiseCeiling.ncsnr(try Tensor.ones([1, 4, 2])) } == "ncsnr: needs at least 2 repetitions, got 1")
        #expect(Self.message { _ = try NoiseCeiling.ncsnr(try Tensor.ones([2, 1, 2])) } == "ncsnr: needs at least 2 stimuli, got 1")
        #expect(Self.message { _ = try NoiseCeiling.ncsnr(try Tensor.ones([2, 3, 2]), averaged: 0) }
                == "ncsnr: averaged must be at least 1, got 0")
        #expect(Self.message { _ = try NoiseCeiling.ncsnr(try Tensor.full([2, 3, 1], value: .nan)) }
                == "ncsnr: repeats has non-finite values")
        #expect(Self.message { _ = try NoiseCeiling.interSubject(try Tensor.ones([1, 3, 1])) }
                == "inter_subject_ceiling: subjects must be [subjects ≥ 2, stimuli, targets], got shape [1, 3, 1]")
        #expect(Self.message { _ = try NoiseCeiling.normalize(Tensor([1.0, 2]), by: Tensor([1.0, 2, 3])) }?
                .hasPrefix("normalize_by_ceiling: scores [2] and ceiling [3] do not broadcast") == true)
    }
}
