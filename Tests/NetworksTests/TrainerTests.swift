import Autodiff
import Foundation
import Networks
import Tensors
import Testing

func trainerTinyModel(seed: UInt64 = 1) throws -> VisionTransformer {
    try VisionTransformer(imageSize: 16, patchSize: 4, width: 16, depth: 1, heads: 2, layerScale: nil, dropPath: 0.1,
                          seed: seed)
}

func trainerTinyDINO(ibot: IBOTConfiguration? = nil) throws -> DINOConfiguration {
    let augmentation = try DINOAugmentation(globalSize: 16, localSize: 8, localCrops: 2, blurSigma: 0.1...1,
                                            normalization: ([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]))
    return DINOConfiguration(augmentation: augmentation, prototypes: 64, headHidden: 32, headBottleneck: 16,
                             teacherTemperature: try TeacherTemperatureSchedule(warmupSteps: 4),
                             freezeLastLayerSteps: 1, ibot: ibot)
}

func trainerFolder() throws -> String {
    let path = NSTemporaryDirectory() + "bm-trainer-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Per-dimension standard deviation across images (mean over dimensions) and the effective rank
/// exp(entropy of the normalised singular values) of centred features [n, d].
func trainerSpread(_ features: Tensor) throws -> (std: Double, effectiveRank: Double) {
    let x = features.astype(.float64)
    let std = try x.standardDeviation(axes: [0]).mean().item() as Double
    let centred = try x - x.mean(axes: [0], keepDims: true)
    let singular = try Linalg.svdvals(centred).scalars(as: Double.self)
    let total = singular.reduce(0, +)
    let entropy = singular.filter { $0 > 0 }.map { -($0 / total) * Foundation.log($0 / total) }.reduce(0, +)
    return (std, Foundation.exp(entropy))
}

@Suite struct TrainerTests {
    @Test func smokeDINOTrainingStaysFiniteAndDoesNotCollapse() throws {
        let data = try SyntheticShapes.generate(count: 48, size: 16, classes: 4, seed: 1)
        let model = try trainerTinyModel()
        let configuration = try trainerTinyDINO()
        var reported: [Int] = []
        let result = try train(model, data: data.images, objective: .dino(configuration), steps: 12, batch: 8,
                               learningRate: StepSchedule(base: 2e-3, final: 2e-4, warmupSteps: 3), seed: 5,
                               progress: { reported.append($0.step) })
        #expect(reported == Array(1...12))
        #expect(result.losses.count == 12 && result.losses.allSatisfy { $0.isFinite })
        // DINO's loss starts near log K when nothing is learnt; it must not explode.
        #expect(result.losses.allSatisfy { $0 > 0 && $0 < 2 * Foundation.log(64.0) })
        let teacher = try #require(result.teacher)
        let view = try configuration.augmentation.evaluationView(data.images)
        let features = try teacher.features(Variable(view), in: ForwardPass()).classToken.value
        let spread = try trainerSpread(features)
        // Collapse would send the spread to 0 (a constant feature) or the rank to 1 (one direction); training keeps
        // most of the untrained network's spread (here about 0.22 of 0.25, rank 4.9 of 6.0).
        let initialFeatures = try DINOModel(backbone: try trainerTinyModel(), head: teacher.head)
            .features(Variable(view), in: ForwardPass()).classToken.value
        let initialSpread = try trainerSpread(initialFeatures)
        #expect(spread.std > 0.5 * initialSpread.std, "std \(spread.std) of \(initialSpread.std)")
        #expect(spread.effectiveRank > 3, "effective rank \(spread.effectiveRank)")
        // The student trained in place is the model passed in; the teacher is an average, not a copy.
        #expect(result.student!.backbone === model)
        let studentValues = model.blocks[0].attention.qkv.weight.value.scalars(as: Float.self)
        let teacherValues = teacher.backbone.blocks[0].attention.qkv.weight.value.scalars(as: Float.self)
        let initial = try trainerTinyModel().blocks[0].attention.qkv.weight.value.scalars(as: Float.self)
        #expect(studentValues != teacherValues && studentValues != initial && teacherValues != initial)
    }

    @Test func resumingFromACheckpointIsBitIdenticalToAnUninterruptedRun() throws {
        let data = try SyntheticShapes.generate(count: 24, size: 16, classes: 4, seed: 2)
        let configuration = try trainerTinyDINO(ibot: IBOTConfiguration(prototypes: 32))
        let straightFolder = try trainerFolder(), resumedFolder = try trainerFolder()
        defer {
            try? FileManager.default.removeItem(atPath: straightFolder)
            try? FileManager.default.removeItem(atPath: resumedFolder)
        }
        func run(_ model: VisionTransformer, folder: String) throws -> TrainingResult {
            try train(model, data: data.images, objective: .dino(configuration), steps: 6, batch: 6,
                      learningRate: StepSchedule(base: 1e-3, final: 1e-4, warmupSteps: 2), checkpoints: [3, 6],
                      directory: folder, seed: 9)
        }
        let straightModel = try trainerTinyModel()
        let straight = try run(straightModel, folder: straightFolder)
        #expect(straight.resumedFrom == nil && straight.checkpoints.count == 2)

        // The process "died" after the checkpoint of step 3: only that file is left.
        let name = "checkpoint-00000003.safetensors"
        try FileManager.default.copyItem(atPath: straightFolder + "/" + name, toPath: resumedFolder + "/" + name)
        let freshModel = try trainerTinyModel(seed: 999)
        let resumed = try run(freshModel, folder: resumedFolder)
        #expect(resumed.resumedFrom == resumedFolder + "/" + name)
        #expect(resumed.checkpoints == [resumedFolder + "/checkpoint-00000006.safetensors"])
        #expect(resumed.losses == straight.losses)
        for (a, b) in [(resumed.student!, straight.student!), (resumed.teacher!, straight.teacher!)] {
            #expect(a.state.map(\.name) == b.state.map(\.name))
            for (x, y) in zip(a.state, b.state) {
                #expect(x.value.scalars(as: Float.self) == y.value.scalars(as: Float.self), "\(x.name)")
            }
        }
        // The final checkpoints are the same bytes (tensors, centres, optimiser moments, JSON state).
        let first = try Data(contentsOf: URL(fileURLWithPath: straightFolder + "/checkpoint-00000006.safetensors"))
        let second = try Data(contentsOf: URL(fileURLWithPath: resumedFolder + "/checkpoint-00000006.safetensors"))
        #expect(first == second)
        // Only checkpoints are in the folder: no temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: straightFolder).sorted()
            == ["checkpoint-00000003.safetensors", "checkpoint-00000006.safetensors"])

        // Everything is done: a third call resumes from step 6 and takes no step.
        let done = try run(try trainerTinyModel(seed: 5), folder: resumedFolder)
        #expect(done.losses == straight.losses && done.checkpoints.isEmpty)
    }

    @Test func aNonFiniteLossStopsWithTheStepAndTheLastGoodCheckpoint() throws {
        let data = try SyntheticShapes.generate(count: 16, size: 16, classes: 4, seed: 3)
        let folder = try trainerFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A learning rate of 1e30 throws the weights to float32's limits after the first step.
        let message = dinoErrorText {
            try train(try trainerTinyModel(), data: data.images, objective: .dino(try trainerTinyDINO()), steps: 4,
                      batch: 4, learningRate: .constant(1e30), clipping: .none, checkpoints: [1, 2, 3, 4],
                      directory: folder, seed: 1)
        }
        #expect(message.hasPrefix("train: the loss is "))
        #expect(message.hasSuffix(" at step 2 of 4; training stopped and the last good checkpoint is "
                                  + folder + "/checkpoint-00000001.safetensors"), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["checkpoint-00000001.safetensors"])

        let early = dinoErrorText {
            var images = data.images.astype(.float32).scalars(as: Float.self)
            images[0] = .nan
            try train(try trainerTinyModel(), data: try Tensor(shape: [1, 3, 16, 16], scalars: Array(images.prefix(768))),
                      objective: .dino(try trainerTinyDINO()), steps: 2, batch: 1, seed: 1)
        }
        #expect(early == "train: the loss is NaN at step 1 of 2; training stopped and no checkpoint was saved before it")
    }

    @Test func supervisedTrainingLowersTheLoss() throws {
        let data = try SyntheticShapes.generate(count: 16, size: 16, classes: 4, seed: 4)
        let model = try trainerTinyModel()
        let result = try train(model, data: data.images, objective: .supervised(labels: data.labels, classes: 4,
                                                                                augments: false),
                               steps: 40, batch: 16, learningRate: .constant(5e-3), weightDecay: .constant(0),
                               clipping: .globalNorm(1), seed: 2)
        let first = result.losses.prefix(5).reduce(0, +) / 5, last = result.losses.suffix(5).reduce(0, +) / 5
        #expect(first > last + 0.1, "first \(first), last \(last)")
        #expect(result.classifier!.head.outputs == 4 && result.teacher == nil)
    }

    @Test func checkpointsOfAnotherRunAreRefused() throws {
        let data = try SyntheticShapes.generate(count: 8, size: 16, classes: 4, seed: 5)
        let folder = try trainerFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let objective = TrainingObjective.supervised(labels: data.labels, classes: 4)
        try train(try trainerTinyModel(), data: data.images, objective: objective, steps: 2, batch: 4,
                  checkpoints: [2], directory: folder, seed: 1)
        let model = try trainerTinyModel()
        let before = model.state.map { $0.value.scalars(as: Float.self) }
        let message = dinoErrorText {
            try train(model, data: data.images, objective: objective, steps: 2, batch: 4, checkpoints: [2],
                      directory: folder, seed: 2)
        }
        #expect(message == "train: \(folder)/checkpoint-00000002.safetensors is a checkpoint of another run (seed 1 vs "
                + "2): use another directory or the same settings")
        #expect(model.state.map { $0.value.scalars(as: Float.self) } == before)
    }

    @Test func badSettingsAreNamed() throws {
        let data = try SyntheticShapes.generate(count: 4, size: 16, classes: 4, seed: 6)
        let model = try trainerTinyModel()
        #expect(dinoErrorText {
            try train(model, data: data.images, objective: .dino(try trainerTinyDINO()), steps: 3, batch: 2,
                      checkpoints: [4], directory: "/tmp")
        } == "train: checkpoint step 4 is outside 1…3")
        #expect(dinoErrorText {
            try train(model, data: data.images, objective: .dino(try trainerTinyDINO()), steps: 3, batch: 2,
                      checkpoints: [2])
        } == "train: checkpoints [2] need a directory to be written to")
        #expect(dinoErrorText {
            try train(model, data: data.images, objective: .supervised(labels: data.labels, classes: 3), steps: 3,
                      batch: 2)
        } == "train: label 3 is outside 0..<3")
        #expect(dinoErrorText {
            try train(model, data: data.images.reshaped([4, 3, 256]), objective: .dino(try trainerTinyDINO()),
                      steps: 3, batch: 2)
        } == "train: images of shape [4, 3, 256] and dtype float32 are not a non-empty float [N, channels, height, "
            + "width]")
        #expect(dinoErrorText {
            try train(model, data: try Tensor.zeros([4, 3, 12, 12], dtype: .float32),
                      objective: .supervised(labels: data.labels, classes: 4, augments: false), steps: 1, batch: 2)
        } == "VisionTransformer: images of shape [2, 3, 12, 12] are not 16×16: expected [n, 3, 16, 16]")
    }
}
