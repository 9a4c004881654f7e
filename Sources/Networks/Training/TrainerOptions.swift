import Foundation
import Tensors

/// A value per training step for `train`: linear warm-up from `warmupStart` to `base` over `warmupSteps` steps, then
/// a cosine from `base` to `final` over the remaining steps (DINO's `cosine_scheduler` with one step per epoch, see
/// `CosineSchedule`). `constant(v)` is base = final = v without warm-up.
public struct StepSchedule: Sendable, Equatable, CustomStringConvertible {
    public var base: Double
    public var final: Double
    public var warmupSteps: Int
    public var warmupStart: Double

    public init(base: Double, final: Double, warmupSteps: Int = 0, warmupStart: Double = 0) {
        (self.base, self.final, self.warmupSteps, self.warmupStart) = (base, final, warmupSteps, warmupStart)
    }

    public static func constant(_ value: Double) -> StepSchedule { StepSchedule(base: value, final: value) }

    /// The schedule over `steps` steps. Throws `invalidArgument` when the warm-up is not shorter than `steps`.
    public func schedule(steps: Int) throws -> CosineSchedule {
        try CosineSchedule(baseValue: base, finalValue: final, epochs: steps, stepsPerEpoch: 1,
                           warmupEpochs: warmupSteps, startWarmupValue: warmupStart)
    }

    public var description: String { "\(base)→\(final) warm-up \(warmupSteps) from \(warmupStart)" }
}

/// Gradient clipping applied before each optimiser step.
public enum GradientClippingRule: Sendable, Equatable, CustomStringConvertible {
    case none
    /// PyTorch's `clip_grad_norm_` on all gradients together.
    case globalNorm(Double)
    /// DINO's `clip_gradients`: each parameter's gradient separately (DINO: 3.0).
    case perParameter(Double)

    public var description: String {
        switch self {
        case .none: return "none"
        case .globalNorm(let value): return "global norm \(value)"
        case .perParameter(let value): return "per parameter \(value)"
        }
    }
}

/// The optimiser `train` uses.
public enum TrainingOptimizer: Sendable, Equatable, CustomStringConvertible {
    /// AdamW with β₁, β₂ (DINO: 0.9, 0.999) and ε 1e-8.
    case adamW(beta1: Double = 0.9, beta2: Double = 0.999)
    /// SGD with momentum (Nesterov off).
    case sgd(momentum: Double = 0.9)

    public var description: String {
        switch self {
        case .adamW(let beta1, let beta2): return "adamw \(beta1) \(beta2)"
        case .sgd(let momentum): return "sgd \(momentum)"
        }
    }
}

/// iBOT's masked-patch objective added to DINO's (DINOv2's recipe).
public struct IBOTConfiguration: Sendable, Equatable {
    /// The loss is dino + weight · ibot (DINOv2: 1.0).
    public var weight: Double = 1
    /// Prototypes of the patch head (a separate head, DINOv2's `ibot_separate_head`).
    public var prototypes: Int = 1024
    /// Fraction of the global crops that are masked and the range of masking ratios (DINOv2: 0.5, 0.1…0.5).
    public var maskProbability: Double = 0.5
    public var maskRatio: ClosedRange<Double> = 0.1...0.5

    public init(weight: Double = 1, prototypes: Int = 1024, maskProbability: Double = 0.5,
                maskRatio: ClosedRange<Double> = 0.1...0.5) {
        (self.weight, self.prototypes, self.maskProbability, self.maskRatio) =
            (weight, prototypes, maskProbability, maskRatio)
    }
}

/// DINO's self-distillation settings. Defaults are DINO's where they fit a small model: a 3-layer head with hidden
/// width 2048 and bottleneck 256 onto `prototypes` (DINO: 65536; smaller suits small data), τs = 0.1, τt warming
/// 0.04 → 0.07, centre momentum 0.9, teacher momentum 0.996 → 1 (cosine over the run), last layer frozen for
/// `freezeLastLayerSteps` steps (DINO: one epoch).
public struct DINOConfiguration: Sendable {
    public var augmentation: DINOAugmentation
    public var prototypes: Int
    public var headHidden: Int
    public var headBottleneck: Int
    public var headLayers: Int
    public var studentTemperature: Double
    public var teacherTemperature: TeacherTemperatureSchedule
    public var centerMomentum: Double
    public var teacherMomentum: Double
    public var freezeLastLayerSteps: Int
    public var ibot: IBOTConfiguration?
    /// DINO's EMA centre (default) or DINOv2's Sinkhorn–Knopp teacher.
    public var centering: DINOLoss.Centering = .movingAverage
    /// Weight of DINOv2's KoLeo regulariser on each global view's student class tokens (`koLeoLoss`; DINOv2: 0.1,
    /// DINO: 0, the default). Batches of one image skip it (no neighbour).
    public var koLeoWeight: Double = 0

    public init(augmentation: DINOAugmentation, prototypes: Int = 65536, headHidden: Int = 2048,
                headBottleneck: Int = 256, headLayers: Int = 3, studentTemperature: Double = 0.1,
                teacherTemperature: TeacherTemperatureSchedule? = nil, centerMomentum: Double = 0.9,
                teacherMomentum: Double = 0.996, freezeLastLayerSteps: Int = 0, ibot: IBOTConfiguration? = nil) {
        self.augmentation = augmentation
        (self.prototypes, self.headHidden, self.headBottleneck, self.headLayers) =
            (prototypes, headHidden, headBottleneck, headLayers)
        self.studentTemperature = studentTemperature
        // A schedule without warm-up cannot fail to build.
        self.teacherTemperature = teacherTemperature ?? (try! TeacherTemperatureSchedule(warmupSteps: 0))
        (self.centerMomentum, self.teacherMomentum, self.freezeLastLayerSteps, self.ibot) =
            (centerMomentum, teacherMomentum, freezeLastLayerSteps, ibot)
    }

    /// The settings that must match for a checkpoint to be resumed by this run.
    var fingerprint: [String: String] {
        let a = augmentation
        var result = [
            "dino.prototypes": "\(prototypes)", "dino.head": "\(headLayers) \(headHidden) \(headBottleneck)",
            "dino.temperatures": "\(studentTemperature) \(teacherTemperature.start) \(teacherTemperature.final) "
                + "\(teacherTemperature.warmupSteps)",
            "dino.momenta": "\(centerMomentum) \(teacherMomentum)", "dino.freeze": "\(freezeLastLayerSteps)",
            "dino.centering": "\(centering)",
            "dino.crops": "\(a.globalSize) \(a.localSize) \(a.localCrops) \(a.globalScale) \(a.localScale)",
        ]
        if koLeoWeight != 0 { result["koleo"] = "\(koLeoWeight)" }
        if let ibot {
            result["ibot"] = "\(ibot.weight) \(ibot.prototypes) \(ibot.maskProbability) \(ibot.maskRatio)"
        }
        return result
    }
}

/// What `train` optimises.
public enum TrainingObjective: Sendable {
    /// DINO self-distillation (optionally with iBOT) on unlabelled images.
    case dino(DINOConfiguration)
    /// Classification: cross-entropy of a linear head on the CLS feature; `labels` int64 `[N]` in 0..<classes.
    /// With `augments`, each batch is randomly resized-cropped (scale 0.35…1) and flipped.
    case supervised(labels: Tensor, classes: Int, augments: Bool = true)
}

/// One step's report to `train`'s progress callback.
public struct TrainingProgress: Sendable {
    /// Steps completed (1 after the first step).
    public var step: Int
    public var steps: Int
    public var loss: Double
    public var learningRate: Double
    public var weightDecay: Double
    /// Seconds since this call of `train` started.
    public var elapsed: Double
    /// The checkpoint saved after this step, if any.
    public var checkpoint: String?
}

/// `train`'s result. The model passed to `train` holds the trained student backbone.
public struct TrainingResult {
    /// The loss of every step from the first (including steps done before a resume, read from the checkpoint).
    public var losses: [Double]
    /// The DINO student (the model with its head) and teacher (the EMA network whose features DINO evaluates).
    public var student: DINOModel?
    public var teacher: DINOModel?
    /// The supervised classifier (model with its linear head "head").
    public var classifier: SupervisedModel?
    /// The checkpoints this call wrote, in order.
    public var checkpoints: [String]
    /// The checkpoint training resumed from, if any.
    public var resumedFrom: String?
}

/// A training failure: `train: message`.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "train: " + message }
}
