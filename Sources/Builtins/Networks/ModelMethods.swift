import Autodiff
import Datasets
import Language
import Networks
import Tensors

/// The methods of `model` values: reading activations and gradients, the forward pass, saving and loading.
enum ModelMethods {
    typealias Method = NativeMethod<ModelObject>

    static let table: [String: Method] = [
        "activations": Method(
            signature: "activations(images, layers=\"all\", pool=\"cls\", batch=64, output=nil, progress=false, "
                + "hooks=nil)",
            documentation: "Each layer's output for images → record layer name → tensor [n, d], in layer order "
                + "(model.layers). images: [n, h, w, c] as images.load gives, or [n, c, h, w].\n"
                + "layers: \"all\", a name or a list of names. pool: \"cls\" (class token; a layer without one, "
                + "patch_embed, gives the mean over patches), \"mean_patches\", \"mean_tokens\" (class token, "
                + "registers and patches), \"none\" → [n, tokens, d]. The model runs in evaluation mode, batch "
                + "images at a time, without gradients: results do not depend on batch.\n"
                + "output=\"file.h5\": streams each layer into that HDF5 file as it is computed (one dataset per "
                + "layer, attribute \"layers\" giving their order) → the file object (h5.open); the file appears "
                + "only when complete. progress=true: a progress line on stderr.\n"
                + "hooks={\"blocks.1\": f}: f(output) runs on that layer's output in every batch and returns its "
                + "replacement for everything downstream (an in-silico lesion), or nil to keep it.\n"
                + "Errors: unknown layer (lists the valid ones), unknown pool, images of another shape, batch < 1, "
                + "missing folder for output.") { object, arguments, context in
            let operation = "model.activations"
            let images = try NetworkArguments.images(arguments.value(0, "images"), for: object, operation: operation)
            let layers = try NetworkArguments.layers(arguments, 1, operation: operation)
            let pool = try NetworkArguments.pool(arguments, 2, operation: operation)
            let batch = try NetworkArguments.batchSize(arguments, 3, default: 64, operation: operation)
            let progress = try NetworkArguments.progress(arguments, 5, operation: operation)
            let hooks = try NetworkArguments.hooks(arguments, 6, context: context, operation: operation)
            if let path = try arguments.optionalString(4, "output") {
                try object.model.saveActivations(images, to: path, layers: layers, pool: pool, batchSize: batch,
                                                 hooks: hooks, progress: progress)
                return .native(H5GroupObject(try HDF5File.open(path), context: context))
            }
            let readout = try object.model.activations(images, layers: layers, pool: pool, batchSize: batch,
                                                       hooks: hooks, progress: progress)
            return NetworkArguments.record(readout, context: context)
        },
        "gradients": Method(
            signature: "gradients(images, loss=\"cross_entropy\", labels=nil, head=nil, layers=\"all\", "
                + "pool=\"cls\", batch=32, progress=false, hooks=nil, checkpoint=nil, teacher_temperature=nil)",
            documentation: "For each image, the gradient of that image's loss with respect to each layer's output, "
                + "pooled as activations pools it → {gradients: record layer name → [n, d] (layer order), order: the "
                + "layer names in the order the backward pass completed their gradients (last layer first), losses: "
                + "[n]}.\nloss=\"cross_entropy\": −log softmax(head(class token of the final output))[label], with "
                + "labels [n] class indices and head a weight [classes, width] or {weight, bias}. loss=f: f(outputs, "
                + "indices) gets a batch's final output (a vit: tokens [b, tokens, width]) and the batch's image "
                + "indices [b] and returns one loss per image [b], with operations grad can differentiate "
                + "(help(\"gradients\")); image i's loss must depend on image i only. " + DINOGradientLoss.help
                + " The model runs in "
                + "evaluation mode; parameters are not differentiated. hooks: as in activations (a replaced layer is "
                + "a constant: layers before it get zero gradients and are left out of order).\n"
                + "Errors: missing labels or head, labels not [n] or out of range, unknown loss, a loss function not "
                + "returning [b] or using an operation without a gradient, loss=\"dino\" without checkpoint, a "
                + "missing checkpoint, one that is not a DINO training checkpoint or does not fit the model (every "
                + "mismatch named), checkpoint or teacher_temperature with another loss, unknown layer or pool, "
                + "images of another shape.") { object, arguments, context in
            let operation = "model.gradients"
            let images = try NetworkArguments.images(arguments.value(0, "images"), for: object, operation: operation)
            let loss: ReadingLoss
            let trace = Trace()
            defer { trace.close() }
            let lossValue = arguments.optional(1, "loss") ?? .nil
            try DINOGradientLoss.checkUnused(arguments, loss: lossValue, operation: operation)
            if case .function = lossValue {
                loss = try functionLoss(try arguments.function(1, "loss"), arguments: arguments, trace: trace,
                                        context: context, operation: operation)
            } else if case .string(DINOGradientLoss.name) = lossValue {
                loss = try DINOGradientLoss.loss(object, arguments: arguments, operation: operation)
            } else {
                loss = try crossEntropyLoss(object, arguments: arguments, operation: operation)
            }
            let result = try object.model.gradients(
                images, loss: loss,
                layers: try NetworkArguments.layers(arguments, 4, operation: operation),
                pool: try NetworkArguments.pool(arguments, 5, operation: operation),
                batchSize: try NetworkArguments.batchSize(arguments, 6, default: 32, operation: operation),
                hooks: try NetworkArguments.hooks(arguments, 8, context: context, operation: operation),
                progress: try NetworkArguments.progress(arguments, 7, operation: operation))
            return .makeRecord([
                ("gradients", NetworkArguments.record(result.layers, context: context)),
                ("order", .makeList(result.completionOrder.map { .string($0) })),
                ("losses", context.wrap(result.losses)),
            ])
        },
        "forward": Method(
            signature: "forward(images, batch=64, hooks=nil)",
            documentation: "The model's output for images ([n, h, w, c] or [n, c, h, w]) in evaluation mode → "
                + "tensor (a vit: the final tokens [n, 1 + registers + patches, width], class token first). hooks: as "
                + "in activations.\n"
                + "Errors: images of another shape, batch < 1.") { object, arguments, context in
            let operation = "model.forward"
            let images = try NetworkArguments.images(arguments.value(0, "images"), for: object, operation: operation)
            let batch = try NetworkArguments.batchSize(arguments, 1, default: 64, operation: operation)
            let hooks = try NetworkArguments.hooks(arguments, 2, context: context, operation: operation)
            return context.wrap(try object.model.outputs(images, batchSize: batch, hooks: hooks))
        },
        "save": Method(
            signature: "save(path, names=\"dinov2\")",
            documentation: "Writes the weights as safetensors, atomically, with the architecture in the metadata "
                + "(\"bm.model\") so that load_model(path) rebuilds it → nil. names: \"dinov2\" (the reference "
                + "implementation's, as torch.hub checkpoints) or \"huggingface\" (transformers' Dinov2Model).\n"
                + "Errors: missing folder, unknown names, failed write.") { object, arguments, _ in
            try ModelFiles.save(object, to: try arguments.string(0, "path"),
                                names: try arguments.optionalString(1, "names") ?? "dinov2")
            return .nil
        },
        "load": Method(
            signature: "load(path, network=nil)",
            documentation: "Replaces the weights by those of a safetensors file (bm's save, DINOv2 or Hugging Face "
                + "names, or a bm training checkpoint) → the model. Nothing changes unless every tensor fits. "
                + "network: for a checkpoint of DINO training, which backbone: \"student\" (the network trained by "
                + "gradient, whose loss gradients(loss=\"dino\") reads) or \"teacher\" (its EMA, the network "
                + "DINO evaluates); a supervised checkpoint holds one (\"classifier\").\n"
                + "Errors: missing or unreadable file, missing or unexpected tensors, shapes that differ (named), a "
                + "DINO checkpoint without network, a network the file does not hold.") {
            object, arguments, _ in
            try ModelFiles.load(try arguments.string(0, "path"), into: object,
                                network: try arguments.optionalString(1, "network"))
            return .native(object)
        },
    ]

    /// Cross-entropy to `labels=` through the linear `head=` on the final class token.
    static func crossEntropyLoss(_ object: ModelObject, arguments: Arguments, operation: String) throws -> ReadingLoss {
        let lossName = try arguments.optionalString(1, "loss") ?? "cross_entropy"
        guard lossName == "cross_entropy" else {
            throw LanguageError("\(operation): unknown loss \"\(lossName)\"; use \"cross_entropy\", \"dino\" or a "
                                + "function (outputs, indices) => losses [b]")
        }
        guard let labels = try NetworkArguments.labels(arguments, 2, operation: operation) else {
            throw LanguageError("\(operation): loss=\"cross_entropy\" needs labels=[n] (one class per image)")
        }
        let width = object.visionTransformer?.width
        guard let head = try NetworkArguments.head(arguments, 3, width: width, dtype: object.parameterType,
                                                   operation: operation) else {
            throw LanguageError("\(operation): loss=\"cross_entropy\" needs head= a weight [classes, "
                                + "\(width.map(String.init) ?? "width")] or {weight, bias}")
        }
        return .crossEntropy(labels: labels, head: .linear(head))
    }

    /// A `.bm` function as the per-image loss: called with the batch's final output as a traced tensor (grad's
    /// tracing, so its operations are differentiated) and the batch's image indices (int64 `[b]`). Its result must
    /// be `[b]`; the engine checks the shape.
    static func functionLoss(_ function: Value, arguments: Arguments, trace: Trace, context: BindingContext,
                             operation: String) throws -> ReadingLoss {
        .custom { outputs, range in
            let indices = context.wrap(Tensor(range.map { Int64($0) }))
            let result = try arguments.call(function, [.native(TracedTensor(outputs, trace: trace, context: context)),
                                                       indices])
            switch result {
            case .native(let native):
                if let traced = native as? TracedTensor { return traced.isTraced ? traced.variable : Variable(traced.value) }
                if let plain = native as? TensorObject { return Variable(plain.tensor) }
            default: break
            }
            throw LanguageError("\(operation): the loss function must return one loss per image, a tensor [\(range.count)], "
                                + "got \(result.typeName)")
        }
    }
}
