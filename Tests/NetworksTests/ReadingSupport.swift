import Autodiff
import Networks
import Tensors
import Testing

/// Shared pieces of the reading tests: small models, naive pooling, comparisons.
enum Reading {
    /// A ViT small enough for debug builds: 8×8 images, patch 4 (4 patches), width 16, depth 2, 2 heads.
    static func model(registers: Int = 2, positional: VisionTransformer.Positional = .learned,
                      dtype: DType = .float32, dropPath: Double = 0, depth: Int = 2,
                      seed: UInt64 = 3) throws -> VisionTransformer {
        try VisionTransformer(imageSize: 8, patchSize: 4, channels: 3, width: 16, depth: depth, heads: 2,
                              registers: registers, positional: positional, dropPath: dropPath, dtype: dtype,
                              seed: seed)
    }

    /// `n` images `[n, 3, 8, 8]` in [0, 1).
    static func images(_ n: Int, seed: UInt64 = 11, dtype: DType = .float32) throws -> Tensor {
        try Tensor.randomUniform([n, 3, 8, 8], low: 0, high: 1, seed: seed).astype(dtype)
    }

    /// Element `[indices]` of a tensor as a Double, by strides (any layout).
    static func element(_ tensor: Tensor, _ indices: [Int]) throws -> Double {
        try tensor.get(indices.map { .index($0) }).astype(.float64).item()
    }

    /// The pooled `[n, d]` of `tokens` `[n, t, d]` by plain loops: class token `classToken` (or the mean over
    /// `patches` when nil), mean over `patches`, or mean over all tokens.
    static func naivePool(_ tokens: Tensor, pool: TokenPool, classToken: Int?, patches: Range<Int>) throws -> Tensor {
        let (n, t, d) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
        var result = [Double](repeating: 0, count: n * d)
        for image in 0..<n {
            for feature in 0..<d {
                let chosen: [Int]
                switch pool {
                case .cls: chosen = classToken.map { [$0] } ?? Array(patches)
                case .meanPatches: chosen = Array(patches)
                case .meanTokens: chosen = Array(0..<t)
                case .none: preconditionFailure("naivePool of .none")
                }
                var total = 0.0
                for token in chosen { total += try element(tokens, [image, token, feature]) }
                result[image * d + feature] = total / Double(chosen.count)
            }
        }
        return try Tensor(shape: [n, d], scalars: result)
    }

    /// The largest |a - b| relative to max(1, |b|), over all elements (shapes must match).
    static func difference(_ a: Tensor, _ b: Tensor) throws -> Double {
        #expect(a.shape == b.shape, "shapes \(a.shape) and \(b.shape)")
        guard a.shape == b.shape else { return .infinity }
        let x = a.astype(.float64).contiguous().scalars(as: Double.self)
        let y = b.astype(.float64).contiguous().scalars(as: Double.self)
        return zip(x, y).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
    }

    /// The message of the error `body` throws, or nil.
    static func message(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return String(describing: error)
        }
    }
}

/// A minimal readable model that is not a transformer: features `[n, 6]` → "hidden" `[n, 5]` (tanh) → "map"
/// `[n, 2, 2, 2]` (a reshape of a linear layer's `[n, 8]`) → "logits" `[n, 3]`. It conforms with `layerNames` and
/// `forward` alone, as the CNN and MLP models will, so it checks the default layouts (spatial mean, identity).
final class TinyReadableModel: ReadableModel {
    let first: Linear
    let second: Linear
    let third: Linear
    var isTraining = true

    init(seed: UInt64) throws {
        first = try Linear(inputs: 6, outputs: 5, dtype: .float64, seed: seed)
        second = try Linear(inputs: 5, outputs: 8, dtype: .float64, seed: seed &+ 1)
        third = try Linear(inputs: 8, outputs: 3, dtype: .float64, seed: seed &+ 2)
        for (_, parameter) in namedParameters {
            parameter.value = try Tensor.randomNormal(parameter.value.shape, std: 0.5, seed: seed &+ 7)
        }
    }

    var children: [(name: String, module: any Module)] { [("first", first), ("second", second), ("third", third)] }
    var layerNames: [String] { ["hidden", "map", "logits"] }

    func forward(_ images: Variable, in pass: ForwardPass) throws -> Variable {
        let hidden = pass.record("hidden", try first(images, in: pass).tanh())
        let map = pass.record("map", try second(hidden, in: pass).reshaped([images.shape[0], 2, 2, 2]))
        return pass.record("logits", try third(map.reshaped([images.shape[0], 8]), in: pass))
    }
}
