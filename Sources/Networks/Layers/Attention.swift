import Autodiff
import Foundation
import Tensors

/// Multi-head self-attention with a fused query/key/value projection (DINOv2's `attn.qkv` and `attn.proj`):
/// q, k, v = split(x·W_qkvᵀ + b) into `heads` heads of width d = features / heads;
/// y = concat_h(softmax(q_h·k_hᵀ / √d)·v_h)·W_projᵀ + b.
public final class MultiHeadSelfAttention: Module {
    public let qkv: Linear
    public let projection: Linear
    public let heads: Int
    public var isTraining = true

    /// Throws `invalidArgument` when `features` is not a positive multiple of `heads`.
    public init(features: Int, heads: Int, dtype: DType = .float32, seed: UInt64 = 0) throws {
        guard heads > 0, features > 0, features % heads == 0 else {
            throw TensorError(.invalidArgument, "MultiHeadSelfAttention",
                              "features \(features) must be a positive multiple of heads \(heads)")
        }
        self.heads = heads
        qkv = try Linear(inputs: features, outputs: 3 * features, dtype: dtype, seed: Seeds.mix(seed, 1))
        projection = try Linear(inputs: features, outputs: features, dtype: dtype, seed: Seeds.mix(seed, 2))
    }

    public var children: [(name: String, module: any Module)] { [("qkv", qkv), ("proj", projection)] }

    /// `input` `[n, tokens, features]` → `[n, tokens, features]`. `rotation`, when given, rotates queries and keys
    /// (2-D RoPE) of the last `rotation.tokens` tokens (the patches; prefix tokens are not rotated).
    /// Throws `shapeMismatch` naming the shapes for an input that is not `[n, tokens, features]`.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass, rotation: RotaryEmbedding? = nil) throws
        -> Variable {
        let features = qkv.inputs
        guard input.rank == 3, input.shape[2] == features else {
            throw TensorError(.shapeMismatch, "MultiHeadSelfAttention", "input of shape \(formatShape(input.shape)) "
                              + "is not [n, tokens, \(features)]")
        }
        let (n, tokens) = (input.shape[0], input.shape[1])
        let headWidth = features / heads
        if rotation == nil {
            // One fused primitive reads each head's queries, keys and values in place from the projection.
            let mixed = try Variable.selfAttention(qkv(input, in: pass), heads: heads)
            return try projection(mixed, in: pass)
        }
        // [n, tokens, 3, heads, d] → [3, n, heads, tokens, d]
        let projected = try qkv(input, in: pass).reshaped([n, tokens, 3, heads, headWidth]).permuted([2, 0, 3, 1, 4])
        var query = try projected.selecting(0, axis: 0)
        var key = try projected.selecting(1, axis: 0)
        let value = try projected.selecting(2, axis: 0)
        if let rotation {
            query = try rotation.apply(query)
            key = try rotation.apply(key)
        }
        let scores = try Variable.matmul(query, key.swappingAxes(-1, -2)) / Double(headWidth).squareRoot()
        let mixed = try Variable.matmul(scores.softmax(axis: -1), value)    // [n, heads, tokens, d]
        let merged = try mixed.permuted([0, 2, 1, 3]).reshaped([n, tokens, features])
        return try projection(merged, in: pass)
    }
}

/// DINOv2's MLP: fc2(GELU(fc1(x))), hidden width `hidden`.
public final class MLP: Layer {
    public let fc1: Linear
    public let fc2: Linear
    public let activation: any Layer
    public var isTraining = true

    public init(features: Int, hidden: Int, activation: any Layer = GELU(), dtype: DType = .float32,
                seed: UInt64 = 0) throws {
        fc1 = try Linear(inputs: features, outputs: hidden, dtype: dtype, seed: Seeds.mix(seed, 1))
        fc2 = try Linear(inputs: hidden, outputs: features, dtype: dtype, seed: Seeds.mix(seed, 2))
        self.activation = activation
    }

    public var children: [(name: String, module: any Module)] { [("fc1", fc1), ("fc2", fc2)] }

    /// `[..., features]` → `[..., features]`. Throws `shapeMismatch` for another last axis.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        if activation is GELU {
            // One fused primitive: in inference it runs fc1, GELU and fc2 a chunk of rows at a time, without
            // allocating the hidden activations.
            try checkFeatures(input, fc1.inputs, layer: "Linear")
            return try Variable.geluFeedForward(input, weight1: pass.variable(for: fc1.weight),
                                                bias1: fc1.bias.map(pass.variable(for:)),
                                                weight2: pass.variable(for: fc2.weight),
                                                bias2: fc2.bias.map(pass.variable(for:)))
        }
        return try fc2(activation(fc1(input, in: pass), in: pass), in: pass)
    }
}

/// DINOv2's SwiGLU feed-forward: [a, b] = split(w12(x)); w3(SiLU(a) · b), hidden width `hidden`.
public final class SwiGLU: Layer {
    public let w12: Linear
    public let w3: Linear
    public var isTraining = true

    public init(features: Int, hidden: Int, dtype: DType = .float32, seed: UInt64 = 0) throws {
        w12 = try Linear(inputs: features, outputs: 2 * hidden, dtype: dtype, seed: Seeds.mix(seed, 1))
        w3 = try Linear(inputs: hidden, outputs: features, dtype: dtype, seed: Seeds.mix(seed, 2))
    }

    public var children: [(name: String, module: any Module)] { [("w12", w12), ("w3", w3)] }

    /// `[..., features]` → `[..., features]`. Throws `shapeMismatch` for another last axis.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        let halves = try w12(input, in: pass).split(sections: 2, axis: -1)
        return try w3(halves[0] * halves[0].sigmoid() * halves[1], in: pass)
    }
}

/// DINOv3's axial 2-D rotary position embedding (`RopePositionEmbedding` with `normalize_coords="separate"`, no
/// coordinate augmentation) for a grid of `rows × columns` patches. Each patch's coordinates are normalised to
/// [−1, 1] per axis, y = 2(row + ½)/rows − 1 and x = 2(column + ½)/columns − 1, so that a grid of another size
/// spans the same range. With head width d = 4q and periods Pᵢ = base^(i/q), i < q, channel c < d/2 has the angle
/// 2π·y/Pᵢ for c = i and 2π·x/Pᵢ for c = q + i, and channel c + d/2 the same angle as c. Rotation is RoPE's
/// rotate-half over the whole head: x·cos θ + (−x[d/2:], x[:d/2])·sin θ, so channel c turns with channel c + d/2.
/// Head width d must be a multiple of 4.
public struct RotaryEmbedding: Sendable {
    public let rows: Int
    public let columns: Int
    public let headWidth: Int
    public let base: Double
    let cosine: Tensor
    let sine: Tensor

    /// Throws `invalidArgument` when `headWidth` is not a positive multiple of 4.
    public init(rows: Int, columns: Int, headWidth: Int, base: Double = 100, dtype: DType = .float32) throws {
        guard headWidth > 0, headWidth % 4 == 0 else {
            throw TensorError(.invalidArgument, "RotaryEmbedding",
                              "head width \(headWidth) must be a positive multiple of 4 for 2-D rotary embeddings")
        }
        (self.rows, self.columns, self.headWidth, self.base) = (rows, columns, headWidth, base)
        let quarter = headWidth / 4
        let inversePeriods = (0..<quarter).map { 2 * Double.pi / pow(base, Double($0) / Double(quarter)) }
        var angles = [Double](repeating: 0, count: rows * columns * headWidth)
        for row in 0..<rows {
            for column in 0..<columns {
                let y = 2 * (Double(row) + 0.5) / Double(rows) - 1
                let x = 2 * (Double(column) + 0.5) / Double(columns) - 1
                let token = (row * columns + column) * headWidth
                for i in 0..<quarter {
                    for (channel, coordinate) in [(i, y), (quarter + i, x)] {
                        angles[token + channel] = coordinate * inversePeriods[i]
                        angles[token + 2 * quarter + channel] = coordinate * inversePeriods[i]
                    }
                }
            }
        }
        cosine = try Tensor(shape: [rows * columns, headWidth], scalars: angles.map { cos($0) }).astype(dtype)
        sine = try Tensor(shape: [rows * columns, headWidth], scalars: angles.map { sin($0) }).astype(dtype)
    }

    /// `x` `[..., tokens, d]` whose last `rows · columns` tokens are the patches, rotated; other tokens unchanged.
    /// Throws `shapeMismatch` when there are fewer tokens or another head width.
    public func apply(_ x: Variable) throws -> Variable {
        let patches = rows * columns
        guard x.rank >= 2, x.shape[x.rank - 1] == headWidth, x.shape[x.rank - 2] >= patches else {
            throw TensorError(.shapeMismatch, "RotaryEmbedding", "input of shape \(formatShape(x.shape)) does not "
                              + "end in at least \(patches) tokens of width \(headWidth)")
        }
        let tokens = x.shape[x.rank - 2]
        let pieces = try x.split(at: [tokens - patches], axis: -2)
        let grid = pieces[1]
        // rotate_half: (a, b) → (−b, a) for the two halves a, b of each head
        let halves = try grid.split(sections: 2, axis: -1)
        let rotated = try Variable.concatenate([-halves[1], halves[0]], axis: -1)
        let cosine = Variable(self.cosine.astype(x.dtype)), sine = Variable(self.sine.astype(x.dtype))
        let turned = try grid * cosine + rotated * sine
        return tokens == patches ? turned : try Variable.concatenate([pieces[0], turned], axis: -2)
    }
}
