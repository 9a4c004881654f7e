import Autodiff
import Foundation
import Tensors

/// A vision transformer with a linear classifier on its CLS feature: "backbone.…", "head.weight", "head.bias".
public final class SupervisedModel: Module {
    public let backbone: VisionTransformer
    public let head: Linear
    public var isTraining = true

    public init(backbone: VisionTransformer, head: Linear) {
        self.backbone = backbone
        self.head = head
    }

    public var children: [(name: String, module: any Module)] { [("backbone", backbone), ("head", head)] }

    /// Class logits `[n, classes]` of `images` `[n, c, imageSize, imageSize]`.
    /// Throws what the backbone throws.
    public func callAsFunction(_ images: Variable, in pass: ForwardPass) throws -> Variable {
        try head(backbone(images, in: pass).selecting(0, axis: 1), in: pass)
    }
}

/// Everything a checkpoint holds besides the optimiser: the student (or classifier), the teacher and the centres,
/// under "student.…", "teacher.…", "dino_loss.center", "ibot_loss.center" (or "classifier.…").
final class TrainingState: Module {
    var student: DINOModel?
    var teacher: DINOModel?
    var dinoLoss: DINOLoss?
    var patchLoss: IBOTPatchLoss?
    var classifier: SupervisedModel?
    var isTraining = true

    init(dino model: VisionTransformer, configuration: DINOConfiguration, seed: UInt64) throws {
        let dtype = model.patchEmbedding.weight.value.dtype
        let head = try DINOHead(inputs: model.width, prototypes: configuration.prototypes,
                                hidden: configuration.headHidden, bottleneck: configuration.headBottleneck,
                                layers: configuration.headLayers, dtype: dtype, seed: Seeds.mix(seed, 0x6865_6164))
        let patchHead = try configuration.ibot.map {
            try DINOHead(inputs: model.width, prototypes: $0.prototypes, hidden: configuration.headHidden,
                         bottleneck: configuration.headBottleneck, layers: configuration.headLayers, dtype: dtype,
                         seed: Seeds.mix(seed, 0x6962_6f74))
        }
        let student = DINOModel(backbone: model, head: head, patchHead: patchHead)
        student.setTraining(true)
        self.student = student
        teacher = try student.replica()
        dinoLoss = try DINOLoss(prototypes: configuration.prototypes,
                                studentTemperature: configuration.studentTemperature,
                                centerMomentum: configuration.centerMomentum, centering: configuration.centering)
        patchLoss = try configuration.ibot.map {
            try IBOTPatchLoss(prototypes: $0.prototypes, studentTemperature: configuration.studentTemperature,
                              centerMomentum: configuration.centerMomentum)
        }
    }

    init(supervised model: VisionTransformer, classes: Int, seed: UInt64) throws {
        guard classes > 0 else { throw TrainingError("the class count must be positive, got \(classes)") }
        let head = try Linear(inputs: model.width, outputs: classes, dtype: model.patchEmbedding.weight.value.dtype,
                              seed: Seeds.mix(seed, 0x6865_6164))
        classifier = SupervisedModel(backbone: model, head: head)
        classifier!.setTraining(true)
    }

    var children: [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = []
        if let student { result.append(("student", student)) }
        if let teacher { result.append(("teacher", teacher)) }
        if let dinoLoss { result.append(("dino_loss", dinoLoss)) }
        if let patchLoss { result.append(("ibot_loss", patchLoss)) }
        if let classifier { result.append(("classifier", classifier)) }
        return result
    }
}

extension Trainer {
    /// One DINO (+ iBOT) step; returns the loss.
    func dinoStep(_ step: Int, configuration: DINOConfiguration, seed stepSeed: UInt64) throws -> Double {
        let student = state.student!, teacher = state.teacher!, dinoLoss = state.dinoLoss!
        let batchImages = try images.take(batchIndices(step: step), axis: 0)
        var generator = RandomGenerator(seed: Seeds.mix(stepSeed, 1))
        let (globals, locals) = try configuration.augmentation(batchImages, generator: &generator)
        let globalBatch = try Tensor.concatenate(globals, axis: 0)
        let temperature = try configuration.teacherTemperature.value(at: step)

        // The teacher sees the two global views, unmasked, without gradients.
        let teacherPass = ForwardPass(recordsGradients: false)
        let teacherFeatures = try teacher.features(Variable(globalBatch), in: teacherPass)
        let teacherOutput = try teacher.head(teacherFeatures.classToken, in: teacherPass).value

        let pass = ForwardPass(recordsGradients: true, seed: Seeds.mix(stepSeed, 2))
        var masks: Tensor?
        if let ibot = configuration.ibot {
            masks = try randomPatchMasks(images: globalBatch.shape[0], patches: teacherFeatures.patchTokens.shape[1],
                                         probability: ibot.maskProbability, ratio: ibot.maskRatio,
                                         generator: &generator)
        }
        let studentGlobal = try student.features(Variable(globalBatch), in: pass, masks: masks)
        var classTokens = [studentGlobal.classToken]
        if !locals.isEmpty {
            classTokens.append(try student.features(Variable(Tensor.concatenate(locals, axis: 0)), in: pass).classToken)
        }
        let studentOutput = try student.head(Variable.concatenate(classTokens, axis: 0), in: pass)
        var loss = try dinoLoss(studentOutput: studentOutput, teacherOutput: teacherOutput,
                                studentViews: 2 + locals.count, teacherTemperature: temperature)
        if configuration.koLeoWeight != 0 && batchImages.shape[0] >= 2 {
            // DINOv2: one KoLeo term per global view, over that view's images (a single image has no neighbour).
            for view in try studentGlobal.classToken.split(sections: 2, axis: 0) {
                loss = try loss + koLeoLoss(view) * configuration.koLeoWeight
            }
        }
        var teacherPatchOutput: Tensor?
        if let ibot = configuration.ibot, let masks, let patchLoss = state.patchLoss,
           let studentPatchHead = student.patchHead, let teacherPatchHead = teacher.patchHead {
            let flags = masks.scalars(as: Bool.self)
            let selected = flags.indices.filter { flags[$0] }.map { Int64($0) }
            let width = student.backbone.width
            let index = try Tensor(shape: [selected.count], scalars: selected)
            let teacherPatches = try teacherFeatures.patchTokens.value.reshaped([-1, width]).take(index, axis: 0)
            let output = try teacherPatchHead(Variable(teacherPatches), in: teacherPass).value
            let studentPatches = try studentGlobal.patchTokens.reshaped([flags.count, width]).take(index, axis: 0)
            let patchTerm = try patchLoss(studentPatchOutput: studentPatchHead(studentPatches, in: pass),
                                          teacherPatchOutput: output, masks: masks, teacherTemperature: temperature)
            loss = try loss + patchTerm * ibot.weight
            teacherPatchOutput = output
        }
        let value = try loss.value.astype(.float64).item() as Double
        try checkFinite(value, step: step)

        var gradients = try clipped(pass.gradients(of: loss, for: student))
        let frozen = step < configuration.freezeLastLayerSteps
        var frozenValues: [(Parameter, Tensor)] = []
        if frozen {
            // DINO's cancel_gradients_last_layer: the prototypes do not move in the first steps.
            gradients = try gradients.map { entry in
                entry.name.hasPrefix("head.last_layer.")
                    ? (entry.name, try Tensor.zeros(entry.gradient.shape, dtype: entry.gradient.dtype)) : entry
            }
            frozenValues = student.head.lastLayer.namedParameters.map { ($0.parameter, $0.parameter.value) }
        }
        try optimizer.step(gradients)
        for (parameter, value) in frozenValues { parameter.value = value }
        try updateTeacher(teacher, from: student, momentum: teacherMomentum!.value(at: step))
        try dinoLoss.updateCenter(teacherOutput)
        if let teacherPatchOutput { try state.patchLoss?.updateCenter(teacherPatchOutput) }
        return value
    }

    /// One supervised step; returns the loss.
    func supervisedStep(_ step: Int, labels: Tensor, augments: Bool, seed stepSeed: UInt64) throws -> Double {
        let classifier = state.classifier!
        let indices = try batchIndices(step: step)
        var batchImages = try images.take(indices, axis: 0)
        if augments {
            var generator = RandomGenerator(seed: Seeds.mix(stepSeed, 1))
            let size = classifier.backbone.imageSize
            batchImages = try ImageAugmentation.randomResizedCrop(batchImages, size: (size, size), scale: 0.35...1,
                                                                  generator: &generator)
            batchImages = try ImageAugmentation.randomHorizontalFlip(batchImages, generator: &generator)
        }
        let pass = ForwardPass(recordsGradients: true, seed: Seeds.mix(stepSeed, 2))
        let logits = try classifier(Variable(batchImages), in: pass)
        let loss = try Losses.crossEntropy(logits: logits, labels: labels.take(indices, axis: 0))
        let value = try loss.value.astype(.float64).item() as Double
        try checkFinite(value, step: step)
        try optimizer.step(clipped(pass.gradients(of: loss, for: classifier)))
        return value
    }
}
