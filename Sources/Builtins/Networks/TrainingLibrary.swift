import Datasets
import Foundation
import Language
import Networks
import Tensors

/// Training in scripts: `train(model, images, objective="dino", …)` runs the Swift `Trainer` (docs/training.md) on a
/// `vit` model object in place and returns what a study needs: the loss of every step, the checkpoints written, the
/// network that objective evaluates (DINO's EMA teacher) and that network at each checkpoint, and the spread of its
/// features (a collapsed DINO run has spread ≈ 0).
enum TrainingLibrary {
    static let signature = "train(model, images, objective=\"dino\", labels=nil, steps=100, batch=32, lr=5e-4, "
        + "weight_decay=0.04, warmup=0, checkpoints=[], directory=nil, seed=0, progress=true, prototypes=1024, "
        + "local_crops=2, final_lr=1e-6, final_weight_decay=0.4, centering=\"sinkhorn\", teacher_momentum=0.98, koleo=0.1)"

    static func install(_ context: BindingContext) {
        context.define(
            "train", signature,
            "Trains a vit model in place → {losses [steps], checkpoints (paths), snapshots [{step, path, model}], "
                + "model (the network the objective evaluates: DINO's EMA teacher backbone, else the trained model), "
                + "feature_spread (mean over feature dimensions of the standard deviation across images of that "
                + "network's final CLS features; ≈ 0 when DINO collapsed), resumed_from, seconds}.\n"
                + "images: [n, h, w, c] (as images.load and stimuli give, values in [0, 1]) or [n, c, h, w]. "
                + "objective \"dino\": DINO self-distillation (2 global crops of the model's size, local_crops crops "
                + "of half its size with strong colour jitter, a 3-layer head (hidden 256, bottleneck 64) onto prototypes "
                + "prototypes, EMA teacher with momentum teacher_momentum → 1, teacher targets balanced by DINOv2's "
                + "Sinkhorn–Knopp (centering=\"sinkhorn\", which keeps short runs off the uniform plateau) or DINO's "
                + "moving-average centre (\"ema\"), DINOv2's KoLeo regulariser with weight koleo on each global view's "
                + "class tokens (spreads them; 0 turns it off), prototypes frozen for the first min(20, steps/10) steps: the "
                + "recipe bm-bench dino measured for small data); \"supervised\": "
                + "cross-entropy of a linear head on the CLS feature, labels [n] class indices. lr and weight_decay "
                + "follow DINO's cosine schedules from lr to final_lr and weight_decay to final_weight_decay after "
                + "warmup linear warm-up steps; AdamW; gradients clipped per parameter at 3. checkpoints: steps after "
                + "which the run is saved (atomically) in directory, which then resumes the run when called again "
                + "with the same settings. Randomness depends only on seed.\n"
                + "Errors: a model that is not a vit, images that do not fit it, steps/batch < 1, checkpoints "
                + "without directory or outside 1…steps, missing or out-of-range labels, unknown objective, a "
                + "directory holding another run; a NaN or infinite loss stops training naming the step and the "
                + "last good checkpoint.") { arguments in
            try train(arguments, context: context)
        }
    }

    static func train(_ arguments: Arguments, context: BindingContext) throws -> Value {
        let operation = "train"
        guard case .native(let native) = try arguments.value(0, "model"), let object = native as? ModelObject,
              let network = object.visionTransformer else {
            throw LanguageError("train: model must be a vit model (vit(...) or load_model), got "
                                + (try arguments.value(0, "model")).typeName)
        }
        var images = try NetworkArguments.images(arguments.value(1, "images"), for: object, operation: operation)
        images = images.dtype == object.parameterType ? images : images.astype(object.parameterType)
        let objectiveName = try arguments.optionalString(2, "objective") ?? "dino"
        let steps = try arguments.optionalInteger(4, "steps") ?? 100
        let batch = try arguments.optionalInteger(5, "batch") ?? 32
        let warmup = try arguments.optionalInteger(8, "warmup") ?? 0
        guard warmup >= 0, warmup < Swift.max(steps, 1) else {
            throw LanguageError("train: warmup must be in 0..<steps (\(steps)), got \(warmup)")
        }
        let learningRate = StepSchedule(base: try arguments.optionalNumber(6, "lr") ?? 5e-4,
                                        final: try arguments.optionalNumber(15, "final_lr") ?? 1e-6,
                                        warmupSteps: warmup)
        let weightDecay = StepSchedule(base: try arguments.optionalNumber(7, "weight_decay") ?? 0.04,
                                       final: try arguments.optionalNumber(16, "final_weight_decay") ?? 0.4)
        let checkpoints: [Int]
        if let value = arguments.optional(9, "checkpoints"), !value.isNil {
            checkpoints = try arguments.integers(9, "checkpoints")
        } else {
            checkpoints = []
        }
        let directory = try arguments.optionalString(10, "directory")
        let seed = try arguments.optionalInteger(11, "seed") ?? 0
        guard seed >= 0 else { throw LanguageError("train: seed must be >= 0, got \(seed)") }
        let showsProgress = try arguments.optionalBool(12, "progress") ?? true
        let objective: TrainingObjective
        switch objectiveName {
        case "dino":
            let prototypes = try arguments.optionalInteger(13, "prototypes") ?? 1024
            let localCrops = try arguments.optionalInteger(14, "local_crops") ?? 2
            guard prototypes >= 2, localCrops >= 0 else {
                throw LanguageError("train: prototypes must be >= 2 and local_crops >= 0, got \(prototypes) and "
                                    + "\(localCrops)")
            }
            let size = network.imageSize
            let centeringName = try arguments.optionalString(17, "centering") ?? "sinkhorn"
            let teacherMomentum = try arguments.optionalNumber(18, "teacher_momentum") ?? 0.98
            guard teacherMomentum >= 0, teacherMomentum < 1 else {
                throw LanguageError("train: teacher_momentum must be in [0, 1), got \(teacherMomentum)")
            }
            let koLeoWeight = try arguments.optionalNumber(19, "koleo") ?? 0.1
            guard koLeoWeight >= 0, koLeoWeight.isFinite else {
                throw LanguageError("train: koleo must be a finite weight >= 0, got \(koLeoWeight)")
            }
            // Blur σ in pixels: DINO's 0.1…2 for 224-pixel crops, scaled to the model's image size.
            var augmentation = try DINOAugmentation(
                globalSize: size, localSize: Swift.max(size / 2, network.patchSize), localCrops: localCrops,
                localScale: 0.1...0.4, blurSigma: 0.1...Swift.max(0.1, 2.0 * Double(size) / 224),
                normalization: ([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]))
            // Generated images differ most in colour, which two views of one image share: strong jitter leaves
            // shape as what the views have in common (bm-bench dino).
            augmentation.jitter = try ImageAugmentation.ColorJitter(brightness: 0.6, contrast: 0.6, saturation: 0.8,
                                                                    hue: 0.5)
            augmentation.jitterProbability = 1
            augmentation.grayscaleProbability = 0.3
            var configuration = DINOConfiguration(
                augmentation: augmentation, prototypes: prototypes, headHidden: 256, headBottleneck: 64,
                teacherTemperature: try TeacherTemperatureSchedule(warmupSteps: steps / 3),
                teacherMomentum: teacherMomentum, freezeLastLayerSteps: Swift.min(20, steps / 10))
            configuration.koLeoWeight = koLeoWeight
            switch centeringName {
            case "sinkhorn": configuration.centering = .sinkhornKnopp(iterations: 3)
            case "ema": configuration.centering = .movingAverage
            default:
                throw LanguageError("train: centering must be \"sinkhorn\" or \"ema\", got \"\(centeringName)\"")
            }
            objective = .dino(configuration)
        case "supervised":
            guard let labels = try NetworkArguments.labels(arguments, 3, operation: operation) else {
                throw LanguageError("train: objective \"supervised\" needs labels=[n] class indices")
            }
            let classes = Int(labels.scalars(as: Int64.self).max() ?? 0) + 1
            objective = .supervised(labels: labels, classes: Swift.max(classes, 2), augments: true)
        default:
            throw LanguageError("train: objective must be \"dino\" or \"supervised\", got \"\(objectiveName)\"")
        }
        let progress: ((TrainingProgress) -> Void)? = showsProgress ? { report in
            let end = report.step == report.steps ? "\n" : ""
            let line = String(format: "\rtrain: step %d/%d loss %.4f (%.1f s)", report.step, report.steps,
                              report.loss, report.elapsed)
            FileHandle.standardError.write(Data((line + end).utf8))
        } : nil
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try Networks.train(network, data: images, objective: objective, steps: steps, batch: batch,
                                        learningRate: learningRate, weightDecay: weightDecay,
                                        checkpoints: checkpoints, directory: directory, seed: UInt64(seed),
                                        progress: progress)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let evaluated: ModelObject
        if let teacher = result.teacher {
            evaluated = ModelObject(teacher.backbone, configuration: object.configuration, context: context)
        } else {
            evaluated = object
        }
        let prefix = objectiveName == "dino" ? "model.teacher.backbone." : "model.classifier.backbone."
        var snapshots: [Value] = []
        let written = directory.map { folder in
            checkpoints.sorted().map { (folder as NSString).appendingPathComponent(
                "checkpoint-" + String(format: "%08d", $0) + ".safetensors") }
        } ?? []
        for (step, path) in zip(checkpoints.sorted(), written) {
            let snapshot = try checkpointModel(path, prefix: prefix, like: object, context: context)
            snapshots.append(.makeRecord([("step", .number(Double(step))), ("path", .string(path)),
                                          ("model", .native(snapshot))]))
        }
        let losses = try Tensor(shape: [result.losses.count], scalars: result.losses)
        return .makeRecord([
            ("losses", context.wrap(losses)),
            ("checkpoints", .makeList(written.map { .string($0) })),
            ("snapshots", .makeList(snapshots)),
            ("model", .native(evaluated)),
            ("feature_spread", .number(try featureSpread(evaluated, images: images))),
            ("resumed_from", result.resumedFrom.map { .string($0) } ?? .nil),
            ("seconds", .number(seconds)),
        ])
    }

    /// A new model object of `object`'s architecture holding the network saved under `prefix` in the training
    /// checkpoint at `path`. Throws `DataError` for an unreadable file and `TensorError` for tensors that do not fit.
    static func checkpointModel(_ path: String, prefix: String, like object: ModelObject,
                                context: BindingContext) throws -> ModelObject {
        let contents = try Safetensors.load(path)
        var state: [String: Tensor] = [:]
        for (name, tensor) in contents.tensors where name.hasPrefix(prefix) {
            state[String(name.dropFirst(prefix.count))] = tensor.copy()
        }
        guard !state.isEmpty else {
            throw LanguageError("train: \(path) holds no tensors named \(prefix)…")
        }
        let model = try object.configuration.build()
        try model.load(state)
        return ModelObject(model, configuration: object.configuration, context: context)
    }

    /// Mean over feature dimensions of the across-image standard deviation of the final layer's CLS features, on
    /// at most 64 of the images: near zero when every image maps to the same feature (DINO's collapse).
    static func featureSpread(_ object: ModelObject, images: Tensor) throws -> Double {
        let count = Swift.min(64, images.shape[0])
        guard count >= 2, let last = object.model.layerNames.last else { return 0 }
        let subset = try images.get([.slice(start: 0, stop: count, step: nil)])
        let readout = try object.model.activations(subset, layers: .names([last]), pool: .cls, batchSize: 64,
                                                   hooks: [:], progress: nil)
        let features = readout.layers[0].tensor.astype(.float64)
        return try features.standardDeviation(axes: [0]).mean().item()
    }
}
