import Foundation
import Tensors

/// A value per training step: linear warm-up then cosine decay, DINO's `cosine_scheduler(base_value, final_value,
/// epochs, niter_per_ep, warmup_epochs, start_warmup_value)`:
///
///     w = warmupEpochs · stepsPerEpoch warm-up steps: linspace(startWarmupValue, baseValue, w)
///     then for i in 0..<n (n = epochs · stepsPerEpoch − w): final + ½ (base − final) (1 + cos(π i / n))
///
/// Used for the learning rate, the weight decay and the teacher momentum (`teacherMomentum`).
public struct CosineSchedule: Sendable, Equatable {
    public let baseValue: Double
    public let finalValue: Double
    public let epochs: Int
    public let stepsPerEpoch: Int
    public let warmupEpochs: Int
    public let startWarmupValue: Double

    /// Throws `invalidArgument` when epochs or steps per epoch are not positive, or the warm-up is negative or
    /// not shorter than the whole schedule.
    public init(baseValue: Double, finalValue: Double, epochs: Int, stepsPerEpoch: Int, warmupEpochs: Int = 0,
                startWarmupValue: Double = 0) throws {
        guard epochs > 0, stepsPerEpoch > 0 else {
            throw TensorError(.invalidArgument, "CosineSchedule", "epochs and steps per epoch must be positive, "
                              + "got \(epochs) and \(stepsPerEpoch)")
        }
        guard warmupEpochs >= 0, warmupEpochs < epochs else {
            throw TensorError(.invalidArgument, "CosineSchedule", "warm-up epochs must lie in 0..<\(epochs), "
                              + "got \(warmupEpochs)")
        }
        self.baseValue = baseValue
        self.finalValue = finalValue
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.warmupEpochs = warmupEpochs
        self.startWarmupValue = startWarmupValue
    }

    /// DINO's teacher momentum: cosine from `base` (0.996) to 1 without warm-up.
    public static func teacherMomentum(base: Double = 0.996, epochs: Int, stepsPerEpoch: Int) throws -> CosineSchedule {
        try CosineSchedule(baseValue: base, finalValue: 1, epochs: epochs, stepsPerEpoch: stepsPerEpoch)
    }

    /// The number of steps, epochs · stepsPerEpoch.
    public var count: Int { epochs * stepsPerEpoch }

    /// The value at `step` (0-based). Throws `index` when `step` lies outside 0..<count.
    public func value(at step: Int) throws -> Double {
        guard step >= 0, step < count else {
            throw TensorError(.index, "CosineSchedule", "step \(step) is outside 0..<\(count)")
        }
        let warmup = warmupEpochs * stepsPerEpoch
        if step < warmup {
            // numpy's linspace: start + i · step, the last point exactly the end (a single point is the start).
            if warmup == 1 { return startWarmupValue }
            if step == warmup - 1 { return baseValue }
            return Double(step) * ((baseValue - startWarmupValue) / Double(warmup - 1)) + startWarmupValue
        }
        let decaySteps = count - warmup
        let i = Double(step - warmup)
        return finalValue + 0.5 * (baseValue - finalValue) * (1 + cos(Double.pi * i / Double(decaySteps)))
    }

    /// Every value, as DINO's array.
    public var values: [Double] { (0..<count).map { try! value(at: $0) } }
}
