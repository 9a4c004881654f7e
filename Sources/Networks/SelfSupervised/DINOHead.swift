import Autodiff
import Foundation
import Tensors

/// A linear layer without bias whose weight is reparametrised by weight normalisation (PyTorch's
/// `nn.utils.weight_norm(nn.Linear(inputs, outputs, bias=False))`, dim 0):
///
///     W[k] = g[k] · v[k] / ‖v[k]‖      y = x · Wᵀ
///
/// `weight_v` `[outputs, inputs]`, `weight_g` `[outputs, 1]` (initialised to 1, as DINO's head). With
/// `trainsScale: false` (DINO's `norm_last_layer=True`, the default) g is a buffer fixed at 1, so every prototype
/// W[k] has unit norm; otherwise g is a parameter.
public final class WeightNormalizedLinear: Layer {
    public let directions: Parameter
    public let scale: Parameter
    public let trainsScale: Bool
    public let inputs: Int
    public let outputs: Int
    public var isTraining = true

    /// `v` drawn from PyTorch's default uniform ±1/√inputs. Throws `invalidArgument` for non-positive sizes.
    public init(inputs: Int, outputs: Int, trainsScale: Bool = false, dtype: DType = .float32, seed: UInt64 = 0)
        throws {
        guard inputs > 0, outputs > 0 else {
            throw TensorError(.invalidArgument, "WeightNormalizedLinear", "sizes must be positive, got \(inputs) → "
                              + "\(outputs)")
        }
        (self.inputs, self.outputs, self.trainsScale) = (inputs, outputs, trainsScale)
        directions = Parameter(try Tensor.zeros([outputs, inputs], dtype: dtype),
                               initialization: .uniform(bound: 1 / Double(inputs).squareRoot()))
        scale = Parameter(try Tensor.ones([outputs, 1], dtype: dtype), initialization: .ones)
        try initializeParameters(seed: seed)
    }

    public var localParameters: [(name: String, parameter: Parameter)] {
        trainsScale ? [("weight_g", scale), ("weight_v", directions)] : [("weight_v", directions)]
    }

    public var localBuffers: [(name: String, parameter: Parameter)] { trainsScale ? [] : [("weight_g", scale)] }

    /// `[..., inputs]` → `[..., outputs]`. Throws `shapeMismatch` for another last axis.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try checkFeatures(input, inputs, layer: "WeightNormalizedLinear")
        let v = pass.variable(for: directions)
        let g = trainsScale ? pass.variable(for: scale) : Variable(scale.value)
        let weight = try g * v / v.square().sum(axes: [1], keepDims: true).sqrt()
        return try Variable.matmul(input, weight.transposed())
    }
}

/// DINO's projection head (`DINOHead`, also DINOv2's): an MLP of `layers` linear layers with GELU between them
/// (inputs → hidden → … → bottleneck), L2 normalisation, then a weight-normalised linear layer onto K prototypes:
///
///     z = mlp(x);  z ← z / max(‖z‖, 1e-12);  logits = z · Wᵀ,  W[k] = g[k] v[k] / ‖v[k]‖
///
/// Names as DINO's: "mlp.0.weight", "mlp.0.bias", "mlp.2.…", "mlp.4.…" (GELUs at the odd indices),
/// "last_layer.weight_g", "last_layer.weight_v". DINO's defaults: 3 layers, hidden 2048, bottleneck 256,
/// K = 65536, no batch norm, last layer normalised (g fixed at 1). MLP weights trunc-normal(0.02), biases 0.
public final class DINOHead: Layer {
    public let mlp: Sequential
    public let lastLayer: WeightNormalizedLinear
    public let inputs: Int
    public let hidden: Int
    public let bottleneck: Int
    public let prototypes: Int
    public let layers: Int
    public var isTraining = true

    /// Throws `invalidArgument` for a size that is not positive or fewer than 1 layer.
    public init(inputs: Int, prototypes: Int = 65536, hidden: Int = 2048, bottleneck: Int = 256, layers: Int = 3,
                normalizesLastLayer: Bool = true, dtype: DType = .float32, seed: UInt64 = 0) throws {
        guard inputs > 0, prototypes > 0, hidden > 0, bottleneck > 0, layers >= 1 else {
            throw TensorError(.invalidArgument, "DINOHead", "sizes must be positive and layers at least 1, got inputs "
                              + "\(inputs), prototypes \(prototypes), hidden \(hidden), bottleneck \(bottleneck), "
                              + "layers \(layers)")
        }
        (self.inputs, self.hidden, self.bottleneck, self.prototypes, self.layers) =
            (inputs, hidden, bottleneck, prototypes, layers)
        var stack: [any Layer] = []
        if layers == 1 {
            stack = [try Linear(inputs: inputs, outputs: bottleneck, dtype: dtype)]
        } else {
            stack = [try Linear(inputs: inputs, outputs: hidden, dtype: dtype), GELU()]
            for _ in 0..<(layers - 2) { stack += [try Linear(inputs: hidden, outputs: hidden, dtype: dtype), GELU()] }
            stack.append(try Linear(inputs: hidden, outputs: bottleneck, dtype: dtype))
        }
        mlp = Sequential(stack)
        lastLayer = try WeightNormalizedLinear(inputs: bottleneck, outputs: prototypes,
                                               trainsScale: !normalizesLastLayer, dtype: dtype)
        try initializeParameters(seed: seed)
    }

    public var children: [(name: String, module: any Module)] { [("mlp", mlp), ("last_layer", lastLayer)] }

    /// `[..., inputs]` → logits `[..., prototypes]`. Throws `shapeMismatch` for another last axis.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try lastLayer(embedding(input, in: pass), in: pass)
    }

    /// The L2-normalised bottleneck `[..., bottleneck]` (before the prototypes).
    public func embedding(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try checkFeatures(input, inputs, layer: "DINOHead")
        let projected = try mlp(input, in: pass)
        let norm = try projected.square().sum(axes: [-1], keepDims: true).sqrt().clipped(min: 1e-12)
        return try projected / norm
    }

    /// A head of the same configuration with this head's state (for the teacher).
    public func replica() throws -> DINOHead {
        let copy = try DINOHead(inputs: inputs, prototypes: prototypes, hidden: hidden, bottleneck: bottleneck,
                                layers: layers, normalizesLastLayer: !lastLayer.trainsScale,
                                dtype: lastLayer.directions.value.dtype)
        try copy.load(Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.value) }))
        return copy
    }
}
