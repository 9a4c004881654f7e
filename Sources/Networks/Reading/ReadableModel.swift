import Autodiff
import Tensors

/// A model whose layers can be read: it names its layers in forward order and records each layer's output in the
/// `ForwardPass` under that name (continuing with what `record` returns, so that hooks can replace outputs).
///
/// Conforming is all a model needs for `activations(_:layers:pool:…)` and `gradients(_:loss:layers:pool:…)`.
/// A layer's output is one of three layouts (`LayerLayout`): tokens `[n, tokens, d]` (transformers), a feature
/// map `[n, c, h, w]` (CNNs) or features `[n, d]` (MLPs); the default `layout(ofLayer:shape:)` infers it from the
/// rank (rank 3: token 0 is a class token, the others patches), so a CNN or an MLP conforms with `layerNames` and
/// `forward` alone.
public protocol ReadableModel: Module {
    /// The names of the recorded layers, in forward order ("patch_embed", "blocks.0", …, "norm").
    var layerNames: [String] { get }
    /// The model's output for `images`, recording every layer of `layerNames` in `pass`. Throws the model's own
    /// error for images of the wrong shape, dtype or channel count.
    func forward(_ images: Variable, in pass: ForwardPass) throws -> Variable
    /// How the output of layer `name`, of shape `shape`, is laid out (what each pool averages over).
    func layout(ofLayer name: String, shape: [Int]) -> LayerLayout
}

/// The layout of one layer's output, `[n, …]` with one row per image.
public enum LayerLayout: Sendable, Equatable {
    /// `[n, tokens, d]`: the class token at `classToken` (nil when the layer has none, such as a patch embedding),
    /// the image patches at `patches`; other tokens (registers) are neither.
    case tokens(classToken: Int?, patches: Range<Int>)
    /// `[n, channels, height, width]`: every pool but `.none` is the spatial mean `[n, channels]`.
    case spatial
    /// `[n, d]`: every pool is the identity.
    case features
}

/// How a layer's output is reduced to one vector per image.
public enum TokenPool: String, Sendable, CaseIterable {
    /// The class token `[n, d]`; for a layer without one (a patch embedding), the mean over patches.
    case cls
    /// The mean over patch tokens `[n, d]` (registers and class token left out).
    case meanPatches = "mean_patches"
    /// The mean over all tokens `[n, d]` (class token, registers and patches).
    case meanTokens = "mean_tokens"
    /// No pooling: `[n, tokens, d]` (or the layer's own shape, `[n, c, h, w]` or `[n, d]`).
    case none

    /// The pool called `name` ("cls", "mean_patches", "mean_tokens", "none"). Throws `invalidArgument` listing them.
    public static func named(_ name: String) throws -> TokenPool {
        guard let pool = TokenPool(rawValue: name) else {
            throw TensorError(.invalidArgument, "pool", "unknown pool \"\(name)\"; use one of "
                              + allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return pool
    }
}

/// Which layers to read: all of them, or some by name (in the order given).
public enum LayerSelection: Sendable, Equatable, ExpressibleByArrayLiteral {
    case all
    case names([String])

    public init(arrayLiteral names: String...) { self = .names(names) }
}

extension ReadableModel {
    /// Rank 2 → `.features`, rank 4 → `.spatial`, rank 3 → tokens with the class token first and patches after it.
    public func layout(ofLayer name: String, shape: [Int]) -> LayerLayout {
        switch shape.count {
        case 2: return .features
        case 4: return .spatial
        default: return .tokens(classToken: 0, patches: 1..<Swift.max(shape.count == 3 ? shape[1] : 1, 1))
        }
    }

    /// The layer names `selection` picks, in forward order for `.all` and as given otherwise.
    /// Throws `invalidArgument` naming an unknown layer and listing the valid ones, or for an empty or repeated list.
    public func resolveLayers(_ selection: LayerSelection, operation: String) throws -> [String] {
        switch selection {
        case .all: return layerNames
        case .names(let names):
            guard !names.isEmpty else {
                throw TensorError(.invalidArgument, operation, "no layers requested; valid layers: "
                                  + layerNames.joined(separator: ", "))
            }
            let valid = Set(layerNames)
            if let unknown = names.first(where: { !valid.contains($0) }) {
                throw TensorError(.invalidArgument, operation, "unknown layer \"\(unknown)\"; valid layers: "
                                  + layerNames.joined(separator: ", "))
            }
            if let repeated = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) }) {
                throw TensorError(.invalidArgument, operation, "layer \"\(repeated.element)\" requested twice")
            }
            return names
        }
    }

    /// The output of layer `name` pooled by `pool` (see `TokenPool`): `[n, d]`, or unchanged for `.none`.
    /// Works on values and on gradients alike (the gradient of a pooled readout is pooled the same way), and is
    /// differentiable. Throws `shapeMismatch` when the tensor's rank does not fit the layer's layout.
    public func pooled(_ output: Variable, layer name: String, pool: TokenPool) throws -> Variable {
        let layout = layout(ofLayer: name, shape: output.shape)
        return try Self.pool(output, layout: layout, pool: pool, layer: name)
    }

    /// `pooled` on a tensor.
    public func pooled(_ output: Tensor, layer name: String, pool: TokenPool) throws -> Tensor {
        try pooled(Variable(output), layer: name, pool: pool).value
    }

    /// The features a classifier head reads from the model's final output: the final layer's output pooled `.cls`
    /// (a ViT's class token, a CNN's spatial mean, an MLP's output).
    public func classifierFeatures(of output: Variable) throws -> Variable {
        guard let last = layerNames.last else { return output }
        return try pooled(output, layer: last, pool: .cls)
    }

    static func pool(_ output: Variable, layout: LayerLayout, pool: TokenPool, layer: String) throws -> Variable {
        let operation = "pool"
        func mismatch(_ expected: String) -> TensorError {
            TensorError(.shapeMismatch, operation, "layer \"\(layer)\" has output of shape "
                        + "\(formatShape(output.shape)), expected \(expected)")
        }
        if pool == .none { return output }
        switch layout {
        case .features:
            guard output.rank == 2 else { throw mismatch("[n, d]") }
            return output
        case .spatial:
            guard output.rank == 4 else { throw mismatch("[n, channels, height, width]") }
            return try output.mean(axes: [2, 3])
        case .tokens(let classToken, let patches):
            guard output.rank == 3, patches.upperBound <= output.shape[1],
                  classToken.map({ $0 >= 0 && $0 < output.shape[1] }) ?? true else {
                throw mismatch("[n, tokens, d] with patches at \(patches.lowerBound)..<\(patches.upperBound)")
            }
            switch pool {
            case .cls:
                if let classToken { return try output.selecting(classToken, axis: 1) }
                return try output.sliced(axis: 1, patches).mean(axes: [1])
            case .meanPatches: return try output.sliced(axis: 1, patches).mean(axes: [1])
            case .meanTokens: return try output.mean(axes: [1])
            case .none: return output
            }
        }
    }
}

extension VisionTransformer: ReadableModel {
    /// "patch_embed", "blocks.0" … "blocks.{depth-1}", "norm".
    public var layerNames: [String] {
        ["patch_embed"] + blocks.indices.map { "blocks.\($0)" } + ["norm"]
    }

    /// `self(images, in: pass)`: tokens `[n, 1 + registers + patches, width]`.
    public func forward(_ images: Variable, in pass: ForwardPass) throws -> Variable {
        try self(images, in: pass)
    }

    /// "patch_embed" is `[n, patches, width]` (no class token); every other layer is `[n, 1 + registers + patches,
    /// width]` with the class token first, then the registers, then the patches. The patch count is read from
    /// `shape`, so that images of another resolution (interpolated position embeddings) pool correctly.
    public func layout(ofLayer name: String, shape: [Int]) -> LayerLayout {
        let tokens = shape.count == 3 ? shape[1] : 0
        if name == "patch_embed" { return .tokens(classToken: nil, patches: 0..<tokens) }
        return .tokens(classToken: 0, patches: Swift.min(1 + registers, tokens)..<tokens)
    }
}
