import Autodiff
import Foundation
import Networks
import Tensors

/// DINO on 2 cores: a ViT of depth 4, width 64, 4 heads, patch 4 on 32×32 procedurally drawn images of 6 shape
/// classes (random grey levels with the shape the lighter, positions, sizes, rotations and noise: telling them apart
/// takes the shape), trained by self-distillation with DINOv2's KoLeo regulariser (weight 0.1) within a time budget, then evaluated by DINO's weighted k-NN (k = 20, cosine, T = 0.07) on the
/// teacher's CLS features of held-out images, against the same network untrained. Feature spread (per-dimension
/// standard deviation across images, effective rank) shows whether the features collapsed.
///
/// The number of steps is chosen from a short calibration run so that training takes about `BM_DINO_SECONDS`
/// (default 540 s, under the 10 minutes; the calibration over-estimates a step, so runs end earlier);
/// `BM_DINO_STEPS` fixes it instead. The other `BM_DINO_…` variables override one setting each, for the trials listed in
/// docs/training.md.
func dinoBenchmarks() throws -> [Figure] {
    let environment = ProcessInfo.processInfo.environment
    func number(_ name: String, _ fallback: Double) -> Double { Double(environment[name] ?? "") ?? fallback }
    let budget = Double(environment["BM_DINO_SECONDS"] ?? "") ?? 540
    let classes = 6, seed: UInt64 = 2024
    // Small batches give more updates for the same images per second, which a short run needs more than a large
    // batch (DINO trains well from batch 128 down; its ablation).
    let batch = Int(environment["BM_DINO_BATCH"] ?? "") ?? 32
    let prototypes = Int(environment["BM_DINO_PROTOTYPES"] ?? "") ?? 256
    // A sharp teacher throughout: the warm-up to DINO's 0.07 is for stability over long runs.
    let finalTemperature = Double(environment["BM_DINO_TEACHER_TEMPERATURE"] ?? "") ?? 0.04
    // Grey shapes by default: with random colours (`BM_DINO_COLOUR=1`), colour is what two views of an image share
    // most plainly; DINO learns it within a few hundred steps and the k-NN stays at chance (docs/training.md). Grey
    // levels are still a per-image nuisance (the untrained network is near chance on them too), but one that colour
    // jitter can mask.
    let grey = environment["BM_DINO_COLOUR"] == nil
    let lightOnDark = environment["BM_DINO_EITHER_POLARITY"] == nil
    let train = try SyntheticShapes.generate(count: 2400, size: 32, classes: classes, seed: 1, grey: grey,
                                             lightOnDark: lightOnDark)
    let heldOut = try SyntheticShapes.generate(count: 600, size: 32, classes: classes, seed: 2, grey: grey,
                                               lightOnDark: lightOnDark)
    // Crops larger than DINO's (0.4…1 and 0.05…0.4): a shape covers 4–50 % of an image, and a local crop of
    // background alone teaches nothing about it.
    var augmentation = try DINOAugmentation(globalSize: 32, localSize: 16,
                                            localCrops: Int(number("BM_DINO_LOCAL_CROPS", 4)),
                                            globalScale: number("BM_DINO_GLOBAL_MIN", 0.5)...1,
                                            localScale: number("BM_DINO_LOCAL_MIN", 0.25)...number("BM_DINO_LOCAL_MAX", 0.5),
                                            blurSigma: 0.1...1,
                                            normalization: ([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]))
    if environment["BM_DINO_IDENTITY_VIEWS"] != nil {
        augmentation.flipProbability = 0
        augmentation.jitterProbability = 0
        augmentation.grayscaleProbability = 0
        augmentation.blurProbabilities = (0, 0, 0)
        augmentation.solarizeProbability = 0
    }
    augmentation.solarizeProbability = number("BM_DINO_SOLARIZE", augmentation.solarizeProbability)
    augmentation.solarizeThreshold = number("BM_DINO_SOLARIZE_THRESHOLD", augmentation.solarizeThreshold)
    if environment["BM_DINO_MILD_COLOR"] == nil {
        // Every image has its own grey levels, which two views of it share: with DINO's mild jitter the quickest
        // match between views is brightness, not shape. Strong brightness and contrast jitter on every view leave
        // shape as what views of one image have in common (on grey shapes after 100 steps: 27 % with lr 1e-3, vs 26 %
        // with DINO's jitter and lr 5e-4; on colour shapes it kept the loss on the uniform plateau; docs/training.md).
        augmentation.jitter = try ImageAugmentation.ColorJitter(brightness: 0.6, contrast: 0.6, saturation: 0.8,
                                                                hue: 0.5)
        augmentation.jitterProbability = 1
        augmentation.grayscaleProbability = 0.3
    }
    augmentation.grayscaleProbability = number("BM_DINO_GRAYSCALE", augmentation.grayscaleProbability)
    func configuration(steps: Int) throws -> DINOConfiguration {
        var result = DINOConfiguration(augmentation: augmentation, prototypes: prototypes,
                          headHidden: Int(number("BM_DINO_HEAD_HIDDEN", 256)),
                          headBottleneck: Int(number("BM_DINO_HEAD_BOTTLENECK", 64)),
                          headLayers: Int(number("BM_DINO_HEAD_LAYERS", 3)),
                          studentTemperature: number("BM_DINO_STUDENT_TEMPERATURE", 0.1),
                          teacherTemperature: try TeacherTemperatureSchedule(start: 0.04, final: finalTemperature,
                                                                             warmupSteps: steps / 3),
                          teacherMomentum: Double(environment["BM_DINO_TEACHER_MOMENTUM"] ?? "") ?? 0.98,
                          freezeLastLayerSteps: Int(number("BM_DINO_FREEZE", Double(Swift.min(20, steps / 10)))))
        // DINOv2's Sinkhorn–Knopp teacher: balanced targets from the first step, where DINO's EMA centre lets a
        // short run sit on the uniform plateau (loss = log K; measured here).
        if environment["BM_DINO_EMA_CENTER"] == nil { result.centering = .sinkhornKnopp(iterations: 3) }
        // DINOv2's KoLeo term keeps the class tokens spread: without it a short run concentrates them on a few
        // directions (effective rank 3.7 after 400 steps, k-NN 26.8 %; with it 23.8 and 42.5 %; docs/training.md).
        result.koLeoWeight = number("BM_DINO_KOLEO", 0.1)
        return result
    }
    func network() throws -> VisionTransformer {
        try VisionTransformer(imageSize: 32, patchSize: 4, width: 64, depth: 4, heads: 4, layerScale: nil,
                              dropPath: 0, seed: seed)
    }
    // A short run on little data needs a faster start than DINO's 5e-4 · batch / 256 (as small-data DINO recipes);
    // 1e-3 gave the best 100-step trial (docs/training.md).
    let peak = Double(environment["BM_DINO_LR"] ?? "") ?? 1e-3
    let learningRate = StepSchedule(base: peak, final: 1e-5, warmupSteps: 0)

    // Calibration: seconds per step on this machine now. Timing 3 steps from the start over-estimates a step (the
    // first pays for the run's allocations): the measured default run stopped at 316 s of 540, well inside 10 minutes.
    var steps = Int(environment["BM_DINO_STEPS"] ?? "") ?? 0
    if steps <= 0 {
        let start = DispatchTime.now().uptimeNanoseconds
        try Networks.train(try network(), data: train.images, objective: .dino(try configuration(steps: 100)),
                           steps: 3, batch: batch, learningRate: learningRate, seed: seed)
        let perStep = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / 3
        steps = Swift.max(30, Swift.min(2000, Int(budget / perStep)))
    }
    let schedule = StepSchedule(base: learningRate.base, final: learningRate.final, warmupSteps: Swift.max(1, steps / 10))

    let model = try network()
    let untrained = try knnEvaluation(backbone: model, augmentation: augmentation, train: train, heldOut: heldOut,
                                      classes: classes)
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try Networks.train(model, data: train.images, objective: .dino(try configuration(steps: steps)),
                                    steps: steps, batch: batch, learningRate: schedule,
                                    weightDecay: StepSchedule(base: number("BM_DINO_WD", 0.04),
                                                              final: number("BM_DINO_WD_FINAL", 0.4)),
                                    seed: seed) { progress in
        if progress.step % 10 == 0 || progress.step == steps {
            FileHandle.standardError.write(String(format: "dino step %d/%d loss %.4f (%.0f s)\n", progress.step,
                                                  steps, progress.loss, progress.elapsed).data(using: .utf8)!)
        }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let teacher = try knnEvaluation(backbone: result.teacher!.backbone, augmentation: augmentation, train: train,
                                    heldOut: heldOut, classes: classes)
    let student = try knnEvaluation(backbone: model, augmentation: augmentation, train: train, heldOut: heldOut,
                                    classes: classes)
    let chance = 1 / Double(classes)
    let lastLosses = result.losses.suffix(20)
    return [
        Figure(name: "dino_train_vit_d4_w64_32px", seconds: seconds, extra: [
            "steps": Double(steps), "batch": Double(batch), "images_per_second": Double(steps * batch) / seconds,
            "first_loss": result.losses.first ?? .nan, "final_loss": lastLosses.reduce(0, +) / Double(lastLosses.count),
            "threads": Double(Threads.count),
        ]),
        Figure(name: "dino_knn_teacher", seconds: teacher.seconds, extra: [
            "accuracy": teacher.accuracy, "chance": chance, "accuracy_over_chance": teacher.accuracy / chance,
            "untrained_accuracy": untrained.accuracy, "feature_std": teacher.std, "effective_rank": teacher.rank,
            "untrained_feature_std": untrained.std, "untrained_effective_rank": untrained.rank,
        ]),
        Figure(name: "dino_knn_student", seconds: student.seconds, extra: [
            "accuracy": student.accuracy, "accuracy_over_chance": student.accuracy / chance,
            "feature_std": student.std, "effective_rank": student.rank,
        ]),
    ]
}

/// DINO's weighted k-NN classifier on CLS features (k = 20, cosine similarity, weights exp(similarity / 0.07)),
/// trained on `train`'s labels and tested on `heldOut`; plus the spread of the held-out features.
func knnEvaluation(backbone: VisionTransformer, augmentation: DINOAugmentation,
                   train: (images: Tensor, labels: Tensor), heldOut: (images: Tensor, labels: Tensor),
                   classes: Int, k: Int = 20) throws -> (accuracy: Double, std: Double, rank: Double, seconds: Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let wasTraining = backbone.isTraining
    backbone.setTraining(false)
    defer { backbone.setTraining(wasTraining) }
    func features(_ images: Tensor) throws -> Tensor {
        var parts: [Tensor] = []
        for first in stride(from: 0, to: images.shape[0], by: 200) {
            let end = Swift.min(first + 200, images.shape[0])
            let batch = try augmentation.evaluationView(images.get([.slice(start: first, stop: end, step: nil)]))
            parts.append(try backbone(batch, in: ForwardPass()).value.get([.all, .index(0)]))
        }
        let all = try Tensor.concatenate(parts, axis: 0).astype(.float64)
        return try all / (all * all).sum(axes: [1], keepDims: true).sqrt()
    }
    let reference = try features(train.images), queries = try features(heldOut.images)
    let similarities = try Tensor.matmul(queries, reference.transposed())
    let rows = similarities.shape[0], columns = similarities.shape[1]
    let values = similarities.scalars(as: Double.self)
    let referenceLabels = train.labels.scalars(as: Int64.self), queryLabels = heldOut.labels.scalars(as: Int64.self)
    var correct = 0
    for row in 0..<rows {
        let slice = values[row * columns ..< (row + 1) * columns]
        let nearest = slice.indices.sorted { slice[$0] > slice[$1] }.prefix(k)
        var votes = [Double](repeating: 0, count: classes)
        for index in nearest { votes[Int(referenceLabels[index - row * columns])] += exp(slice[index] / 0.07) }
        let predicted = votes.indices.max { votes[$0] < votes[$1] }!
        if Int64(predicted) == queryLabels[row] { correct += 1 }
    }
    // Spread of the raw (unnormalised) held-out features.
    backbone.setTraining(false)
    let raw = try backbone(try augmentation.evaluationView(heldOut.images), in: ForwardPass()).value
        .get([.all, .index(0)]).astype(.float64)
    let std = try raw.standardDeviation(axes: [0]).mean().item()
    let centred = try raw - raw.mean(axes: [0], keepDims: true)
    let singular = try Linalg.svdvals(centred).scalars(as: Double.self)
    let total = singular.reduce(0, +)
    let entropy = singular.filter { $0 > 0 }.map { -($0 / total) * log($0 / total) }.reduce(0, +)
    return (Double(correct) / Double(rows), std, exp(entropy),
            Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
