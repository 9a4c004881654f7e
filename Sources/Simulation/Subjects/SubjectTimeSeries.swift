import Foundation
import Tensors

/// A simulated fMRI run: BOLD time series sampled every TR.
public struct FMRITimeSeries: Sendable {
    /// Measured series `[scans, V]` float32 (signal plus noise) and the noiseless BOLD signal `[scans, V]` float32.
    public let data: Tensor, signal: Tensor
    /// Acquisition times `[scans]` float64: `s · tr`.
    public let times: Tensor
    /// HRF-convolved event regressors `[scans, events]` float64: `D[s, e] = H(t_s − onset_e) − H(t_s − onset_e −
    /// duration_e)` with H the normalised HRF step response, so that `signal = D @ eventResponses`.
    public let design: Tensor
    /// Neural response amplitude of each event `[events, V]` float32.
    public let eventResponses: Tensor
    /// Noise standard deviation `[V]` float64 and true noise ceiling `σ²_s / (σ²_s + σ²_n)` `[V]` float64 (σ²_s the
    /// variance of the signal over scans).
    public let noiseStandardDeviation: Tensor, noiseCeiling: Tensor
    /// Repetition time (seconds).
    public let tr: Double
}

extension VirtualSubject {
    /// A run in which image e is shown from `onsets[e]` for `durations[e]` seconds (e.g. one frame per image of a
    /// film at its frame rate). Responses as `responses(to:labels:)`; then `fmriTimeSeries(eventResponses:…)`.
    public func fmriTimeSeries(_ images: Tensor, onsets: [Double], durations: [Double], tr: Double,
                               scans: Int? = nil, noise: Double = 1, autocorrelation: Double = 0, seed: UInt64 = 0,
                               labels: [SelectivityCategory?]? = nil,
                               hrf: HemodynamicResponse = .canonical) throws -> FMRITimeSeries {
        let operation = "VirtualSubject.fmri_timeseries"
        try VirtualSubject.checkNoise(noise, operation)
        let stages = try responses(to: images, labels: labels, operation: operation)
        return try fmriTimeSeries(eventResponses: stages.total, onsets: onsets, durations: durations, tr: tr,
                                  scans: scans, noise: noise, autocorrelation: autocorrelation, seed: seed, hrf: hrf)
    }

    /// A run from neural amplitudes `eventResponses` `[events, V]` (a feature sequence already mapped to vertices):
    /// the neural input is a boxcar of height `eventResponses[e]` over `[onset_e, onset_e + duration_e)`, summed
    /// over events and convolved with the HRF (exactly, through the HRF's step response), sampled at `s · tr` for
    /// `s < scans` (default: until 20 s after the last event ends). Noise: AR(1) with coefficient ρ =
    /// `autocorrelation`, `ε_t = ρ ε_{t−1} + √(1 − ρ²) z_t`, scaled to `σ_v = noise · s_v · sd_t(signal_v)` (as
    /// `fmri`, falling back to `noise · s_v · g_v` for a constant signal).
    /// Throws `SimulationError("VirtualSubject.fmri_timeseries", …)` for tr ≤ 0, onsets and durations whose counts
    /// differ from the events, a negative or non-finite onset, a duration ≤ 0, scans < 1, ρ outside (−1, 1), a
    /// negative noise, or eventResponses not `[events, V]`.
    public func fmriTimeSeries(eventResponses: Tensor, onsets: [Double], durations: [Double], tr: Double,
                               scans: Int? = nil, noise: Double = 1, autocorrelation: Double = 0, seed: UInt64 = 0,
                               hrf: HemodynamicResponse = .canonical) throws -> FMRITimeSeries {
        let operation = "VirtualSubject.fmri_timeseries"
        let count = cortex.vertexCount
        guard eventResponses.rank == 2, eventResponses.shape[1] == count else {
            throw SimulationError(operation, "event responses must be [events, \(count)], got shape "
                                  + formatShape(eventResponses.shape))
        }
        let events = eventResponses.shape[0]
        guard tr > 0, tr.isFinite else { throw SimulationError(operation, "tr must be > 0, got \(tr)") }
        guard onsets.count == events, durations.count == events else {
            throw SimulationError(operation, "\(events) events need as many onsets and durations, got \(onsets.count) "
                                  + "onsets and \(durations.count) durations")
        }
        if let bad = onsets.first(where: { !($0 >= 0 && $0.isFinite) }) {
            throw SimulationError(operation, "onsets must be finite and >= 0, got \(bad)")
        }
        if let bad = durations.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw SimulationError(operation, "durations must be finite and > 0, got \(bad)")
        }
        guard autocorrelation > -1, autocorrelation < 1 else {
            throw SimulationError(operation, "autocorrelation must be in (-1, 1), got \(autocorrelation)")
        }
        try VirtualSubject.checkNoise(noise, operation)
        let end = zip(onsets, durations).map { $0 + $1 }.max() ?? 0
        let scanCount = scans ?? Int(((end + 20) / tr).rounded(.up))
        guard scanCount >= 1 else { throw SimulationError(operation, "scans must be >= 1, got \(scanCount)") }

        var design = [Double](repeating: 0, count: scanCount * events)
        for scan in 0..<scanCount {
            let time = Double(scan) * tr
            // Past 60 s after an event ends both steps equal 1 to within 1e-12: its regressor is 0 there.
            for event in 0..<events where time > onsets[event] && time - onsets[event] - durations[event] < 60 {
                design[scan * events + event] = hrf.step(at: time - onsets[event])
                    - hrf.step(at: time - onsets[event] - durations[event])
            }
        }
        let designMatrix = try Tensor(shape: [scanCount, events], scalars: design)
        let signal = try Tensor.matmul(designMatrix.astype(.float32), eventResponses.astype(.float32))

        let values = signal.contiguous().scalars(as: Float.self)
        var deviation = [Double](repeating: 0, count: count), ceiling = deviation
        for vertex in 0..<count {
            var mean = 0.0, sum = 0.0
            for scan in 0..<scanCount { mean += Double(values[scan * count + vertex]) }
            mean /= Double(scanCount)
            for scan in 0..<scanCount {
                let difference = Double(values[scan * count + vertex]) - mean
                sum += difference * difference
            }
            let variance = sum / Double(scanCount)
            deviation[vertex] = noise * noiseScale[vertex] * (variance > 1e-20 ? variance.squareRoot() : gain[vertex])
            ceiling[vertex] = VirtualSubject.ceiling(variance, deviation[vertex] * deviation[vertex])
        }
        let innovations = try Tensor.randomNormal([scanCount, count], seed: measurementSeed(.timeSeriesNoise, seed))
            .scalars(as: Double.self)
        var measured = [Float](repeating: 0, count: scanCount * count)
        let scale = (1 - autocorrelation * autocorrelation).squareRoot()
        for vertex in 0..<count {
            var previous = innovations[vertex]
            for scan in 0..<scanCount {
                if scan > 0 { previous = autocorrelation * previous + scale * innovations[scan * count + vertex] }
                measured[scan * count + vertex] = values[scan * count + vertex] + Float(deviation[vertex] * previous)
            }
        }
        return FMRITimeSeries(data: try Tensor(shape: [scanCount, count], scalars: measured), signal: signal,
                              times: Tensor((0..<scanCount).map { Double($0) * tr }), design: designMatrix,
                              eventResponses: eventResponses.astype(.float32), noiseStandardDeviation: Tensor(deviation),
                              noiseCeiling: Tensor(ceiling), tr: tr)
    }
}
