import Autodiff
import Datasets
import Foundation
import Networks
import Tensors
import Testing

/// `gradients(_:loss: .dino(…))`: the gradients of DINO's own per-image loss against a frozen teacher, checked
/// against independent backward passes on one image at a time, central finite differences in float64, and the
/// student, teacher and centre of a real training checkpoint.
@Suite struct ReadingDINOGradientTests {
    /// A student backbone (`Reading.model`, width 16, one register) and an objective whose student head, teacher
    /// (another backbone and head) and centre are all different random values, τt 0.05.
    static func setUp(dtype: DType) throws -> (model: VisionTransformer, objective: DINOReadingObjective) {
        let model = try Reading.model(registers: 1, dtype: dtype)
        let head = try DINOHead(inputs: 16, prototypes: 12, hidden: 20, bottleneck: 8, dtype: dtype, seed: 5)
        let teacher = DINOModel(backbone: try Reading.model(registers: 1, dtype: dtype, seed: 9),
                                head: try DINOHead(inputs: 16, prototypes: 12, hidden: 20, bottleneck: 8,
                                                   dtype: dtype, seed: 6))
        let loss = try DINOLoss(prototypes: 12, studentTemperature: 0.1, dtype: dtype)
        loss.center.value = try Tensor.randomNormal([1, 12], std: 0.3, seed: 7).astype(dtype)
        return (model, try DINOReadingObjective(studentHead: head, teacher: teacher, loss: loss,
                                                teacherTemperature: 0.05))
    }

    /// Each image's row equals (a) `gradients` called on that image alone and (b) a backward pass of the existing
    /// `perImageLoss(student:teacher:…)` (the student as a `DINOModel`) on that image alone, pooled by loops.
    @Test(arguments: [DType.float32, .float64])
    func batchedGradientsEqualSingleImageGradients(_ dtype: DType) throws {
        let (model, objective) = try Self.setUp(dtype: dtype)
        let images = try Reading.images(5, seed: 4, dtype: dtype)
        let result = try model.gradients(images, loss: .dino(objective), pool: .cls, batchSize: 3)
        // Differences relative to the row's largest gradient: batches of another size round differently, so
        // float32 agrees to its precision and float64 shows the agreement is exact up to rounding.
        let tolerance = dtype == .float64 ? 1e-12 : 1e-5
        func difference(_ a: Tensor, _ b: Tensor) throws -> Double {
            #expect(a.shape == b.shape)
            let scale = Swift.max(1, try b.abs().max().item())
            return try (a.astype(.float64) - b.astype(.float64)).abs().max().item() / scale
        }
        #expect(result.losses.shape == [5])
        #expect(result.layers.names == model.layerNames)
        let student = DINOModel(backbone: model, head: objective.studentHead)
        model.setTraining(false)
        defer { model.setTraining(true) }
        for image in 0..<5 {
            let single = try images.sliced(axis: 0, image..<(image + 1))
            let alone = try model.gradients(single, loss: .dino(objective), pool: .cls)
            let pass = ForwardPass()
            pass.everyLayerHook = { _, value in value.requiringGradient() }
            let loss = try perImageLoss(student: student, teacher: objective.teacher, images: Variable(single),
                                        loss: objective.loss, teacherTemperature: 0.05, in: pass)
            #expect(Swift.abs(try loss.value.astype(.float64).item() - Reading.element(result.losses, [image]))
                    < tolerance)
            let gradients = try Variable.gradients(of: loss.sum(), with: model.layerNames.map { pass.activation($0)! })
            for (name, gradient) in zip(model.layerNames, gradients) {
                let isEmbedding = name == "patch_embed"
                let expected = try Reading.naivePool(gradient, pool: .cls, classToken: isEmbedding ? nil : 0,
                                                     patches: isEmbedding ? 0..<4 : 2..<6)
                let row = try result.layers[name]!.sliced(axis: 0, image..<(image + 1))
                #expect(try expected.abs().max().astype(.float64).item() > 0, "\(name) gradient is zero")
                let viaDINOModel = try difference(row, expected)
                let viaAlone = try difference(row, alone.layers[name]!)
                #expect(viaDINOModel < tolerance, "image \(image) \(name): \(viaDINOModel)")
                #expect(viaAlone < tolerance, "image \(image) \(name) alone: \(viaAlone)")
            }
        }
    }

    /// Central differences in float64: perturbing one element of a layer's output (through a replacing hook)
    /// changes the summed DINO loss by that image's gradient, for every element checked and every batch size.
    @Test(arguments: ["blocks.0", "norm"])
    func gradientMatchesFiniteDifferences(_ layer: String) throws {
        let (model, objective) = try Self.setUp(dtype: .float64)
        let images = try Reading.images(3, seed: 8, dtype: .float64)
        let gradient = try model.gradients(images, loss: .dino(objective), layers: [layer], pool: .none)
            .layers[layer]!
        #expect(gradient.shape == [3, 6, 16])
        let twoPerBatch = try model.gradients(images, loss: .dino(objective), layers: [layer], pool: .none,
                                              batchSize: 2)
        #expect(try Reading.difference(twoPerBatch.layers[layer]!, gradient) < 1e-12)
        let targets = try objective.targets(images)
        func summedLoss(shift: Double, at index: [Int]) throws -> Double {
            let pass = ForwardPass()
            pass.hooks[layer] = { _, value in
                Variable(try replacing(value.value.contiguous(), at: (index[0] * 6 + index[1]) * 16 + index[2],
                                       with: Reading.element(value.value, index) + shift))
            }
            let output = try model.withEvaluationMode { try model(images, in: pass) }
            try pass.checkHooks()
            return try perImageLoss(studentClassFeatures: output.selecting(0, axis: 1), head: objective.studentHead,
                                    teacherProbabilities: targets, loss: objective.loss, in: pass).sum().value.item()
        }
        let step = 1e-5
        for index in [[0, 0, 3], [1, 2, 0], [2, 5, 15], [2, 1, 7], [0, 0, 11]] {
            let numeric = (try summedLoss(shift: step, at: index) - summedLoss(shift: -step, at: index)) / (2 * step)
            let analytic = try Reading.element(gradient, index)
            #expect(Swift.abs(numeric - analytic) <= 1e-6 * Swift.max(1, Swift.abs(numeric)),
                    "\(layer) \(index): numeric \(numeric), analytic \(analytic)")
        }
        // The class token carries the whole loss at the final layer; elsewhere the patches get gradients too.
        let patchGradient = try gradient.sliced(axis: 1, 2..<6).abs().max().item() as Double
        #expect(layer == "norm" ? patchGradient == 0 : patchGradient > 0)
    }

    /// The backward pass still completes the last layer first, whatever order the layers were asked in.
    @Test func completionOrderIsReported() throws {
        let (model, objective) = try Self.setUp(dtype: .float32)
        let result = try model.gradients(try Reading.images(2), loss: .dino(objective),
                                         layers: ["blocks.1", "patch_embed", "norm", "blocks.0"])
        #expect(result.completionOrder == ["norm", "blocks.1", "blocks.0", "patch_embed"])
        #expect(result.layers.names == ["blocks.1", "patch_embed", "norm", "blocks.0"])
    }

    @Test func objectivesThatDoNotFitNameWhatIsWrong() throws {
        let objective = try Self.setUp(dtype: .float32).objective
        #expect(Reading.message {
            try DINOReadingObjective(studentHead: objective.studentHead, teacher: objective.teacher,
                                     loss: try DINOLoss(prototypes: 10), teacherTemperature: 0.04)
        } == "gradients: the DINO loss needs one prototype count: student head 12, teacher head 12, centre 10")
        #expect(Reading.message {
            try DINOReadingObjective(studentHead: try DINOHead(inputs: 8, prototypes: 12, hidden: 4, bottleneck: 4),
                                     teacher: objective.teacher, loss: objective.loss, teacherTemperature: 0.04)
        } == "gradients: the student head takes features of width 8, the teacher backbone gives 16")
        #expect(Reading.message {
            try DINOReadingObjective(studentHead: objective.studentHead, teacher: objective.teacher,
                                     loss: objective.loss, teacherTemperature: 0)
        } == "gradients: the teacher temperature must be positive, got 0.0")
        let wide = try VisionTransformer(imageSize: 8, patchSize: 4, width: 24, depth: 1, heads: 2)
        #expect(Reading.message {
            try wide.gradients(try Reading.images(2), loss: .dino(objective))
        } == "gradients: the model's class features of shape [2, 24] do not fit the DINO student head: expected "
            + "[2, 16]")
    }
}
