import Autodiff
import Foundation
import Tensors

/// DINO's teacher temperature: a linear warm-up from `start` to `final` over `warmupSteps` steps (numpy's
/// `linspace(start, final, warmupSteps)`, so step warmupSteps − 1 is already `final`), then `final`.
/// DINO's defaults: 0.04 → 0.07 over 30 epochs (here counted in steps).
public struct TeacherTemperatureSchedule: Sendable, Equatable {
    public let start: Double
    public let final: Double
    public let warmupSteps: Int

    /// Throws `invalidArgument` for a temperature that is not positive or a negative warm-up.
    public init(start: Double = 0.04, final: Double = 0.07, warmupSteps: Int) throws {
        guard start > 0, final > 0, warmupSteps >= 0 else {
            throw TensorError(.invalidArgument, "TeacherTemperatureSchedule", "temperatures must be positive and the "
                              + "warm-up non-negative, got \(start), \(final), \(warmupSteps)")
        }
        (self.start, self.final, self.warmupSteps) = (start, final, warmupSteps)
    }

    /// The temperature at `step` (0-based; any step ≥ 0). Throws `index` for a negative step.
    public func value(at step: Int) throws -> Double {
        guard step >= 0 else { throw TensorError(.index, "TeacherTemperatureSchedule", "step \(step) is negative") }
        guard step < warmupSteps else { return final }
        if warmupSteps == 1 { return start }
        if step == warmupSteps - 1 { return final }
        return start + Double(step) * ((final - start) / Double(warmupSteps - 1))
    }
}

/// DINO's self-distillation loss (`DINOLoss`) with teacher centering and sharpening. With student logits s
/// (every view) and teacher logits t (the two global views), centre c and temperatures τs, τt:
///
///     P_t = softmax((t − c) / τt)         (sharpened, centred teacher distribution; no gradient)
///     log P_s = log_softmax(s / τs)
///     loss = 1/T · Σ_{teacher view a} Σ_{student view v ≠ a} mean_over_images( −Σ_k P_t[a]_k · log P_s[v]_k )
///
/// T the number of (a, v) pairs (2 · (V − 1) for V student views), views stacked view-major along the batch axis
/// (DINO's `chunk`). After each step the centre follows the teacher: c ← m · c + (1 − m) · mean over images of t
/// (`updateCenter`, momentum m = 0.9). The centre is a buffer named "center" `[1, K]`, so that a checkpoint keeps it.
public final class DINOLoss: Module {
    /// How the teacher's logits are centred before the softmax.
    public enum Centering: Sendable, Equatable {
        /// DINO's: subtract the EMA centre c, P_t = softmax((t − c) / τt).
        case movingAverage
        /// DINOv2's `sinkhorn_knopp_teacher`: Q = exp(t / τt)ᵀ `[K, B]` over the whole teacher batch, scaled to sum 1,
        /// then `iterations` times: rows (prototypes) scaled to sum 1/K, columns (images) to sum 1/B; P_t = B · Qᵀ.
        /// Every prototype gets an equal share of the batch, so the teacher cannot collapse even at initialisation.
        case sinkhornKnopp(iterations: Int)
    }

    public let prototypes: Int
    public let centering: Centering
    public let center: Parameter
    public let studentTemperature: Double
    public let centerMomentum: Double
    public var isTraining = true

    /// Throws `invalidArgument` for a prototype count or temperature that is not positive, or a momentum outside
    /// [0, 1]. DINO's defaults: τs = 0.1, m = 0.9.
    /// The centre is still updated with `.sinkhornKnopp` (the per-image objective uses it).
    public init(prototypes: Int, studentTemperature: Double = 0.1, centerMomentum: Double = 0.9,
                centering: Centering = .movingAverage, dtype: DType = .float32) throws {
        self.centering = centering
        guard prototypes > 0, studentTemperature > 0, (0...1).contains(centerMomentum) else {
            throw TensorError(.invalidArgument, "DINOLoss", "prototypes and the student temperature must be positive "
                              + "and the centre momentum in [0, 1], got \(prototypes), \(studentTemperature), "
                              + "\(centerMomentum)")
        }
        (self.prototypes, self.studentTemperature, self.centerMomentum) =
            (prototypes, studentTemperature, centerMomentum)
        center = Parameter(try Tensor.zeros([1, prototypes], dtype: dtype), initialization: .zeros)
    }

    public var localBuffers: [(name: String, parameter: Parameter)] { [("center", center)] }

    /// softmax((teacherOutput − center) / temperature) along the prototypes: `[n, K]` → `[n, K]`, in the teacher
    /// output's dtype. Throws `shapeMismatch` when the last axis is not K, `invalidArgument` for a temperature that
    /// is not positive.
    public func teacherProbabilities(_ teacherOutput: Tensor, temperature: Double) throws -> Tensor {
        try checkLogits(teacherOutput.shape, "teacher output")
        guard temperature > 0 else {
            throw TensorError(.invalidArgument, "DINOLoss", "the teacher temperature must be positive, got "
                              + "\(temperature)")
        }
        return try ((teacherOutput - center.value.astype(teacherOutput.dtype)) / temperature).softmax(axis: -1)
    }

    /// The loss above (a scalar), without updating the centre.
    /// - `studentOutput`: `[V · n, K]`, V views of n images stacked view-major (the two global views first).
    /// - `teacherOutput`: `[2 · n, K]`, the teacher's logits of the two global views (gradients are not taken).
    /// - Throws `shapeMismatch` when the rows are not V · n and 2 · n with V ≥ 2, or the last axis is not K;
    ///   `invalidArgument` for a temperature that is not positive.
    public func callAsFunction(studentOutput: Variable, teacherOutput: Tensor, studentViews: Int,
                               teacherTemperature: Double) throws -> Variable {
        try checkLogits(studentOutput.shape, "student output")
        let images = teacherOutput.rank == 2 ? teacherOutput.shape[0] / 2 : 0
        guard studentViews >= 2, images > 0, teacherOutput.shape[0] == 2 * images,
              studentOutput.shape[0] == studentViews * images else {
            throw TensorError(.shapeMismatch, "DINOLoss", "student output \(formatShape(studentOutput.shape)) and "
                              + "teacher output \(formatShape(teacherOutput.shape)) are not [V · n, \(prototypes)] and "
                              + "[2 · n, \(prototypes)] with V = \(studentViews) student views (V ≥ 2)")
        }
        var probabilities: Tensor
        switch centering {
        case .movingAverage: probabilities = try teacherProbabilities(teacherOutput, temperature: teacherTemperature)
        case .sinkhornKnopp(let iterations):
            probabilities = try DINOLoss.sinkhornKnopp(teacherOutput, temperature: teacherTemperature,
                                                       iterations: iterations)
        }
        let targets = try probabilities.astype(studentOutput.dtype).split(sections: 2, axis: 0)
        let logProbabilities = try (studentOutput / studentTemperature).logSoftmax(axis: -1)
            .split(sections: studentViews, axis: 0)
        var total: Variable?
        var terms = 0
        for (teacherView, target) in targets.enumerated() {
            for (studentView, student) in logProbabilities.enumerated() where studentView != teacherView {
                let term = try -(Variable(target) * student).sum(axes: [-1]).mean()
                total = try total.map { try $0 + term } ?? term
                terms += 1
            }
        }
        return try total! / Double(terms)
    }

    /// DINOv2's Sinkhorn–Knopp teacher (see `Centering.sinkhornKnopp`) for logits `[B, K]`, in float64 and then
    /// the logits' dtype: `[B, K]`, each row a distribution. Throws `invalidArgument` for a temperature that is not
    /// positive or a negative iteration count, `shapeMismatch` for another rank.
    public static func sinkhornKnopp(_ teacherOutput: Tensor, temperature: Double, iterations: Int) throws -> Tensor {
        guard temperature > 0, iterations >= 0 else {
            throw TensorError(.invalidArgument, "sinkhornKnopp", "the temperature must be positive and the "
                              + "iterations non-negative, got \(temperature), \(iterations)")
        }
        guard teacherOutput.rank == 2 else {
            throw TensorError(.shapeMismatch, "sinkhornKnopp", "teacher output of shape "
                              + "\(formatShape(teacherOutput.shape)) is not [B, K]")
        }
        let logits = teacherOutput.astype(.float64)
        // Shifting by the maximum changes nothing after the normalisations and keeps exp finite.
        let shift = try logits.max().item()
        var q = try ((logits - shift) / temperature).exp().transposed()      // [K, B]
        let (k, b) = (Double(q.shape[0]), Double(q.shape[1]))
        q = try q / q.sum()
        for _ in 0..<iterations {
            q = try q / q.sum(axes: [1], keepDims: true) / k
            q = try q / q.sum(axes: [0], keepDims: true) / b
        }
        return try (q * b).transposed().contiguous().astype(teacherOutput.dtype)
    }

    /// The per-image loss of one view against the teacher's distribution on the same image(s):
    /// loss[i] = −Σ_k P_t[i]_k · log_softmax(s[i] / τs)_k, `[n]`. Differentiable in `studentOutput` `[n, K]`;
    /// `teacherProbabilities` `[n, K]` (from `teacherProbabilities(_:temperature:)`) is a constant.
    /// Throws `shapeMismatch` when the shapes differ or the last axis is not K.
    public func perImageLoss(studentOutput: Variable, teacherProbabilities: Tensor) throws -> Variable {
        try checkLogits(studentOutput.shape, "student output")
        guard studentOutput.shape == teacherProbabilities.shape else {
            throw TensorError(.shapeMismatch, "DINOLoss", "student output \(formatShape(studentOutput.shape)) and "
                              + "teacher probabilities \(formatShape(teacherProbabilities.shape)) differ")
        }
        let logProbabilities = try (studentOutput / studentTemperature).logSoftmax(axis: -1)
        return try -(Variable(teacherProbabilities.astype(studentOutput.dtype)) * logProbabilities).sum(axes: [-1])
    }

    /// c ← m · c + (1 − m) · mean over rows of `teacherOutput` `[rows, K]` (DINO's `update_center`, one process).
    /// Throws `shapeMismatch` when the last axis is not K or there are no rows.
    public func updateCenter(_ teacherOutput: Tensor) throws {
        try checkLogits(teacherOutput.shape, "teacher output")
        guard teacherOutput.shape[0] > 0 else {
            throw TensorError(.shapeMismatch, "DINOLoss", "cannot update the centre from an empty teacher output")
        }
        let batchCenter = try teacherOutput.astype(.float64).mean(axes: [0], keepDims: true)
        let updated = try center.value.astype(.float64) * centerMomentum + batchCenter * (1 - centerMomentum)
        center.value = updated.astype(center.value.dtype)
    }

    func checkLogits(_ shape: [Int], _ what: String) throws {
        guard shape.count == 2, shape[1] == prototypes else {
            throw TensorError(.shapeMismatch, "DINOLoss", "\(what) of shape \(formatShape(shape)) is not "
                              + "[n, \(prototypes)]")
        }
    }
}
