import Foundation
import Tensors

/// Simulated fMRI responses (betas) to a set of images with repeats, and their known noise ceiling.
public struct FMRIData: Sendable {
    /// Responses `[repeats, n, V]` float32: signal plus independent Gaussian noise per repeat.
    public let responses: Tensor
    /// Average over repeats `[n, V]` float32.
    public let mean: Tensor
    /// The noiseless signal `[n, V]` float32 (`StageResponses.total`).
    public let signal: Tensor
    /// Noise standard deviation per vertex `[V]` float64: `noise · s_v · σ_v`.
    public let noiseStandardDeviation: Tensor
    /// Signal variance over the presented stimuli per vertex `[V]` float64 (population variance, ddof 0).
    public let signalVariance: Tensor
    /// True noise ceiling per vertex `[V]` float64: the fraction of the variance of the repeat average that the
    /// signal explains, `σ²_s / (σ²_s + σ²_n / repeats)` — what NSD's ncsnr estimates (divided by 100).
    public let noiseCeiling: Tensor
    /// The same for a single trial, `σ²_s / (σ²_s + σ²_n)`.
    public let singleTrialNoiseCeiling: Tensor
    /// The noiseless responses by stage, and the request's repeats and noise level.
    public let stages: StageResponses
    public let repeats: Int
    public let noise: Double
}

extension VirtualSubject {
    /// Checks a noise level: finite and ≥ 0.
    static func checkNoise(_ noise: Double, _ operation: String) throws {
        guard noise >= 0, noise.isFinite else { throw SimulationError(operation, "noise must be >= 0, got \(noise)") }
    }

    /// A seed for one simulated measurement, distinct per subject, stream and user seed.
    func measurementSeed(_ stream: RandomStream, _ seed: UInt64) -> UInt64 {
        var random = SeededRandom(seed: seed ^ SeededRandom.mix(self.seed), stream: stream.rawValue,
                                  subject: UInt64(index) &+ 1)
        return random.seed()
    }

    /// fMRI responses to `images` `[n, h, w, c]`, `repeats` times.
    ///
    /// `responses[k, i, v] = r_v(i) + σ_v ε_kiv`, ε standard normal (seeded by `seed`, the subject and its cohort),
    /// `σ_v = noise · s_v · sd_i(r_v)`: noise is the noise-to-signal ratio of an average vertex (s_v ~
    /// logNormal(0, 0.3), individual), so that the noise ceiling of vertex v is `1 / (1 + (noise · s_v)² / repeats)`
    /// whatever the stimuli. With a single image (or a constant signal) σ_v falls back to `noise · s_v · g_v`.
    /// `labels` as in `responses(to:labels:)`.
    /// Throws `SimulationError("VirtualSubject.fmri", …)` for repeats < 1, a negative or non-finite noise, and as
    /// `responses(to:labels:)`.
    public func fmri(_ images: Tensor, repeats: Int = 1, noise: Double = 1, seed: UInt64 = 0,
                     labels: [SelectivityCategory?]? = nil) throws -> FMRIData {
        let operation = "VirtualSubject.fmri"
        guard repeats >= 1 else { throw SimulationError(operation, "repeats must be >= 1, got \(repeats)") }
        try VirtualSubject.checkNoise(noise, operation)
        let stages = try responses(to: images, labels: labels, operation: operation)
        let signal = stages.total
        let n = signal.shape[0], count = cortex.vertexCount
        let values = signal.astype(.float64).contiguous().scalars(as: Double.self)
        var variance = [Double](repeating: 0, count: count), deviation = variance
        var ceiling = variance, singleCeiling = variance
        for vertex in 0..<count {
            var mean = 0.0
            for image in 0..<n { mean += values[image * count + vertex] }
            mean /= Double(n)
            var sum = 0.0
            for image in 0..<n { sum += (values[image * count + vertex] - mean) * (values[image * count + vertex] - mean) }
            variance[vertex] = sum / Double(n)
            let spread = variance[vertex] > 1e-20 ? variance[vertex].squareRoot() : gain[vertex]
            deviation[vertex] = noise * noiseScale[vertex] * spread
            let noiseVariance = deviation[vertex] * deviation[vertex]
            ceiling[vertex] = VirtualSubject.ceiling(variance[vertex], noiseVariance / Double(repeats))
            singleCeiling[vertex] = VirtualSubject.ceiling(variance[vertex], noiseVariance)
        }
        let standardNormal = try Tensor.randomNormal([repeats, n, count], seed: measurementSeed(.fmriNoise, seed),
                                                     dtype: .float32)
        let deviations = try Tensor(shape: [count], scalars: deviation.map { Float($0) })
        let responses = try (try standardNormal * deviations) + signal
        return FMRIData(responses: responses, mean: try responses.mean(axes: [0]), signal: signal,
                        noiseStandardDeviation: Tensor(deviation), signalVariance: Tensor(variance),
                        noiseCeiling: Tensor(ceiling), singleTrialNoiseCeiling: Tensor(singleCeiling),
                        stages: stages, repeats: repeats, noise: noise)
    }

    /// `signal / (signal + noise)`; NaN when both are 0.
    static func ceiling(_ signal: Double, _ noise: Double) -> Double {
        signal + noise > 0 ? signal / (signal + noise) : .nan
    }
}
