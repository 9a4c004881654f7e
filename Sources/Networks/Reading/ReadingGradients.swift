import Autodiff
import Tensors

/// The loss whose gradients `gradients(_:loss:…)` reads: one loss per image.
public enum ReadingLoss {
    /// Cross-entropy of each image's logits to its label: lossᵢ = −log softmax(logitsᵢ)[labelᵢ].
    /// `labels` is int64 `[n]` (one class index per image, 0 ≤ label < classes).
    case crossEntropy(labels: Tensor, head: ClassifierHead)
    /// Any per-image loss: called once per batch with the model's final output for the batch (a ViT's tokens
    /// `[b, tokens, d]`) and the batch's image indices `batchRange` (to look up per-image targets, a teacher's
    /// outputs, …); returns the losses `[b]`, one per image, computed from `outputs` with `Variable` operations.
    /// Image i's loss must depend on image i alone (the model runs in evaluation mode, where images do not
    /// interact), because the losses of a batch are summed and differentiated once.
    case custom((_ outputs: Variable, _ batchRange: Range<Int>) throws -> Variable)
    /// DINO's self-distillation loss of each image against a frozen teacher (see `DINOReadingObjective`): the
    /// model's final class token through the student head, lossᵢ = −Σ_k softmax((t(xᵢ) − c) / τt)_k ·
    /// log_softmax(s(xᵢ) / τs)_k, the teacher run on the batch's images.
    case dino(DINOReadingObjective)
}

/// The classifier that turns a model's output into logits for `ReadingLoss.crossEntropy`.
public enum ClassifierHead {
    /// A linear layer on `classifierFeatures(of:)` (a ViT's final class token): `[b, width]` → `[b, classes]`.
    case linear(Linear)
    /// Any function of the model's final output (`[b, …]`) to logits `[b, classes]`.
    case function((Variable) throws -> Variable)
}

/// What `gradients(_:loss:…)` returns.
public struct LayerGradients: Sendable {
    /// ∂lossᵢ/∂(layer output for image i), pooled as the activations are: name → `[n, d]` (or unpooled), in the
    /// order the layers were requested.
    public var layers: LayerReadout
    /// The requested layers in the order their gradients were completed during the backward pass (the last layer
    /// first, for a plain feed-forward model). Layers the loss does not depend on are left out.
    public var completionOrder: [String]
    /// Each image's loss, `[n]`.
    public var losses: Tensor
}

extension ReadableModel {
    /// For each image, the gradient of that image's loss with respect to each requested layer's output, pooled as
    /// `activations` pools (the gradient tensor is averaged over the same tokens, or its class token taken): the
    /// "backpropagated gradient" readout. Shapes are those of `activations` with the same arguments.
    ///
    /// The model runs in evaluation mode on batches of `batchSize` images. There images do not interact, so the sum
    /// of a batch's per-image losses has, with respect to image i's layer output, the gradient of image i's loss
    /// alone: one backward pass per batch gives every image's gradients. Parameters are not differentiated.
    /// - `loss`: see `ReadingLoss`.
    /// - `hooks`: as in `activations`, run before the layer output is taken as a variable to differentiate: a layer
    ///   replaced by a constant cuts the graph there (layers before it then get zero gradients and are left out of
    ///   `completionOrder`).
    /// - Throws what `activations` throws; for `.dino`, what `DINOReadingObjective` throws; for `.crossEntropy`, `shapeMismatch` for labels that are not `[n]`,
    ///   `dtype` for labels that are not int64, `index` for a label out of range; for `.custom`, `shapeMismatch`
    ///   when the loss is not `[b]`, and whatever the closure throws.
    public func gradients(_ images: Tensor, loss: ReadingLoss, layers: LayerSelection = .all,
                          pool: TokenPool = .cls, batchSize: Int = 32, hooks: [String: ForwardPass.Hook] = [:],
                          progress: ReadingProgress? = nil) throws -> LayerGradients {
        let operation = "gradients"
        let names = try resolveLayers(layers, operation: operation)
        try checkHookNames(hooks, operation: operation)
        let ranges = try Self.batches(of: images, batchSize: batchSize, operation: operation)
        if case .crossEntropy(let labels, _) = loss {
            guard labels.dtype == .int64 else {
                throw TensorError(.dtype, operation, "labels must be int64 class indices, got \(labels.dtype)")
            }
            guard labels.shape == [images.shape[0]] else {
                throw TensorError(.shapeMismatch, operation, "labels of shape \(formatShape(labels.shape)) for "
                                  + "\(images.shape[0]) images: expected [\(images.shape[0])]")
            }
        }
        // Images in the parameters' dtype: a float64 leaf would promote a float32 model's computation.
        let parameterType = namedParameters.first?.parameter.value.dtype
        var blocks: [[Tensor]] = []
        var losses: [Tensor] = []
        var order: [String]?
        try withEvaluationMode {
            for range in ranges {
                let pass = ForwardPass()
                pass.hooks = hooks
                // The images are a leaf that requires a gradient, so every layer output is recorded in the graph
                // even in a model that records a layer without continuing with `record`'s result; parameters stay
                // constants. A layer a hook replaced by a constant becomes a leaf, so the layers after it still get
                // their gradients.
                pass.everyLayerHook = { _, value in value.requiringGradient() }
                var batch = try images.sliced(axis: 0, range)
                if let parameterType, batch.dtype != parameterType { batch = batch.astype(parameterType) }
                let input = Variable(batch, requiresGradient: batch.dtype.isFloatingPoint)
                let output = try forward(input, in: pass)
                try pass.checkHooks()
                let perImage = try imageLosses(loss, output: output, images: batch, range: range, pass: pass)
                let outputs = names.map { name in
                    guard let output = pass.activation(name) else {
                        preconditionFailure("internal: layer \(name) of layerNames was not recorded by forward")
                    }
                    return output
                }
                let backward = try Variable.backward(of: perImage.sum(), with: outputs)
                if order == nil { order = backward.completionOrder.map { names[$0] } }
                blocks.append(try zip(names, backward.gradients).map { name, gradient in
                    try pooled(gradient, layer: name, pool: pool).contiguous()
                })
                losses.append(perImage.value)
                progress?(range.upperBound, images.shape[0])
            }
        }
        let readout = try LayerReadout(layers: names.indices.map { layer in
            (names[layer], try Self.joinBatches(blocks.map { $0[layer] }))
        })
        return LayerGradients(layers: readout, completionOrder: order ?? [],
                              losses: try Self.joinBatches(losses))
    }

    /// The per-image losses `[b]` of one batch, whose images `[b, c, h, w]` gave `output`. Throws `shapeMismatch`
    /// when a custom loss is not `[b]`, a head's logits are not `[b, classes]` or the class features do not fit the
    /// DINO student head, and what cross-entropy throws for labels out of range.
    func imageLosses(_ loss: ReadingLoss, output: Variable, images: Tensor, range: Range<Int>,
                     pass: ForwardPass) throws -> Variable {
        let operation = "gradients"
        let count = range.count
        switch loss {
        case .dino(let objective):
            return try objective.losses(classFeatures: classifierFeatures(of: output), images: images, in: pass)
        case .custom(let function):
            let losses = try function(output, range)
            guard losses.shape == [count] else {
                throw TensorError(.shapeMismatch, operation, "the loss gave shape \(formatShape(losses.shape)) for a "
                                  + "batch of \(count) images: expected one loss per image, [\(count)]")
            }
            guard losses.dtype.isFloatingPoint else {
                throw TensorError(.dtype, operation, "the loss must be floating point, got \(losses.dtype)")
            }
            return losses
        case .crossEntropy(let labels, let head):
            let logits: Variable
            switch head {
            case .linear(let linear): logits = try linear(classifierFeatures(of: output), in: pass)
            case .function(let function): logits = try function(output)
            }
            guard logits.rank == 2, logits.shape[0] == count else {
                throw TensorError(.shapeMismatch, operation, "the classifier gave logits of shape "
                                  + "\(formatShape(logits.shape)) for a batch of \(count) images: expected "
                                  + "[\(count), classes]")
            }
            let batchLabels = try labels.sliced(axis: 0, range).contiguous()
            let classes = logits.shape[1]
            if let bad = batchLabels.scalars(as: Int64.self).first(where: { $0 < 0 || $0 >= Int64(classes) }) {
                throw TensorError(.index, operation, "label \(bad) is out of range for \(classes) classes")
            }
            let rows = try Tensor.arange(Double(count), dtype: .int64)
            return try -logits.logSoftmax(axis: -1).get([.array(rows), .array(batchLabels)])
        }
    }
}
