import Autodiff
import Datasets
import Foundation
import Networks
import Tensors
import Testing

/// `DINOReadingObjective(checkpoint:backbone:)`: the student head, EMA teacher, centre and temperatures of a real
/// DINO training checkpoint, and the errors for files that are not one or do not fit the model.
@Suite struct ReadingDINOCheckpointTests {
    /// A tiny ViT trained 3 DINO steps with a checkpoint after step 3 (τt warming 0.04 → 0.07 over 10 steps).
    static func trainedRun(centering: DINOLoss.Centering = .movingAverage, depth: Int = 2)
        throws -> (model: VisionTransformer, result: TrainingResult, path: String, images: Tensor) {
        let model = try VisionTransformer(imageSize: 8, patchSize: 4, width: 16, depth: depth, heads: 2,
                                          layerScale: nil, seed: 2)
        let augmentation = try DINOAugmentation(globalSize: 8, localSize: 4, localCrops: 1, blurSigma: 0.1...1,
                                                normalization: ([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]))
        var configuration = DINOConfiguration(augmentation: augmentation, prototypes: 16, headHidden: 20,
                                              headBottleneck: 8,
                                              teacherTemperature: try TeacherTemperatureSchedule(warmupSteps: 10),
                                              teacherMomentum: 0.9)
        configuration.centering = centering
        let images = try Tensor.randomUniform([6, 3, 8, 8], low: 0, high: 1, seed: 4).astype(.float32)
        let folder = try trainerFolder()
        let result = try train(model, data: images, objective: .dino(configuration), steps: 3, batch: 4,
                               learningRate: .constant(1e-3), checkpoints: [3], directory: folder, seed: 1)
        return (model, result, folder + "/checkpoint-00000003.safetensors", images)
    }

    static func largestDifference(_ a: any Module, _ b: any Module) throws -> Double {
        let other = Dictionary(uniqueKeysWithValues: b.state.map { ($0.name, $0.value) })
        #expect(Set(other.keys) == Set(a.state.map(\.name)))
        return try a.state.map { name, value in
            try (value.astype(.float64) - other[name]!.astype(.float64)).abs().max().item() as Double
        }.max() ?? 0
    }

    /// The objective holds the run's student head, teacher and centre bit for bit, τs 0.1 and τt of the last
    /// step (0.04 + 2 · 0.03/9); the gradients' losses are the run's student on each image against its teacher.
    @Test(arguments: [DINOLoss.Centering.movingAverage, .sinkhornKnopp(iterations: 3)])
    func checkpointGivesTheRunsHeadTeacherAndCentre(_ centering: DINOLoss.Centering) throws {
        let (model, result, path, images) = try Self.trainedRun(centering: centering)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let student = try #require(result.student), teacher = try #require(result.teacher)
        let objective = try DINOReadingObjective(checkpoint: path, backbone: model)
        #expect(try Self.largestDifference(objective.teacher, teacher) == 0)
        #expect(try Self.largestDifference(objective.studentHead, student.head) == 0)
        // The teacher moved away from its initial copy of the student, so the two are not interchangeable.
        #expect(try Self.largestDifference(objective.teacher.backbone, model) > 0)
        let center = try Safetensors.load(path).tensor("model.dino_loss.center")
        #expect(try (objective.loss.center.value - center).abs().max().item() == 0)
        #expect(try center.abs().max().item() as Double > 0)
        #expect(objective.loss.studentTemperature == 0.1)
        #expect(Swift.abs(objective.teacherTemperature - (0.04 + 2 * 0.03 / 9)) < 1e-15)
        #expect(try DINOReadingObjective(checkpoint: path, backbone: model, teacherTemperature: 0.06)
            .teacherTemperature == 0.06)

        let gradients = try model.gradients(images, loss: .dino(objective), layers: ["norm", "blocks.0"], batchSize: 4)
        let expected = try perImageLoss(student: student, teacher: teacher, images: Variable(images),
                                        loss: objective.loss, teacherTemperature: objective.teacherTemperature,
                                        in: ForwardPass(recordsGradients: false))
        #expect(try Reading.difference(gradients.losses, expected.value) < 1e-6)
        #expect(gradients.completionOrder == ["norm", "blocks.0"])
        #expect(try gradients.layers["blocks.0"]!.abs().max().item() as Double > 0)
    }

    @Test func filesThatAreNotDINOCheckpointsAreRefused() throws {
        let (model, _, path, images) = try Self.trainedRun()
        let folder = (path as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(Reading.message {
            try DINOReadingObjective(checkpoint: folder + "/missing.safetensors", backbone: model)
        } == "gradients: \(folder)/missing.safetensors: no such DINO training checkpoint")

        let weights = folder + "/weights.safetensors"
        try Safetensors.save(weights, model.state.map { ($0.name, $0.value) })
        #expect(Reading.message { try DINOReadingObjective(checkpoint: weights, backbone: model) }
            == "gradients: \(weights): not a DINO training checkpoint: it holds no training state (metadata "
            + "\"bm.checkpoint\"): a model's weights, not a training checkpoint")

        let supervisedFolder = folder + "/supervised"
        try train(try VisionTransformer(imageSize: 8, patchSize: 4, width: 16, depth: 2, heads: 2), data: images,
                  objective: .supervised(labels: Tensor([Int64(0), 1, 0, 1, 0, 1]), classes: 2, augments: false),
                  steps: 1, batch: 2, checkpoints: [1], directory: supervisedFolder)
        let supervised = supervisedFolder + "/checkpoint-00000001.safetensors"
        #expect(Reading.message { try DINOReadingObjective(checkpoint: supervised, backbone: model) }
            == "gradients: \(supervised): not a DINO training checkpoint: it was written by training with "
            + "objective \"supervised 2 classes augments false\"")
    }

    /// A model of another architecture: every tensor of the checkpoint's backbone that does not fit is named.
    @Test func checkpointsOfAnotherArchitectureListTheMismatches() throws {
        let (_, _, path, _) = try Self.trainedRun(depth: 2)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let shallow = try VisionTransformer(imageSize: 8, patchSize: 4, width: 16, depth: 1, heads: 2, layerScale: nil)
        let message = try #require(Reading.message { try DINOReadingObjective(checkpoint: path, backbone: shallow) })
        #expect(message.hasPrefix("gradients: \(path): the checkpoint's student backbone does not fit this model: "
                                  + "unexpected tensors \"blocks.1.attn.proj.bias\", \"blocks.1.attn.proj.weight\""))
        let wide = try VisionTransformer(imageSize: 8, patchSize: 4, width: 24, depth: 2, heads: 2, layerScale: nil)
        let wideMessage = try #require(Reading.message { try DINOReadingObjective(checkpoint: path, backbone: wide) })
        #expect(wideMessage.contains("\"cls_token\" has shape [1, 1, 16], expected [1, 1, 24]"), "\(wideMessage)")
    }
}
