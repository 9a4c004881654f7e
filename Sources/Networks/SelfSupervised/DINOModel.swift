import Autodiff
import Foundation
import Tensors

/// A DINO network (DINO's `MultiCropWrapper`): a vision transformer backbone and a projection head on its CLS
/// token, plus, for iBOT, a patch head on its patch tokens. Names: "backbone.…", "head.…", "ibot_head.…".
/// The student and the teacher are two `DINOModel`s with the same names, so `updateTeacher` averages them name by
/// name.
public final class DINOModel: Module {
    public let backbone: VisionTransformer
    public let head: DINOHead
    public let patchHead: DINOHead?
    public var isTraining = true

    public init(backbone: VisionTransformer, head: DINOHead, patchHead: DINOHead? = nil) {
        self.backbone = backbone
        self.head = head
        self.patchHead = patchHead
    }

    public var children: [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = [("backbone", backbone), ("head", head)]
        if let patchHead { result.append(("ibot_head", patchHead)) }
        return result
    }

    /// The backbone's CLS features `[n, width]` and patch tokens `[n, patches, width]` of `images`
    /// `[n, c, h, w]`; any side that is a multiple of the patch size is accepted (position embeddings interpolated).
    /// Throws what the backbone throws.
    public func features(_ images: Variable, in pass: ForwardPass, masks: Tensor? = nil) throws
        -> (classToken: Variable, patchTokens: Variable) {
        let tokens = try backbone(images, in: pass, masks: masks, interpolatingPositions: true)
        let count = tokens.shape[1]
        let classToken = try tokens.selecting(0, axis: 1)
        let patchTokens = try tokens.sliced(axis: 1, (1 + backbone.registers)..<count)
        return (classToken, patchTokens)
    }

    /// Head logits `[Σ nᵥ, K]` of the CLS tokens of several views (each `[nᵥ, c, hᵥ, wᵥ]`; views of one size are
    /// run through the backbone together, as `MultiCropWrapper`), stacked in the order given.
    /// Throws what the backbone and head throw.
    public func callAsFunction(views: [Tensor], in pass: ForwardPass) throws -> Variable {
        var groups: [[Tensor]] = []
        for view in views {
            if let last = groups.last?.last, last.shape.dropFirst() == view.shape.dropFirst() {
                groups[groups.count - 1].append(view)
            } else {
                groups.append([view])
            }
        }
        let classTokens = try groups.map { group in
            try features(Variable(group.count == 1 ? group[0] : Tensor.concatenate(group, axis: 0)), in: pass)
                .classToken
        }
        return try head(classTokens.count == 1 ? classTokens[0] : Variable.concatenate(classTokens, axis: 0), in: pass)
    }

    /// A network of the same configuration holding a copy of this one's state, in evaluation mode and without
    /// stochastic depth: DINO's teacher, initialised as the student.
    public func replica() throws -> DINOModel {
        let copy = DINOModel(backbone: try backbone.replica(), head: try head.replica(),
                             patchHead: try patchHead?.replica())
        try copy.load(Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.value) }))
        copy.setTraining(false)
        return copy
    }

    /// The teacher's target distribution for `images`: softmax((head(CLS) − c) / τt) `[n, K]` (no gradient).
    /// Throws what the backbone, head and loss throw.
    public func teacherProbabilities(_ images: Tensor, loss: DINOLoss, temperature: Double) throws -> Tensor {
        let pass = ForwardPass(recordsGradients: false)
        return try loss.teacherProbabilities(self(views: [images], in: pass).value, temperature: temperature)
    }
}

/// The per-image DINO objective for reading gradients: the student's loss on each image against a frozen teacher
/// looking at the same image,
///
///     loss[i] = −Σ_k softmax((t(xᵢ) − c) / τt)_k · log_softmax(s(xᵢ) / τs)_k
///
/// with s the student (backbone and head, run in `pass`, so its activations are recorded there and gradients flow
/// to `images` when they require one, and to the student's parameters when the pass records gradients), t the
/// teacher (run separately, no gradient), c and τs from `loss` (a checkpoint's centre), τt `teacherTemperature`
/// (DINO's final 0.07 by default). No augmentation: both see `images` as given, `[n, c, h, w]`. Returns `[n]`;
/// sum it for a scalar whose gradient with respect to a layer's output gives every image's gradient at once (images
/// do not interact in a ViT). Throws what the models and the loss throw.
public func perImageLoss(student: DINOModel, teacher: DINOModel, images: Variable, loss: DINOLoss,
                         teacherTemperature: Double = 0.07, in pass: ForwardPass) throws -> Variable {
    let targets = try teacher.teacherProbabilities(images.value, loss: loss, temperature: teacherTemperature)
    let studentOutput = try student.head(student.features(images, in: pass).classToken, in: pass)
    return try loss.perImageLoss(studentOutput: studentOutput, teacherProbabilities: targets)
}

/// The same objective from the student's CLS features `[n, width]` (the backbone's "norm" output at token 0, for a
/// caller that ran the backbone itself with hooks): the student head is applied in `pass`, then the loss against
/// `teacherProbabilities` `[n, K]` (from `DINOModel.teacherProbabilities`). Returns `[n]`.
/// Throws `shapeMismatch` when the shapes do not fit.
public func perImageLoss(studentClassFeatures: Variable, head: DINOHead, teacherProbabilities: Tensor,
                         loss: DINOLoss, in pass: ForwardPass) throws -> Variable {
    try loss.perImageLoss(studentOutput: head(studentClassFeatures, in: pass), teacherProbabilities: teacherProbabilities)
}

extension VisionTransformer {
    /// A transformer of the same configuration holding a copy of this one's state, without stochastic depth.
    /// Throws what `init` and `load` throw (not for a well-formed network).
    public func replica() throws -> VisionTransformer {
        let first = blocks.first
        let heads = first?.attention.heads ?? 1
        var hidden = width * 4
        var feedForward = FeedForward.mlp
        if let mlp = first?.feedForward as? MLP {
            hidden = mlp.fc1.outputs
        } else if let swiGLU = first?.feedForward as? SwiGLU {
            hidden = swiGLU.w3.inputs
            feedForward = .swiGLU
        }
        let copy = try VisionTransformer(imageSize: imageSize, patchSize: patchSize, channels: channels, width: width,
                                         depth: blocks.count, heads: heads, registers: registers,
                                         positional: positional, hiddenWidth: hidden, feedForward: feedForward,
                                         layerScale: first?.layerScale1 == nil ? nil : 1e-5, dropPath: 0,
                                         dtype: patchEmbedding.weight.value.dtype)
        try copy.load(Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.value) }))
        return copy
    }
}
