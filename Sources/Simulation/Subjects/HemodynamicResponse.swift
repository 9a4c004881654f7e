import Foundation

/// The canonical double-gamma haemodynamic response function of SPM (Friston et al. 1998):
/// `h(t) = Γpdf(t; a₁ = peakDelay / peakDispersion, scale peakDispersion)
///       − ratio · Γpdf(t; a₂ = undershootDelay / undershootDispersion, scale undershootDispersion)` for t > 0,
/// with SPM's defaults 6, 16, 1, 1 and ratio 1/6: a peak near 5 s and an undershoot near 15.7 s. Simulation keeps its
/// own copy of the formula (the analysis side lives in Alignment, which Simulation must not depend on).
public struct HemodynamicResponse: Sendable, Equatable {
    /// Gamma shapes are delay / dispersion, scales the dispersions (seconds); ratio weighs the undershoot.
    public var peakDelay: Double, undershootDelay: Double
    public var peakDispersion: Double, undershootDispersion: Double
    public var ratio: Double

    /// Throws `SimulationError("HemodynamicResponse", …)` for a delay or dispersion ≤ 0 or not finite, or a ratio
    /// outside [0, 1).
    public init(peakDelay: Double = 6, undershootDelay: Double = 16, peakDispersion: Double = 1,
                undershootDispersion: Double = 1, ratio: Double = 1.0 / 6) throws {
        guard [peakDelay, undershootDelay, peakDispersion, undershootDispersion].allSatisfy({ $0 > 0 && $0.isFinite }),
              ratio >= 0, ratio < 1 else {
            throw SimulationError("HemodynamicResponse", "delays and dispersions must be > 0 and ratio in [0, 1), got "
                                  + "\(peakDelay), \(undershootDelay), \(peakDispersion), \(undershootDispersion), \(ratio)")
        }
        self.peakDelay = peakDelay
        self.undershootDelay = undershootDelay
        self.peakDispersion = peakDispersion
        self.undershootDispersion = undershootDispersion
        self.ratio = ratio
    }

    /// SPM's canonical HRF.
    public static let canonical = try! HemodynamicResponse()

    /// `h(t)` as in the type's documentation (not normalised; its integral is `1 − ratio`).
    public func value(at time: Double) -> Double {
        HemodynamicResponse.gammaDensity(time, shape: peakDelay / peakDispersion, scale: peakDispersion)
            - ratio * HemodynamicResponse.gammaDensity(time, shape: undershootDelay / undershootDispersion,
                                                       scale: undershootDispersion)
    }

    /// `∫₀ᵗ h(τ) dτ / (1 − ratio)`: the response at time t to a unit step starting at 0, normalised so that a
    /// sustained unit input settles at 1. Uses the regularised lower incomplete gamma function P(a, x).
    public func step(at time: Double) -> Double {
        guard time > 0 else { return 0 }
        let peak = HemodynamicResponse.incompleteGamma(peakDelay / peakDispersion, time / peakDispersion)
        let undershoot = HemodynamicResponse.incompleteGamma(undershootDelay / undershootDispersion,
                                                            time / undershootDispersion)
        return (peak - ratio * undershoot) / (1 - ratio)
    }

    /// The gamma density with shape a and scale s at t (0 for t ≤ 0).
    static func gammaDensity(_ time: Double, shape: Double, scale: Double) -> Double {
        guard time > 0 else { return 0 }
        let z = time / scale
        return Foundation.exp((shape - 1) * Foundation.log(z) - z - Foundation.lgamma(shape)) / scale
    }

    /// P(a, x) by its power series `e^(−x) x^a Σ_k x^k / Γ(a + k + 1)` (Numerical Recipes §6.2), which converges for
    /// every x; terms are summed until they no longer change the sum.
    static func incompleteGamma(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 0 }
        if x > a + 60 { return 1 }
        var term = 1 / a, sum = term, denominator = a
        for _ in 0..<10_000 {
            denominator += 1
            term *= x / denominator
            sum += term
            if term < sum * 1e-16 { break }
        }
        return Swift.min(1, sum * Foundation.exp(-x + a * Foundation.log(x) - Foundation.lgamma(a)))
    }
}
