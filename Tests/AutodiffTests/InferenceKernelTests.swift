import Autodiff
import Foundation
import Tensors
import Testing

/// The forward kernels against naive loops over many shapes: self-attention's register-blocked loops (with and
/// without kept probabilities, so in inference and when recorded), the inference linear+GELU (the GELU written
/// over the product in place) and the inference MLP (both products a chunk of rows at a time).
@Suite("InferenceKernels")
struct InferenceKernelTests {
    /// softmax(Q_h·K_hᵀ/√d)·V_h per example and head, in float64 loops over `qkv` `[n, t, 3·heads·d]` row-major.
    static func naiveAttention(_ qkv: [Double], n: Int, t: Int, heads: Int, d: Int) -> [Double] {
        let f = heads * d, stride = 3 * f
        var output = [Double](repeating: 0, count: n * t * f)
        for example in 0..<n {
            for head in 0..<heads {
                for i in 0..<t {
                    var scores = [Double](repeating: 0, count: t)
                    for j in 0..<t {
                        var total = 0.0
                        for c in 0..<d {
                            total += qkv[(example * t + i) * stride + head * d + c]
                                * qkv[(example * t + j) * stride + f + head * d + c]
                        }
                        scores[j] = total / Double(d).squareRoot()
                    }
                    let largest = scores.max()!
                    let exponentials = scores.map { Foundation.exp($0 - largest) }
                    let sum = exponentials.reduce(0, +)
                    for c in 0..<d {
                        var total = 0.0
                        for j in 0..<t {
                            total += exponentials[j] / sum * qkv[(example * t + j) * stride + 2 * f + head * d + c]
                        }
                        output[(example * t + i) * f + head * d + c] = total
                    }
                }
            }
        }
        return output
    }

    /// (n, tokens, heads, head width): token counts around the blocks of 4 rows and 8 keys, head widths below,
    /// at and beyond the 8 columns of a block, the small ViT's 65 tokens of 4 heads × 16, and the last two, heads
    /// beyond `largestTaskHead` (tokens² · d > 2¹⁹), which go through BLAS.
    static let attentionShapes: [(Int, Int, Int, Int)] = [
        (1, 1, 1, 1), (2, 1, 2, 3), (1, 2, 1, 8), (3, 3, 2, 4), (2, 4, 1, 16), (1, 5, 3, 7), (2, 7, 2, 8),
        (1, 8, 1, 9), (2, 9, 4, 16), (1, 12, 2, 12), (1, 13, 1, 24), (2, 16, 3, 5), (1, 17, 2, 17), (3, 31, 2, 8),
        (1, 33, 1, 32), (2, 65, 4, 16), (1, 70, 6, 10), (40, 17, 2, 8), (1, 129, 2, 32), (2, 200, 1, 16),
    ]

    @Test(arguments: [DType.float64, .float32], 0..<attentionShapes.count)
    func attentionMatchesLoops(dtype: DType, index: Int) throws {
        let (n, t, heads, d) = Self.attentionShapes[index]
        let qkv = try Tensor.randomNormal([n, t, 3 * heads * d], seed: UInt64(700 + index)).astype(dtype)
        let expected = Self.naiveAttention(qkv.astype(.float64).scalars(as: Double.self), n: n, t: t, heads: heads,
                                           d: d)
        let tolerance = dtype == .float64 ? 1e-12 : 2e-6
        for recorded in [false, true] {
            let output = try Variable.selfAttention(Variable(qkv, requiresGradient: recorded), heads: heads)
            #expect(output.shape == [n, t, heads * d])
            #expect(output.dtype == dtype)
            #expect(output.isRecorded == recorded)
            let values = output.value.astype(.float64).scalars(as: Double.self)
            let gap = zip(values, expected).map { Swift.abs($0 - $1) }.max() ?? 0
            #expect(gap <= tolerance, "\(dtype) \(Self.attentionShapes[index]) recorded \(recorded): gap \(gap)")
        }
    }

    /// Recorded attention (which keeps the probabilities for its backward pass) gives the same gradient as the
    /// composite built from primitives, at the small ViT's shape.
    @Test(arguments: [DType.float64, .float32])
    func attentionGradientAtViTShape(dtype: DType) throws {
        let qkv = Variable(try Tensor.randomNormal([2, 65, 192], seed: 9).astype(dtype), requiresGradient: true)
        let weights = Variable(try Tensor.randomNormal([2, 65, 64], seed: 10).astype(dtype))
        let fused = try Variable.gradients(of: (Variable.selfAttention(qkv, heads: 4) * weights).sum(), with: [qkv])
        let composite = try Variable.gradients(
            of: (FusedGradientTests.referenceAttention(qkv, heads: 4) * weights).sum(), with: [qkv])
        let gap = try (fused[0].astype(.float64) - composite[0].astype(.float64)).abs().max().item() as Double
        #expect(gap <= (dtype == .float64 ? 1e-11 : 2e-5), "\(dtype): gradients differ by \(gap)")
    }

    /// (input shape, outputs, bias): rows of every rank, one output, one input.
    static let linearShapes: [([Int], Int, Bool)] = [
        ([1], 1, true), ([3], 5, false), ([4, 3], 7, true), ([2, 3, 4], 1, true), ([2, 5, 1], 6, false),
        ([65, 64], 256, true), ([3, 17, 9], 33, true), ([0, 4], 3, true),
    ]

    @Test(arguments: [DType.float64, .float32], 0..<linearShapes.count)
    func linearGELUMatchesLoops(dtype: DType, index: Int) throws {
        let (shape, outputs, hasBias) = Self.linearShapes[index]
        let inputs = shape.last!
        let x = try Tensor.randomNormal(shape, seed: UInt64(800 + index)).astype(dtype)
        let w = try Tensor.randomNormal([outputs, inputs], seed: UInt64(900 + index)).astype(dtype)
        let b = try Tensor.randomNormal([outputs], seed: UInt64(1000 + index)).astype(dtype)
        let (xs, ws, bs) = (x.astype(.float64).scalars(as: Double.self), w.astype(.float64).scalars(as: Double.self),
                            b.astype(.float64).scalars(as: Double.self))
        let rows = x.count / inputs
        var expected: [Double] = []
        for row in 0..<rows {
            for output in 0..<outputs {
                var total = hasBias ? bs[output] : 0
                for k in 0..<inputs { total += xs[row * inputs + k] * ws[output * inputs + k] }
                expected.append(total * 0.5 * (1 + Foundation.erf(total / 2.0.squareRoot())))
            }
        }
        let tolerance = dtype == .float64 ? 1e-12 : 1e-5
        for recorded in [false, true] {
            let result = try Variable.linearGELU(Variable(x, requiresGradient: recorded), weight: Variable(w),
                                                 bias: hasBias ? Variable(b) : nil)
            #expect(result.shape == Array(shape.dropLast()) + [outputs])
            #expect(result.isRecorded == recorded)
            let values = result.value.astype(.float64).scalars(as: Double.self)
            let gap = zip(values, expected).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
            #expect(gap <= tolerance, "\(dtype) \(shape) → \(outputs) recorded \(recorded): gap \(gap)")
        }
    }

    /// Inference linear+GELU equals the recorded `linear(…).gelu()` exactly (the same loops in the same order), and
    /// reports shape errors as `linear` does.
    @Test func linearGELUEqualsComposite() throws {
        let x = try Tensor.randomNormal([4, 5, 6], seed: 1).astype(.float32)
        let w = try Tensor.randomNormal([7, 6], seed: 2).astype(.float32)
        let b = try Tensor.randomNormal([7], seed: 3).astype(.float32)
        let fused = try Variable.linearGELU(Variable(x), weight: Variable(w), bias: Variable(b)).value
        let composite = try Variable.linear(Variable(x), weight: Variable(w), bias: Variable(b)).gelu().value
        #expect(fused.scalars(as: Float.self) == composite.scalars(as: Float.self))
        do {
            _ = try Variable.linearGELU(Variable(x), weight: Variable(try Tensor.zeros([7, 5])), bias: nil)
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description
                    == "linear: input [4, 5, 6] and weight [7, 5]: expected [..., k] and [outputs, k]")
        }
    }

    /// GELU(x·W1ᵀ + b1)·W2ᵀ + b2 in float64 loops.
    static func naiveFeedForward(_ x: [Double], rows: Int, inputs: Int, _ w1: [Double], _ b1: [Double]?,
                                 hidden: Int, _ w2: [Double], _ b2: [Double]?, outputs: Int) -> [Double] {
        var result: [Double] = []
        for row in 0..<rows {
            let activations = (0..<hidden).map { unit -> Double in
                var total = b1?[unit] ?? 0
                for k in 0..<inputs { total += x[row * inputs + k] * w1[unit * inputs + k] }
                return total * 0.5 * (1 + Foundation.erf(total / 2.0.squareRoot()))
            }
            for output in 0..<outputs {
                var total = b2?[output] ?? 0
                for unit in 0..<hidden { total += activations[unit] * w2[output * hidden + unit] }
                result.append(total)
            }
        }
        return result
    }

    /// (input shape, hidden, outputs, biases): rows fewer than, equal to and more than a chunk (2¹⁸ / hidden rows),
    /// a last chunk that is short, single units, and empty batches.
    static let feedForwardShapes: [([Int], Int, Int, Bool)] = [
        ([1], 1, 1, true), ([3, 2], 4, 5, false), ([2, 3, 4], 6, 1, true), ([4096, 3], 64, 2, true),
        ([2, 2049, 2], 128, 3, true), ([1000, 5], 300, 4, false), ([65, 8], 32, 8, true), ([0, 3], 4, 2, true),
    ]

    @Test(arguments: [DType.float64, .float32], 0..<feedForwardShapes.count)
    func geluFeedForwardMatchesLoops(dtype: DType, index: Int) throws {
        let (shape, hidden, outputs, hasBiases) = Self.feedForwardShapes[index]
        let inputs = shape.last!
        let seed = UInt64(1100 + 10 * index)
        let tensors = try [shape, [hidden, inputs], [hidden], [outputs, hidden], [outputs]].enumerated().map {
            try Tensor.randomNormal($0.element, seed: seed + UInt64($0.offset)).astype(dtype)
        }
        let values = tensors.map { $0.astype(.float64).scalars(as: Double.self) }
        let expected = Self.naiveFeedForward(values[0], rows: tensors[0].count / inputs, inputs: inputs, values[1],
                                             hasBiases ? values[2] : nil, hidden: hidden, values[3],
                                             hasBiases ? values[4] : nil, outputs: outputs)
        let tolerance = dtype == .float64 ? 1e-11 : 2e-5
        for recorded in [false, true] {
            let result = try Variable.geluFeedForward(
                Variable(tensors[0], requiresGradient: recorded), weight1: Variable(tensors[1]),
                bias1: hasBiases ? Variable(tensors[2]) : nil, weight2: Variable(tensors[3]),
                bias2: hasBiases ? Variable(tensors[4]) : nil)
            #expect(result.shape == Array(shape.dropLast()) + [outputs])
            #expect(result.isRecorded == recorded)
            let scale = Swift.max(1, expected.map { Swift.abs($0) }.max() ?? 0)
            let gap = zip(result.value.astype(.float64).scalars(as: Double.self), expected)
                .map { Swift.abs($0 - $1) }.max() ?? 0
            #expect(gap <= tolerance * scale, "\(dtype) \(shape) → \(hidden) → \(outputs) recorded \(recorded): \(gap)")
        }
    }

    /// The inference MLP equals the recorded composite to float32 rounding (relative to the outputs' size), and reports shape errors as `linear`.
    @Test func geluFeedForwardEqualsCompositeAndChecksShapes() throws {
        let x = try Tensor.randomNormal([3, 700, 16], seed: 1).astype(.float32)
        let (w1, b1) = (try Tensor.randomNormal([512, 16], seed: 2).astype(.float32),
                        try Tensor.randomNormal([512], seed: 3).astype(.float32))
        let (w2, b2) = (try Tensor.randomNormal([16, 512], seed: 4).astype(.float32),
                        try Tensor.randomNormal([16], seed: 5).astype(.float32))
        let fused = try Variable.geluFeedForward(Variable(x), weight1: Variable(w1), bias1: Variable(b1),
                                                 weight2: Variable(w2), bias2: Variable(b2)).value
        let composite = try Variable.linear(Variable.linear(Variable(x), weight: Variable(w1), bias: Variable(b1))
            .gelu(), weight: Variable(w2), bias: Variable(b2)).value
        let gap = try (fused - composite).abs().max().item() as Double
        let scale = try composite.abs().max().item() as Double
        #expect(gap <= 1e-5 * Swift.max(1, scale), "gap \(gap) at scale \(scale)")
        do {
            _ = try Variable.geluFeedForward(Variable(x), weight1: Variable(w1), bias1: nil,
                                             weight2: Variable(try Tensor.zeros([16, 500])), bias2: nil)
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description
                    == "linear: input [3, 700, 512] and weight [16, 500]: expected [..., k] and [outputs, k]")
        }
        do {
            _ = try Variable.geluFeedForward(Variable(x), weight1: Variable(w1), bias1: Variable(b2),
                                             weight2: Variable(w2), bias2: nil)
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description == "linear: bias [16] for weight [512, 16]: expected [512]")
        }
    }
}
