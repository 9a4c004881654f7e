import Foundation
import Tensors

/// The canonical double-gamma haemodynamic response functions, with nilearn's parameters.
public enum HRFModel: String, Sendable, CaseIterable {
    /// SPM's canonical HRF as nilearn's `spm_hrf`: peak gamma of shape 6 (scale 1), undershoot gamma of shape 16
    /// (scale 1), undershoot ratio 0.167.
    case spm
    /// nilearn's `glover_hrf`: shapes 6/0.9 and 12/0.9 (scale 0.9), ratio 0.48 (nilearn 0.13).
    case glover

    var parameters: (delay: Double, undershoot: Double, dispersion: Double, undershootDispersion: Double, ratio: Double) {
        switch self {
        case .spm: return (6, 16, 1, 1, 0.167)
        case .glover: return (6, 12, 0.9, 0.9, 0.48)
        }
    }
}

public enum HRF {
    /// The gamma density with shape `a`, location `loc` and scale `s` (scipy's `gamma.pdf(t, a, loc, s)`).
    static func gammaDensity(_ t: Double, shape a: Double, location: Double, scale: Double) -> Double {
        let z = (t - location) / scale
        guard z > 0 else { return 0 }
        return Foundation.exp((a - 1) * Foundation.log(z) - z - Foundation.lgamma(a)) / scale
    }

    /// nilearn's kernel (`spm_hrf` / `glover_hrf(t_r, oversampling, time_length, onset)`), value for value:
    /// `dt = tr / oversampling`, times `linspace(0, timeLength, round(timeLength / dt)) − onset`,
    /// `h = Γpdf(t; delay/σ, loc=dt, scale=σ) − ratio · Γpdf(t; undershoot/σᵤ, loc=dt, scale=σᵤ)`, normalised to sum 1.
    /// Returns `[round(timeLength / dt)]` float64. Throws `AlignmentError` for tr ≤ 0, oversampling < 1,
    /// timeLength ≤ 0 or a grid of fewer than 2 points.
    public static func kernel(_ model: HRFModel = .spm, tr: Double, oversampling: Int = 50, timeLength: Double = 32,
                              onset: Double = 0) throws -> Tensor {
        let operation = "hrf"
        guard tr > 0 && tr.isFinite else { throw AlignmentError(operation, "tr must be > 0, got \(tr)") }
        guard oversampling >= 1 else { throw AlignmentError(operation, "oversampling must be at least 1, got \(oversampling)") }
        guard timeLength > 0 && timeLength.isFinite else {
            throw AlignmentError(operation, "timeLength must be > 0, got \(timeLength)")
        }
        let dt = tr / Double(oversampling)
        let count = Int((timeLength / dt).rounded(.toNearestOrEven))
        guard count >= 2 else { throw AlignmentError(operation, "the kernel grid has \(count) points; lower tr or raise timeLength") }
        let times = (0..<count).map { timeLength * Double($0) / Double(count - 1) - onset }
        return Tensor(normalised(model, times: times, location: dt))
    }

    /// `h(t)` on `times`, normalised to sum 1.
    static func normalised(_ model: HRFModel, times: [Double], location: Double) -> [Double] {
        let p = model.parameters
        let values = times.map { t in
            gammaDensity(t, shape: p.delay / p.dispersion, location: location, scale: p.dispersion)
                - p.ratio * gammaDensity(t, shape: p.undershoot / p.undershootDispersion, location: location,
                                         scale: p.undershootDispersion)
        }
        let total = values.reduce(0, +)
        return values.map { $0 / total }
    }

    /// Convolves each column of `x` `[n, p]` (sampled every `tr` seconds) with the HRF sampled at the same times:
    /// `out[t] = Σ_k h[k] x[t − k]` (causal, zero before the first sample, same length), with
    /// `h[k] = h(k · tr)` for `k · tr < timeLength`, the double gamma of `model` with location 0 (the response
    /// starts at the event), normalised to sum 1 so that a sustained unit input gives a unit response.
    /// (nilearn's `kernel` instead starts at `loc = dt` on a `linspace` grid, an artefact of its oversampled use.)
    /// Throws `AlignmentError` for x not 2-d or tr ≤ 0.
    public static func convolve(_ x: Tensor, tr: Double, model: HRFModel = .spm, timeLength: Double = 32) throws
        -> Tensor
    {
        let operation = "convolve_hrf"
        guard x.rank == 2 else { throw AlignmentError(operation, "X must be [n, features], got shape \(formatShape(x.shape))") }
        guard tr > 0 && tr.isFinite else { throw AlignmentError(operation, "tr must be > 0, got \(tr)") }
        guard timeLength > 0 && timeLength.isFinite else {
            throw AlignmentError(operation, "timeLength must be > 0, got \(timeLength)")
        }
        let taps = Swift.max(1, Int((timeLength / tr).rounded(.up)))
        let h = normalised(model, times: (0..<taps).map { Double($0) * tr }, location: 0)
        let n = x.shape[0], p = x.shape[1]
        let values = x.astype(.float64).contiguous()
        let input = values.pointer(Double.self)
        var output = [Double](repeating: 0, count: n * p)
        for t in 0..<n {
            for k in 0..<Swift.min(taps, t + 1) where h[k] != 0 {
                let weight = h[k], source = input + (t - k) * p
                for column in 0..<p { output[t * p + column] += weight * source[column] }
            }
        }
        return try Tensor(shape: [n, p], scalars: output).astype(x.dtype == .float32 ? .float32 : .float64)
    }
}
