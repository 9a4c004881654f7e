import Autodiff
import Foundation
import Tensors

/// iBOT's masked-patch loss as DINOv2's `iBOTPatchLoss.forward_masked`: the student sees global crops whose masked
/// patches were replaced by the mask token; for every masked patch p of image i, its patch-head logits s_p are
/// trained towards the teacher's (unmasked) distribution on the same patch,
///
///     P_t = softmax((t_p − c) / τt),   loss = −1/n · Σ_i 1/max(1, m_i) · Σ_{masked p of i} Σ_k P_t[p]_k · log_softmax(s_p / τs)_k
///
/// with m_i the number of masked patches of image i and n the number of images (masked or not). The centre c is a
/// buffer "center" `[1, K]` updated as DINO's: c ← m · c + (1 − m) · mean of the masked teacher logits.
public final class IBOTPatchLoss: Module {
    public let prototypes: Int
    public let center: Parameter
    public let studentTemperature: Double
    public let centerMomentum: Double
    public var isTraining = true

    /// Throws `invalidArgument` for a prototype count or temperature that is not positive, or a momentum outside
    /// [0, 1]. DINOv2's defaults: τs = 0.1, m = 0.9.
    public init(prototypes: Int, studentTemperature: Double = 0.1, centerMomentum: Double = 0.9,
                dtype: DType = .float32) throws {
        guard prototypes > 0, studentTemperature > 0, (0...1).contains(centerMomentum) else {
            throw TensorError(.invalidArgument, "IBOTPatchLoss", "prototypes and the student temperature must be "
                              + "positive and the centre momentum in [0, 1], got \(prototypes), \(studentTemperature), "
                              + "\(centerMomentum)")
        }
        (self.prototypes, self.studentTemperature, self.centerMomentum) =
            (prototypes, studentTemperature, centerMomentum)
        center = Parameter(try Tensor.zeros([1, prototypes], dtype: dtype), initialization: .zeros)
    }

    public var localBuffers: [(name: String, parameter: Parameter)] { [("center", center)] }

    /// The loss above (a scalar), without updating the centre.
    /// - `studentPatchOutput`: `[M, K]` logits of the masked patches, in row-major order of `masks`.
    /// - `teacherPatchOutput`: `[M, K]` the teacher's logits of the same patches.
    /// - `masks`: bool `[n, patches]` with M true entries.
    /// - Throws `shapeMismatch` when the counts or the last axes do not fit, `dtype` for masks that are not bool.
    public func callAsFunction(studentPatchOutput: Variable, teacherPatchOutput: Tensor, masks: Tensor,
                               teacherTemperature: Double) throws -> Variable {
        guard masks.dtype == .bool, masks.rank == 2 else {
            throw TensorError(.dtype, "IBOTPatchLoss", "masks must be bool [n, patches], got \(masks.dtype) "
                              + "\(formatShape(masks.shape))")
        }
        let flags = masks.scalars(as: Bool.self)
        let masked = flags.filter { $0 }.count
        guard studentPatchOutput.shape == [masked, prototypes], teacherPatchOutput.shape == [masked, prototypes] else {
            throw TensorError(.shapeMismatch, "IBOTPatchLoss", "student \(formatShape(studentPatchOutput.shape)) and "
                              + "teacher \(formatShape(teacherPatchOutput.shape)) patch outputs are not "
                              + "[\(masked), \(prototypes)] for \(masked) masked patches")
        }
        guard teacherTemperature > 0 else {
            throw TensorError(.invalidArgument, "IBOTPatchLoss", "the teacher temperature must be positive, got "
                              + "\(teacherTemperature)")
        }
        let images = masks.shape[0], patches = masks.shape[1]
        guard masked > 0 else { return Variable(try Tensor.zeros([], dtype: studentPatchOutput.dtype)) }
        // Each masked patch weighs 1 / (masked patches of its image).
        var weights: [Double] = []
        for image in 0..<images {
            let row = flags[image * patches ..< (image + 1) * patches]
            let count = row.filter { $0 }.count
            weights += Array(repeating: 1 / Double(Swift.max(count, 1)), count: count)
        }
        let targets = try ((teacherPatchOutput - center.value.astype(teacherPatchOutput.dtype)) / teacherTemperature)
            .softmax(axis: -1).astype(studentPatchOutput.dtype)
        let logProbabilities = try (studentPatchOutput / studentTemperature).logSoftmax(axis: -1)
        let perPatch = try (Variable(targets) * logProbabilities).sum(axes: [-1])
        let weighted = try perPatch * Variable(Tensor(shape: [masked], scalars: weights).astype(perPatch.dtype))
        return try -weighted.sum() / Double(images)
    }

    /// c ← m · c + (1 − m) · mean over rows of `teacherPatchOutput` `[M, K]`. Nothing happens for M = 0.
    /// Throws `shapeMismatch` when the last axis is not K.
    public func updateCenter(_ teacherPatchOutput: Tensor) throws {
        guard teacherPatchOutput.rank == 2, teacherPatchOutput.shape[1] == prototypes else {
            throw TensorError(.shapeMismatch, "IBOTPatchLoss", "teacher patch output of shape "
                              + "\(formatShape(teacherPatchOutput.shape)) is not [M, \(prototypes)]")
        }
        guard teacherPatchOutput.shape[0] > 0 else { return }
        let batchCenter = try teacherPatchOutput.astype(.float64).mean(axes: [0], keepDims: true)
        let updated = try center.value.astype(.float64) * centerMomentum + batchCenter * (1 - centerMomentum)
        center.value = updated.astype(center.value.dtype)
    }
}

/// Random patch masks for iBOT, after DINOv2's collate function: ⌊n · probability⌋ of the n images are masked, the
/// j-th of them with a ratio drawn uniformly between the j-th and (j+1)-th of linspace(ratio.lower, ratio.upper,
/// masked + 1) (so ratios spread over the range), the images then shuffled. Unlike DINOv2's block masking, the
/// masked patches of an image are a uniformly random subset (documented simplification).
/// Returns bool `[n, patches]`. Throws `invalidArgument` for a probability or ratio outside [0, 1].
public func randomPatchMasks(images: Int, patches: Int, probability: Double = 0.5,
                             ratio: ClosedRange<Double> = 0.1...0.5,
                             generator: inout RandomGenerator) throws -> Tensor {
    guard (0...1).contains(probability), ratio.lowerBound >= 0, ratio.upperBound <= 1, images >= 0, patches > 0 else {
        throw TensorError(.invalidArgument, "randomPatchMasks", "probability and ratios must lie in [0, 1], got "
                          + "\(probability), \(ratio.lowerBound)...\(ratio.upperBound)")
    }
    let maskedImages = Int(Double(images) * probability)
    var rows = [[Bool]](repeating: [Bool](repeating: false, count: patches), count: images)
    let draws = generator.uniforms(maskedImages)
    for j in 0..<maskedImages {
        let step = (ratio.upperBound - ratio.lowerBound) / Double(maskedImages)
        let low = ratio.lowerBound + Double(j) * step
        let count = Int(Double(patches) * (low + step * draws[j]))
        let order = try generator.permutation(patches).scalars(as: Int64.self)
        for index in order.prefix(count) { rows[j][Int(index)] = true }
    }
    let shuffle = images > 0 ? try generator.permutation(images).scalars(as: Int64.self).map { Int($0) } : []
    let flags = shuffle.flatMap { rows[$0] }
    return try Tensor(shape: [images, patches], scalars: flags)
}
