import Autodiff
import Tensors

/// One pre-norm transformer block as DINOv2's `NestedTensorBlock`:
/// x ← x + drop_path(ls1(attn(norm1(x)))); x ← x + drop_path(ls2(mlp(norm2(x)))).
public final class TransformerBlock: Module {
    public let norm1: LayerNorm
    public let attention: MultiHeadSelfAttention
    public let layerScale1: LayerScale?
    public let norm2: LayerNorm
    public let feedForward: any Layer
    public let layerScale2: LayerScale?
    public let dropPath: DropPath
    public var isTraining = true

    public init(width: Int, heads: Int, hidden: Int, feedForward: VisionTransformer.FeedForward,
                layerScale: Double?, dropPathProbability: Double, dtype: DType) throws {
        norm1 = try LayerNorm(features: width, dtype: dtype)
        attention = try MultiHeadSelfAttention(features: width, heads: heads, dtype: dtype)
        layerScale1 = try layerScale.map { try LayerScale(features: width, initialValue: $0, dtype: dtype) }
        norm2 = try LayerNorm(features: width, dtype: dtype)
        switch feedForward {
        case .mlp: self.feedForward = try MLP(features: width, hidden: hidden, dtype: dtype)
        case .swiGLU: self.feedForward = try SwiGLU(features: width, hidden: hidden, dtype: dtype)
        }
        layerScale2 = try layerScale.map { try LayerScale(features: width, initialValue: $0, dtype: dtype) }
        dropPath = try DropPath(probability: dropPathProbability)
    }

    public var children: [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = [("norm1", norm1), ("attn", attention)]
        if let layerScale1 { result.append(("ls1", layerScale1)) }
        result += [("norm2", norm2), ("mlp", feedForward)]
        if let layerScale2 { result.append(("ls2", layerScale2)) }
        return result + [("drop_path", dropPath)]
    }

    /// `[n, tokens, width]` → same shape. Throws `shapeMismatch` for another shape.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass, rotation: RotaryEmbedding? = nil) throws
        -> Variable {
        var branch = try attention(norm1(input, in: pass), in: pass, rotation: rotation)
        if let layerScale1 { branch = try layerScale1(branch, in: pass) }
        let middle = try input + dropPath(branch, in: pass)
        var second = try feedForward(norm2(middle, in: pass), in: pass)
        if let layerScale2 { second = try layerScale2(second, in: pass) }
        return try middle + dropPath(second, in: pass)
    }
}

/// A DINOv2-style vision transformer: patch embedding (a Conv2d with kernel = stride = patch), a CLS token, register
/// tokens, learned position embeddings (or 2-D rotary ones), pre-norm blocks and a final LayerNorm.
///
/// Images are `[n, channels, height, width]` (PyTorch's and Hugging Face's `pixel_values` layout). The output tokens
/// are `[n, 1 + registers + patches, width]` in the order CLS, registers, patches (row-major over the patch grid).
/// Parameter names are those of DINOv2's reference implementation ("cls_token", "register_tokens", "pos_embed",
/// "mask_token", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight", "blocks.0.ls1.gamma", "norm.weight", …).
/// Initialisation follows DINOv2: linear weights trunc-normal(0.02), biases 0, norm weights 1, position embeddings
/// trunc-normal(0.02), CLS and register tokens N(0, 1e-6), LayerScale `layerScale`, mask token 0, the patch
/// projection PyTorch's default uniform ±1/√fanIn.
public final class VisionTransformer: Module {
    public enum Positional: Sendable, Equatable { case learned, rope2D }
    public enum FeedForward: Sendable, Equatable { case mlp, swiGLU }

    public let imageSize: Int
    public let patchSize: Int
    public let channels: Int
    public let width: Int
    public let registers: Int
    public let positional: Positional
    public let patchEmbedding: Conv2d
    public let classToken: Parameter
    public let registerTokens: Parameter?
    public let positionEmbedding: Parameter?
    public let maskToken: Parameter
    public let blocks: [TransformerBlock]
    public let norm: LayerNorm
    let rotation: RotaryEmbedding?
    public var isTraining = true

    /// The number of patches, (imageSize / patchSize)².
    public var patches: Int { (imageSize / patchSize) * (imageSize / patchSize) }

    /// - `mlpRatio`: hidden width of the feed-forward = width · mlpRatio (DINOv2: 4), unless `hiddenWidth` is given
    ///   (DINOv2's SwiGLU models round theirs: ViT-g/14 uses 4096 for width 1536).
    /// - `layerScale`: LayerScale's initial value (DINOv2: 1e-5), or nil for none.
    /// - `dropPath`: the stochastic depth rate of the last block; block i uses rate · i / (depth - 1) (DINOv2's
    ///   linear schedule).
    /// - Throws `invalidArgument` when `imageSize` is not a positive multiple of `patchSize`, `width` not a multiple
    ///   of `heads` (and, for `.rope2D`, the head width not a multiple of 4), or a size is not positive.
    public init(imageSize: Int, patchSize: Int, channels: Int = 3, width: Int, depth: Int, heads: Int,
                mlpRatio: Double = 4, registers: Int = 0, positional: Positional = .learned,
                hiddenWidth: Int? = nil, feedForward: FeedForward = .mlp, layerScale: Double? = 1e-5,
                dropPath: Double = 0, dtype: DType = .float32, seed: UInt64 = 0) throws {
        let operation = "VisionTransformer"
        guard patchSize > 0, imageSize > 0, imageSize % patchSize == 0 else {
            throw TensorError(.invalidArgument, operation, "image size \(imageSize) is not a positive multiple of "
                              + "patch size \(patchSize)")
        }
        guard channels > 0, width > 0, depth >= 0, heads > 0, width % heads == 0, registers >= 0 else {
            throw TensorError(.invalidArgument, operation, "width \(width) must be a positive multiple of heads "
                              + "\(heads); channels \(channels), depth \(depth), registers \(registers) not negative")
        }
        let hidden = hiddenWidth ?? Int((Double(width) * mlpRatio).rounded())
        guard hidden > 0 else {
            throw TensorError(.invalidArgument, operation, "feed-forward hidden width \(hidden) is not positive")
        }
        (self.imageSize, self.patchSize, self.channels, self.width, self.registers, self.positional) =
            (imageSize, patchSize, channels, width, registers, positional)
        let grid = imageSize / patchSize
        patchEmbedding = try Conv2d(channels: channels, outputs: width, kernel: (patchSize, patchSize),
                                    stride: (patchSize, patchSize), dtype: dtype)
        classToken = Parameter(try Tensor.zeros([1, 1, width], dtype: dtype), initialization: .normal(std: 1e-6))
        registerTokens = registers > 0
            ? Parameter(try Tensor.zeros([1, registers, width], dtype: dtype), initialization: .normal(std: 1e-6))
            : nil
        switch positional {
        case .learned:
            positionEmbedding = Parameter(try Tensor.zeros([1, 1 + grid * grid, width], dtype: dtype),
                                          initialization: .truncatedNormal(std: 0.02))
            rotation = nil
        case .rope2D:
            positionEmbedding = nil
            rotation = try RotaryEmbedding(rows: grid, columns: grid, headWidth: width / heads, dtype: dtype)
        }
        maskToken = Parameter(try Tensor.zeros([1, width], dtype: dtype), initialization: .zeros)
        blocks = try (0..<depth).map { index in
            let rate = depth > 1 ? dropPath * Double(index) / Double(depth - 1) : dropPath
            return try TransformerBlock(width: width, heads: heads, hidden: hidden, feedForward: feedForward,
                                        layerScale: layerScale, dropPathProbability: rate, dtype: dtype)
        }
        norm = try LayerNorm(features: width, dtype: dtype)
        try initializeParameters(seed: seed)
    }

    public var localParameters: [(name: String, parameter: Parameter)] {
        var result: [(name: String, parameter: Parameter)] = [("cls_token", classToken)]
        if let registerTokens { result.append(("register_tokens", registerTokens)) }
        if let positionEmbedding { result.append(("pos_embed", positionEmbedding)) }
        return result + [("mask_token", maskToken)]
    }

    public var children: [(name: String, module: any Module)] {
        [("patch_embed.proj", patchEmbedding as any Module)]
            + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element as any Module) }
            + [("norm", norm as any Module)]
    }

    /// The tokens of `images` `[n, channels, imageSize, imageSize]`: `[n, 1 + registers + patches, width]`.
    ///
    /// Records in `pass`: "patch_embed" (`[n, patches, width]`), "blocks.i" (each block's output) and "norm" (the
    /// result). `masks`, when given, is a bool `[n, patches]`; masked patches are replaced by the mask token before
    /// position embeddings are added (iBOT's masked image modelling).
    /// Throws `shapeMismatch` naming the images' shape and the expected one (wrong rank, channel count or size),
    /// and for masks of the wrong shape or dtype.
    public func callAsFunction(_ images: Variable, in pass: ForwardPass, masks: Tensor? = nil) throws -> Variable {
        try tokens(images, in: pass, masks: masks, interpolatingPositions: false)
    }

    /// The forward computation; with `interpolatingPositions` any image size that is a multiple of the patch size
    /// is accepted (VisionTransformerResolution.swift).
    func tokens(_ images: Variable, in pass: ForwardPass, masks: Tensor?, interpolatingPositions: Bool) throws
        -> Variable {
        let operation = "VisionTransformer"
        let expected = "[n, \(channels), \(imageSize), \(imageSize)]"
        guard images.rank == 4 else {
            throw TensorError(.shapeMismatch, operation, "images of shape \(formatShape(images.shape)) are not "
                              + "\(expected) (layout [n, channels, height, width])")
        }
        guard images.shape[1] == channels else {
            throw TensorError(.shapeMismatch, operation, "images of shape \(formatShape(images.shape)) have "
                              + "\(images.shape[1]) channels on axis 1, expected \(channels): \(expected) "
                              + "(layout [n, channels, height, width])")
        }
        let (rows, columns) = try patchGrid(of: images.shape, interpolatingPositions: interpolatingPositions)
        let n = images.shape[0], patches = rows * columns
        // Constant images of another dtype are converted to the parameters' (float64 pixels into a float32 network
        // stay float32); images that require a gradient are used as they are, so that the gradient reaches them
        // (the computation is then promoted to the wider dtype).
        let parameterType = patchEmbedding.weight.value.dtype
        let input = images.requiresGradient || images.dtype == parameterType
            ? images : Variable(images.value.astype(parameterType))
        let embedded = try patchEmbedding(input, in: pass)
        var patchTokens = try embedded.reshaped([n, width, patches]).swappingAxes(1, 2)    // [n, patches, width]
        if let masks {
            guard masks.dtype == .bool, masks.shape == [n, patches] else {
                throw TensorError(.shapeMismatch, operation, "masks of shape \(formatShape(masks.shape)) and dtype "
                                  + "\(masks.dtype): expected bool [\(n), \(patches)]")
            }
            patchTokens = try Variable.where(masks.reshaped([n, patches, 1]), pass.variable(for: maskToken),
                                             patchTokens)
        }
        patchTokens = pass.record("patch_embed", patchTokens)
        var tokens = try Variable.concatenate([pass.variable(for: classToken).broadcast(to: [n, 1, width]),
                                               patchTokens], axis: 1)
        if let positionEmbedding {
            tokens = try tokens + interpolatedPositions(pass.variable(for: positionEmbedding), rows: rows,
                                                        columns: columns)
        }
        if let registerTokens {
            // DINOv2 inserts registers after the position embedding: they carry no position.
            let pieces = try tokens.split(at: [1], axis: 1)
            tokens = try Variable.concatenate([pieces[0], pass.variable(for: registerTokens)
                                                   .broadcast(to: [n, registers, width]), pieces[1]], axis: 1)
        }
        let gridRotation = try rotaryEmbedding(rows: rows, columns: columns)
        for (index, block) in blocks.enumerated() {
            tokens = try block(tokens, in: pass, rotation: gridRotation)
            tokens = pass.record("blocks.\(index)", tokens)
        }
        return pass.record("norm", try norm(tokens, in: pass))
    }

    /// `callAsFunction` on a tensor of images (not differentiated with respect to the images).
    public func callAsFunction(_ images: Tensor, in pass: ForwardPass, masks: Tensor? = nil) throws -> Variable {
        try self(Variable(images), in: pass, masks: masks)
    }
}
