import Language
import Networks

/// `model.gradients(images, loss="dino", checkpoint=path, teacher_temperature=nil)`: the gradients of the model's
/// own self-supervised objective, DINO's loss against the teacher of a training checkpoint (`train(…,
/// checkpoints=[…], directory=…)` writes them). The engine's `DINOReadingObjective` reads the checkpoint and
/// states the formula; this file converts the arguments and owns their messages.
enum DINOGradientLoss {
    static let name = "dino"

    /// The paragraph of `help(model.gradients)` on this loss.
    static let help = "loss=\"dino\": the model's own self-supervised loss, DINO's, with the student head, EMA "
        + "teacher (backbone and head), centre c and student temperature τs of checkpoint= a DINO training "
        + "checkpoint (written by train(…, checkpoints=[…], directory=…)); the model takes the student backbone's "
        + "place (the trained objective itself when it is that checkpoint's student, as the model train trained is "
        + "after its last step): loss[i] = −Σ_k softmax((t(x_i) − c)/τt)_k · log_softmax(s(x_i)/τs)_k, s = student "
        + "head(class token of the model's final output), t = teacher, both on the image as given (no "
        + "augmentation); c is used even for centering=\"sinkhorn\" runs (Sinkhorn–Knopp would mix the images of "
        + "a batch). teacher_temperature= τt, by default the one the run's schedule gave the checkpoint's last step "
        + "(0.04 warming to 0.07). Only the model is differentiated; the teacher gets no gradient."

    /// The DINO loss of `checkpoint=` for `object`. Throws `LanguageError` without a checkpoint, for a model that
    /// is not a vit or when labels= or head= are given; the engine's errors for a missing file, a file that is not a
    /// DINO training checkpoint, one that does not fit the model (every mismatch named) and a teacher temperature
    /// that is not positive.
    static func loss(_ object: ModelObject, arguments: Arguments, operation: String) throws -> ReadingLoss {
        for (index, keyword) in [(2, "labels"), (3, "head")] {
            if let value = arguments.optional(index, keyword), !value.isNil {
                throw LanguageError("\(operation): \(keyword)= belongs to loss=\"cross_entropy\"; loss=\"dino\" "
                                    + "takes its head and targets from checkpoint=")
            }
        }
        guard let path = try arguments.optionalString(9, "checkpoint") else {
            throw LanguageError("\(operation): loss=\"dino\" needs checkpoint= a DINO training checkpoint (train("
                                + "model, images, checkpoints=[…], directory=…) writes them), whose student head, "
                                + "teacher and centre give each image's loss")
        }
        guard let network = object.visionTransformer else {
            throw LanguageError("\(operation): loss=\"dino\" needs a vit model, got a \(object.configuration.kind)")
        }
        let temperature = try arguments.optionalNumber(10, "teacher_temperature")
        return .dino(try DINOReadingObjective(checkpoint: path, backbone: network, teacherTemperature: temperature))
    }

    /// Throws when checkpoint= or teacher_temperature= comes with a loss other than "dino" (they would be ignored).
    static func checkUnused(_ arguments: Arguments, loss: Value, operation: String) throws {
        if case .string(name) = loss { return }
        for (index, keyword) in [(9, "checkpoint"), (10, "teacher_temperature")] {
            if let value = arguments.optional(index, keyword), !value.isNil {
                throw LanguageError("\(operation): \(keyword)= is only used by loss=\"dino\"")
            }
        }
    }
}
