import Autodiff
import Tensors

/// DINO's self-distillation objective on each image, for `ReadingLoss.dino`: the model whose gradients are read
/// takes the student backbone's place; its final class token goes through the student's projection head, and the
/// target is a frozen teacher's centred, sharpened distribution on the same image:
///
///     loss[i] = −Σ_k softmax((t(xᵢ) − c) / τt)_k · log_softmax(s(xᵢ) / τs)_k
///
/// with s(xᵢ) = `studentHead`(class token of the model's final output for xᵢ), t(xᵢ) = `teacher` (backbone and
/// head) on xᵢ, c the centre `loss.center` `[1, K]`, τs `loss.studentTemperature`, τt `teacherTemperature`. No
/// augmentation: student and teacher see the images as given. This is DINO's loss for one (teacher view, student
/// view) pair when both views are the image itself; the teacher's targets always use the centre c, even for a run
/// trained with Sinkhorn–Knopp centring, whose batch normalisation would make image i's target depend on the other
/// images of its batch (training keeps c up to date in both cases).
///
/// Only the model is differentiated: the head's and the teacher's parameters are constants, the teacher gets no
/// gradient at all. `init(checkpoint:backbone:teacherTemperature:)` reads all of it from a DINO training
/// checkpoint.
public struct DINOReadingObjective {
    /// The student's projection head: class features `[b, width]` → logits `[b, K]`.
    public let studentHead: DINOHead
    /// The teacher network (backbone and head), run without gradients in evaluation mode.
    public let teacher: DINOModel
    /// The centre c and the student temperature τs.
    public let loss: DINOLoss
    /// τt.
    public let teacherTemperature: Double

    /// Puts the head and the teacher in evaluation mode (the teacher's targets must not be stochastic).
    /// Throws `shapeMismatch` when the student head, the teacher head and the loss do not share the prototype count
    /// K, or the student head does not take the teacher backbone's width; `invalidArgument` for a teacher
    /// temperature that is not positive and finite.
    public init(studentHead: DINOHead, teacher: DINOModel, loss: DINOLoss, teacherTemperature: Double) throws {
        let operation = "gradients"
        guard teacherTemperature > 0, teacherTemperature.isFinite else {
            throw TensorError(.invalidArgument, operation, "the teacher temperature must be positive, got "
                              + "\(teacherTemperature)")
        }
        guard studentHead.prototypes == loss.prototypes, teacher.head.prototypes == loss.prototypes else {
            throw TensorError(.shapeMismatch, operation, "the DINO loss needs one prototype count: student head "
                              + "\(studentHead.prototypes), teacher head \(teacher.head.prototypes), centre "
                              + "\(loss.prototypes)")
        }
        guard studentHead.inputs == teacher.backbone.width else {
            throw TensorError(.shapeMismatch, operation, "the student head takes features of width "
                              + "\(studentHead.inputs), the teacher backbone gives \(teacher.backbone.width)")
        }
        studentHead.setTraining(false)
        teacher.setTraining(false)
        (self.studentHead, self.teacher, self.loss, self.teacherTemperature) =
            (studentHead, teacher, loss, teacherTemperature)
    }

    /// The teacher's targets softmax((t(x) − c) / τt) `[b, K]` for `images` `[b, c, h, w]` (no gradient).
    /// Throws what the teacher and the loss throw.
    public func targets(_ images: Tensor) throws -> Tensor {
        try teacher.teacherProbabilities(images, loss: loss, temperature: teacherTemperature)
    }

    /// The losses `[b]` of a batch from the model's class features `[b, width]` (recorded in `pass`, so gradients
    /// flow back to the model's layers) and the batch's images `[b, c, h, w]` (for the teacher).
    /// Throws `shapeMismatch` when the features are not `[b, width]` for the head, and what the teacher throws.
    func losses(classFeatures: Variable, images: Tensor, in pass: ForwardPass) throws -> Variable {
        guard classFeatures.rank == 2, classFeatures.shape[1] == studentHead.inputs,
              classFeatures.shape[0] == images.shape[0] else {
            throw TensorError(.shapeMismatch, "gradients", "the model's class features of shape "
                              + "\(formatShape(classFeatures.shape)) do not fit the DINO student head: expected "
                              + "[\(images.shape[0]), \(studentHead.inputs)]")
        }
        return try perImageLoss(studentClassFeatures: classFeatures, head: studentHead,
                                teacherProbabilities: targets(images), loss: loss, in: pass)
    }
}
