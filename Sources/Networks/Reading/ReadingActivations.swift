import Autodiff
import Tensors

/// Layer readouts in layer order: name → tensor with one row per image.
public struct LayerReadout: Sendable {
    /// `(layer name, tensor)` in the order the layers were requested (forward order for `.all`).
    public var layers: [(name: String, tensor: Tensor)]

    public init(layers: [(name: String, tensor: Tensor)]) { self.layers = layers }

    /// The layer names, in order.
    public var names: [String] { layers.map(\.name) }

    /// The tensor of layer `name`, or nil.
    public subscript(name: String) -> Tensor? { layers.first(where: { $0.name == name })?.tensor }
}

/// Progress of a batched reading: images done so far and in all.
public typealias ReadingProgress = (_ completed: Int, _ total: Int) -> Void

extension ReadableModel {
    /// The output of every requested layer for `images`, pooled: name → `[n, d]` (`.none`: `[n, tokens, d]`, or the
    /// layer's own shape for feature maps), in layer order.
    ///
    /// The model runs in evaluation mode (Dropout and DropPath off, BatchNorm on running statistics; the training
    /// flags are restored afterwards) on batches of `batchSize` images, without recording any gradient, so results
    /// do not depend on the batch size. Outputs have the parameters' dtype.
    /// - `images`: `[n, …]` as the model takes them (a ViT: `[n, channels, height, width]`).
    /// - `layers`: `.all` (forward order) or names (in the order given).
    /// - `hooks`: by layer name, run on that layer's output in every batch (see `ForwardPass.hooks`): to read it,
    ///   or to replace it for everything downstream (an in-silico lesion). Their layer names are checked.
    /// - `progress`: called after each batch with (images done, n).
    /// - Throws `invalidArgument` for an unknown layer (the message lists the valid ones), a repeated layer or a
    ///   batch size below 1; the model's own `shapeMismatch` for images of the wrong shape; what a hook throws.
    public func activations(_ images: Tensor, layers: LayerSelection = .all, pool: TokenPool = .cls,
                            batchSize: Int = 64, hooks: [String: ForwardPass.Hook] = [:],
                            progress: ReadingProgress? = nil) throws -> LayerReadout {
        var blocks: [[Tensor]] = []
        let names = try forEachActivationBatch(images, layers: layers, pool: pool, batchSize: batchSize, hooks: hooks,
                                               progress: progress) { _, tensors in blocks.append(tensors) }
        return try LayerReadout(layers: names.indices.map { layer in
            (names[layer], try Self.joinBatches(blocks.map { $0[layer] }))
        })
    }

    /// The batched reading loop behind `activations`: calls `body(imageRange, pooledOutputs)` once per batch, with
    /// one tensor per layer in the order of the returned names. Throws what `activations` throws and what `body`
    /// throws (nothing more is read after that).
    @discardableResult
    public func forEachActivationBatch(_ images: Tensor, layers: LayerSelection = .all, pool: TokenPool = .cls,
                                       batchSize: Int = 64, hooks: [String: ForwardPass.Hook] = [:],
                                       progress: ReadingProgress? = nil,
                                       _ body: (Range<Int>, [Tensor]) throws -> Void) throws -> [String] {
        let operation = "activations"
        let names = try resolveLayers(layers, operation: operation)
        try checkHookNames(hooks, operation: operation)
        let ranges = try Self.batches(of: images, batchSize: batchSize, operation: operation)
        try withEvaluationMode {
            for range in ranges {
                let pass = ForwardPass()
                pass.hooks = hooks
                _ = try forward(Variable(try images.sliced(axis: 0, range)), in: pass)
                try pass.checkHooks()
                let tensors = try names.map { name in
                    guard let output = pass.activation(name) else {
                        preconditionFailure("internal: layer \(name) of layerNames was not recorded by forward")
                    }
                    return try pooled(output, layer: name, pool: pool).value.contiguous()
                }
                try body(range, tensors)
                progress?(range.upperBound, images.shape[0])
            }
        }
        return names
    }

    /// The model's final output for `images`, computed in evaluation mode on batches of `batchSize` images without
    /// recording gradients, joined along the image axis; `hooks` as in `activations`. Throws what `activations`
    /// throws.
    public func outputs(_ images: Tensor, batchSize: Int = 64, hooks: [String: ForwardPass.Hook] = [:]) throws
        -> Tensor {
        try checkHookNames(hooks, operation: "forward")
        let ranges = try Self.batches(of: images, batchSize: batchSize, operation: "forward")
        return try withEvaluationMode {
            try Self.joinBatches(ranges.map { range in
                let pass = ForwardPass()
                pass.hooks = hooks
                let output = try forward(Variable(try images.sliced(axis: 0, range)), in: pass)
                try pass.checkHooks()
                return output.value
            })
        }
    }

    /// Throws `invalidArgument` for a hook on a layer this model does not record, listing the valid ones.
    public func checkHookNames(_ hooks: [String: ForwardPass.Hook], operation: String) throws {
        let valid = Set(layerNames)
        if let unknown = hooks.keys.sorted().first(where: { !valid.contains($0) }) {
            throw TensorError(.invalidArgument, operation, "hook on unknown layer \"\(unknown)\"; valid layers: "
                              + layerNames.joined(separator: ", "))
        }
    }

    /// Runs `body` with this model and every descendant in evaluation mode, then restores each module's flag.
    public func withEvaluationMode<Result>(_ body: () throws -> Result) rethrows -> Result {
        var flags: [(module: any Module, isTraining: Bool)] = []
        func visit(_ module: any Module) {
            flags.append((module, module.isTraining))
            for (_, child) in module.children { visit(child) }
        }
        visit(self)
        setTraining(false)
        defer { for (module, flag) in flags { module.isTraining = flag } }
        return try body()
    }

    /// Consecutive image ranges of at most `batchSize`.
    /// Throws `invalidArgument` for a batch size below 1 or no images, `shapeMismatch` for images of rank 0.
    static func batches(of images: Tensor, batchSize: Int, operation: String) throws -> [Range<Int>] {
        guard batchSize >= 1 else {
            throw TensorError(.invalidArgument, operation, "batch size must be at least 1, got \(batchSize)")
        }
        guard images.rank >= 1 else {
            throw TensorError(.shapeMismatch, operation, "images of shape [] have no image axis")
        }
        let count = images.shape[0]
        guard count > 0 else {
            throw TensorError(.invalidArgument, operation, "images of shape \(formatShape(images.shape)) hold no image")
        }
        return stride(from: 0, to: count, by: batchSize).map { $0..<Swift.min($0 + batchSize, count) }
    }

    /// The batches of one layer joined along the image axis (there is at least one).
    static func joinBatches(_ parts: [Tensor]) throws -> Tensor {
        precondition(!parts.isEmpty, "internal: no batch to join")
        return parts.count == 1 ? parts[0] : try Tensor.concatenate(parts, axis: 0)
    }
}
