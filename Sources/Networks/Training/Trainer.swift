import Autodiff
import Datasets
import Foundation
import Tensors

/// Trains `model` on `images` `[N, c, h, w]` (float, in [0, 1]) for `steps` optimiser steps of `batch` images,
/// in place, and returns the losses and the trained networks.
///
/// Each step: the batch is the next `batch` images of a seeded permutation of the data (a new permutation each
/// epoch); the objective's loss is computed (`.dino`: augmented multi-crop views, student on every view, EMA
/// teacher on the two global views, `DINOLoss` — plus `IBOTPatchLoss` when configured; `.supervised`:
/// cross-entropy of a linear head on the CLS feature); gradients are clipped; the learning rate and weight decay
/// are set from their schedules; the optimiser (AdamW by default, DINOv2's decay groups) steps; for DINO the
/// teacher follows the student by EMA (momentum cosine from `teacherMomentum` to 1) and the centres are updated.
///
/// Randomness (data order, crops, masks, dropout, drop path) is drawn from `seed` and the step number only, so a
/// run is reproducible and resumable. Checkpoints: after each step listed in `checkpoints` (1…steps), the student,
/// teacher, centres, optimiser state, step and loss history are written atomically to
/// `directory/checkpoint-<step>.safetensors` (see docs/training.md). When `directory` already holds checkpoints of
/// the same run (same settings), training resumes from the latest one and ends with results bit-identical to an
/// uninterrupted run; a checkpoint of another run (other settings, other step count) is refused.
///
/// Throws `TrainingError` naming the step and the last good checkpoint when the loss becomes NaN or infinite (no
/// checkpoint is written after it); `TrainingError` for bad settings (steps, batch, checkpoint steps, labels,
/// a checkpoint of another run); `TensorError` for images the model does not take; `DataError` for unwritable
/// or unreadable checkpoints. `progress` is called after every step.
@discardableResult
public func train(_ model: VisionTransformer, data images: Tensor, objective: TrainingObjective, steps: Int,
                  batch: Int, learningRate: StepSchedule = StepSchedule(base: 5e-4, final: 1e-6),
                  weightDecay: StepSchedule = StepSchedule(base: 0.04, final: 0.4),
                  clipping: GradientClippingRule = .perParameter(3), optimizer: TrainingOptimizer = .adamW(),
                  checkpoints: [Int] = [], directory: String? = nil, seed: UInt64 = 0,
                  progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingResult {
    let trainer = try Trainer(model: model, images: images, objective: objective, steps: steps, batch: batch,
                              learningRate: learningRate, weightDecay: weightDecay, clipping: clipping,
                              optimizer: optimizer, checkpoints: checkpoints, directory: directory, seed: seed)
    return try trainer.run(progress: progress)
}

/// The state of one `train` call.
final class Trainer {
    let images: Tensor
    let objective: TrainingObjective
    let steps: Int
    let batch: Int
    let seed: UInt64
    let checkpointSteps: Set<Int>
    let directory: String?
    let clipping: GradientClippingRule
    let learningRate: CosineSchedule
    let weightDecay: CosineSchedule
    let teacherMomentum: CosineSchedule?
    let state: TrainingState
    let optimizer: any Optimizer
    let settings: [String: String]
    var losses: [Double] = []
    var lastCheckpoint: String?
    private var permutations: [Int: [Int64]] = [:]

    init(model: VisionTransformer, images: Tensor, objective: TrainingObjective, steps: Int, batch: Int,
         learningRate: StepSchedule, weightDecay: StepSchedule, clipping: GradientClippingRule,
         optimizer: TrainingOptimizer, checkpoints: [Int], directory: String?, seed: UInt64) throws {
        guard steps > 0, batch > 0 else {
            throw TrainingError("steps and batch must be positive, got \(steps) and \(batch)")
        }
        guard images.rank == 4, images.shape[0] > 0, images.dtype.isFloatingPoint else {
            throw TrainingError("images of shape \(formatShape(images.shape)) and dtype \(images.dtype) are not a "
                                + "non-empty float [N, channels, height, width]")
        }
        if let bad = checkpoints.first(where: { !(1...steps).contains($0) }) {
            throw TrainingError("checkpoint step \(bad) is outside 1…\(steps)")
        }
        guard checkpoints.isEmpty || directory != nil else {
            throw TrainingError("checkpoints \(checkpoints) need a directory to be written to")
        }
        (self.images, self.objective, self.steps, self.batch, self.seed) = (images, objective, steps, batch, seed)
        (self.checkpointSteps, self.directory, self.clipping) = (Set(checkpoints), directory, clipping)
        self.learningRate = try learningRate.schedule(steps: steps)
        self.weightDecay = try weightDecay.schedule(steps: steps)
        var settings = ["steps": "\(steps)", "batch": "\(batch)", "seed": "\(seed)",
                        "data": formatShape(images.shape), "learning_rate": "\(learningRate)",
                        "weight_decay": "\(weightDecay)", "clipping": "\(clipping)", "optimizer": "\(optimizer)"]
        switch objective {
        case .dino(let configuration):
            teacherMomentum = try CosineSchedule.teacherMomentum(base: configuration.teacherMomentum, epochs: steps,
                                                                 stepsPerEpoch: 1)
            state = try TrainingState(dino: model, configuration: configuration, seed: seed)
            settings.merge(configuration.fingerprint) { $1 }
            settings["objective"] = "dino"
        case .supervised(let labels, let classes, let augments):
            guard labels.dtype == .int64, labels.shape == [images.shape[0]] else {
                throw TrainingError("labels must be int64 [\(images.shape[0])], one per image, got \(labels.dtype) "
                                    + formatShape(labels.shape))
            }
            if let bad = labels.scalars(as: Int64.self).first(where: { $0 < 0 || $0 >= Int64(classes) }) {
                throw TrainingError("label \(bad) is outside 0..<\(classes)")
            }
            teacherMomentum = nil
            state = try TrainingState(supervised: model, classes: classes, seed: seed)
            settings["objective"] = "supervised \(classes) classes augments \(augments)"
        }
        self.settings = settings
        let trained: any Module = state.student ?? state.classifier!
        switch optimizer {
        case .adamW(let beta1, let beta2):
            self.optimizer = try AdamW(trained, learningRate: 0, beta1: beta1, beta2: beta2, weightDecay: 0)
        case .sgd(let momentum):
            self.optimizer = try SGD(trained, learningRate: 0, momentum: momentum)
        }
    }

    /// Image indices of the batch of `step`: positions step·batch … in the concatenation of per-epoch permutations.
    func batchIndices(step: Int) throws -> Tensor {
        let count = images.shape[0]
        var indices: [Int64] = []
        for position in (step * batch)..<((step + 1) * batch) {
            let epoch = position / count
            if permutations[epoch] == nil {
                permutations = permutations.filter { $0.key >= epoch - 1 }
                var generator = RandomGenerator(seed: Seeds.mix(seed, 0x6461_7461), stream: UInt64(epoch))
                permutations[epoch] = try generator.permutation(count).scalars(as: Int64.self)
            }
            indices.append(permutations[epoch]![position % count])
        }
        return try Tensor(shape: [batch], scalars: indices)
    }

    func run(progress: ((TrainingProgress) -> Void)?) throws -> TrainingResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let resumedFrom = try resume()
        var written: [String] = []
        for step in losses.count..<steps {
            let stepSeed = Seeds.mix(seed, UInt64(step) &+ 1)
            optimizer.learningRate = try learningRate.value(at: step)
            optimizer.weightDecay = try weightDecay.value(at: step)
            let loss: Double
            switch objective {
            case .dino(let configuration): loss = try dinoStep(step, configuration: configuration, seed: stepSeed)
            case .supervised(let labels, _, let augments):
                loss = try supervisedStep(step, labels: labels, augments: augments, seed: stepSeed)
            }
            losses.append(loss)
            var saved: String?
            if checkpointSteps.contains(step + 1), let directory {
                saved = try saveCheckpoint(directory: directory, step: step + 1)
                written.append(saved!)
            }
            progress?(TrainingProgress(step: step + 1, steps: steps, loss: loss,
                                       learningRate: optimizer.learningRate, weightDecay: optimizer.weightDecay,
                                       elapsed: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                                       checkpoint: saved))
        }
        state.student?.setTraining(false)
        state.classifier?.setTraining(false)
        return TrainingResult(losses: losses, student: state.student, teacher: state.teacher,
                              classifier: state.classifier, checkpoints: written, resumedFrom: resumedFrom)
    }

    /// Throws the NaN error when `loss` is not finite.
    func checkFinite(_ loss: Double, step: Int) throws {
        guard loss.isFinite else {
            let last = lastCheckpoint.map { "the last good checkpoint is \($0)" }
                ?? "no checkpoint was saved before it"
            throw TrainingError("the loss is \(loss.isNaN ? "NaN" : "\(loss)") at step \(step + 1) of \(steps); training stopped and \(last)")
        }
    }

    /// Clips `gradients` by the configured rule.
    func clipped(_ gradients: [(name: String, gradient: Tensor)]) throws -> [(name: String, gradient: Tensor)] {
        switch clipping {
        case .none: return gradients
        case .globalNorm(let norm): return try GradientClipping.clipByGlobalNorm(gradients, maxNorm: norm).gradients
        case .perParameter(let norm): return try GradientClipping.clipEachParameter(gradients, maxNorm: norm).gradients
        }
    }
}
