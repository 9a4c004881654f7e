import Autodiff
import Tensors
import Testing

/// The fused primitives (linear, layer norm with affine, GELU, last-axis softmax, self-attention): gradients against
/// central finite differences in float64, values against the composites they replace (float64 and float32), and
/// their error messages.
@Suite("FusedGradients")
struct FusedGradientTests {
    /// The attention a fused qkv projection stands for, written with primitives: split into heads, softmax of the
    /// scaled scores, heads concatenated.
    @Sendable static func referenceAttention(_ qkv: Variable, heads: Int) throws -> Variable {
        let (n, tokens, width) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        let headWidth = width / heads
        let projected = try qkv.reshaped([n, tokens, 3, heads, headWidth]).permuted([2, 0, 3, 1, 4])
        let (query, key, value) = (try projected.selecting(0, axis: 0), try projected.selecting(1, axis: 0),
                                   try projected.selecting(2, axis: 0))
        let scores = try Variable.matmul(query, key.swappingAxes(-1, -2)) / Double(headWidth).squareRoot()
        let shift = Variable(try scores.value.max(axes: [-1], keepDims: true))
        let exponentials = try (scores - shift).exp()
        let probabilities = try exponentials / exponentials.sum(axes: [-1], keepDims: true)
        return try Variable.matmul(probabilities, value).permuted([0, 2, 1, 3]).reshaped([n, tokens, width])
    }

    static let cases: [GradientCase] = [
        GradientCase("linear", [[4, 3], [5, 3], [5]]) { try Variable.linear($0[0], weight: $0[1], bias: $0[2]) },
        GradientCase("linear no bias", [[2, 3, 4], [2, 4]]) { try Variable.linear($0[0], weight: $0[1], bias: nil) },
        GradientCase("linear vector", [[3], [2, 3], [2]]) { try Variable.linear($0[0], weight: $0[1], bias: $0[2]) },
        GradientCase("linear strided", [[3, 4], [4, 2]], nonContiguous: true) {
            try Variable.linear($0[0], weight: $0[1].transposed(), bias: nil)
        },
        GradientCase("layer norm affine", [[3, 5], [5], [5]]) {
            try $0[0].layerNormalized(weight: $0[1], bias: $0[2], epsilon: 1e-6)
        },
        GradientCase("layer norm affine rank 3", [[2, 2, 4], [4], [4]]) {
            try $0[0].layerNormalized(weight: $0[1], bias: $0[2])
        },
        GradientCase("layer norm affine vector", [[6], [6], [6]]) {
            try $0[0].layerNormalized(weight: $0[1], bias: $0[2])
        },
        GradientCase("layer norm affine strided", [[4, 3], [3], [3]], nonContiguous: true) {
            try $0[0].layerNormalized(weight: $0[1], bias: $0[2])
        },
        GradientCase("gelu rank 3", [[2, 3, 4]]) { try $0[0].gelu() },
        GradientCase("softmax last axis", [[2, 3, 4]]) { try $0[0].softmax(axis: 2) },
        GradientCase("softmax strided", [[3, 4]], nonContiguous: true) { try $0[0].softmax() },
        GradientCase("softmax vector", [[5]]) { try $0[0].softmax() },
        GradientCase("self-attention two heads", [[2, 3, 12]]) { try Variable.selfAttention($0[0], heads: 2) },
        GradientCase("self-attention one head", [[1, 4, 6]]) { try Variable.selfAttention($0[0], heads: 1) },
        GradientCase("self-attention one token", [[2, 1, 6]]) { try Variable.selfAttention($0[0], heads: 2) },
        GradientCase("self-attention strided", [[2, 3, 6]], nonContiguous: true) {
            try Variable.selfAttention($0[0], heads: 1)
        },
        GradientCase("transformer block", [[2, 3, 4], [4], [4], [12, 4], [12], [4, 4], [4]]) {
            let (x, gamma, beta, wQKV, bQKV, wOut, bOut) = ($0[0], $0[1], $0[2], $0[3], $0[4], $0[5], $0[6])
            let normalized = try x.layerNormalized(weight: gamma, bias: beta)
            let mixed = try Variable.selfAttention(Variable.linear(normalized, weight: wQKV, bias: bQKV), heads: 2)
            let branch = try Variable.linear(mixed, weight: wOut, bias: bOut).gelu()
            return try x + branch + x * branch    // x is used three times: gradients accumulate in place
        },
    ]

    @Test(arguments: cases)
    func fusedGradient(_ testCase: GradientCase) throws {
        try checkGradients(testCase)
    }

    /// Each fused primitive against the composite it replaces, with the same inputs.
    static let comparisons: [(String, [[Int]], @Sendable ([Variable]) throws -> (Variable, Variable))] = [
        ("linear", [[2, 3, 4], [5, 4], [5]], { v in
            (try Variable.linear(v[0], weight: v[1], bias: v[2]), try Variable.matmul(v[0], v[1].transposed()) + v[2])
        }),
        ("layer norm", [[3, 2, 7], [7], [7]], { v in
            (try v[0].layerNormalized(weight: v[1], bias: v[2], epsilon: 1e-6),
             try v[0].layerNormalized(axes: [-1], epsilon: 1e-6) * v[1] + v[2])
        }),
        ("gelu", [[4, 9]], { v in
            (try v[0].gelu(), try v[0] * 0.5 * ((v[0] / 2.0.squareRoot()).erf() + 1))
        }),
        ("softmax", [[3, 8]], { v in
            let exponentials = try v[0].exp()
            return (try v[0].softmax(), try exponentials / exponentials.sum(axes: [-1], keepDims: true))
        }),
        ("attention", [[3, 5, 24]], { v in
            (try Variable.selfAttention(v[0], heads: 4), try referenceAttention(v[0], heads: 4))
        }),
    ]

    @Test(arguments: [DType.float64, .float32], 0..<5)
    func fusedMatchesComposite(dtype: DType, index: Int) throws {
        let (name, shapes, pair) = Self.comparisons[index]
        let inputs = try shapes.enumerated().map { offset, shape in
            Variable(try Tensor.randomNormal(shape, seed: UInt64(300 + offset)).astype(dtype), requiresGradient: true)
        }
        let (fused, composite) = try pair(inputs)
        #expect(fused.dtype == dtype, "\(name)")
        #expect(fused.shape == composite.shape, "\(name)")
        let tolerance = dtype == .float64 ? 1e-12 : 2e-6
        let difference = try (fused.value.astype(.float64) - composite.value.astype(.float64)).abs().max().item()
            as Double
        #expect(difference <= tolerance * 10, "\(name) \(dtype): values differ by \(difference)")
        let weights = Variable(try Tensor.randomNormal(fused.shape, seed: 400).astype(dtype))
        let fusedGradients = try Variable.gradients(of: (fused * weights).sum(), with: inputs)
        let compositeGradients = try Variable.gradients(of: (composite * weights).sum(), with: inputs)
        for (index, (a, b)) in zip(fusedGradients, compositeGradients).enumerated() {
            #expect(a.dtype == dtype)
            let scale = Swift.max(1, try b.astype(.float64).abs().max().item() as Double)
            let gap = try (a.astype(.float64) - b.astype(.float64)).abs().max().item() as Double
            #expect(gap <= tolerance * 50 * scale, "\(name) \(dtype) input \(index): gradients differ by \(gap)")
        }
    }

    /// float32 GELU uses XLA's rational erf: within 1e-6 of the float64 GELU over a wide range, exact tails.
    @Test func float32GeluAccuracy() throws {
        let points = try Tensor.linspace(-12, 12, count: 4001)
        let exact = try Variable(points).gelu().value
        let single = try Variable(points.astype(.float32)).gelu().value.astype(.float64)
        let error = try (exact - single).abs().max().item() as Double
        #expect(error < 2e-6)
        let derivativeExact = try gradient(of: { try $0.gelu().sum() }, at: points)
        let derivativeSingle = try gradient(of: { try $0.gelu().sum() }, at: points.astype(.float32)).astype(.float64)
        let derivativeError = try (derivativeExact - derivativeSingle).abs().max().item() as Double
        #expect(derivativeError < 2e-6)
    }

    /// Empty batches give empty results and gradients of the right shapes (zeros for the parameters).
    @Test func emptyBatches() throws {
        let weight = Variable(try Tensor.randomNormal([3, 4], seed: 1), requiresGradient: true)
        let bias = Variable(try Tensor.randomNormal([3], seed: 2), requiresGradient: true)
        let input = Variable(try Tensor.zeros([0, 4]), requiresGradient: true)
        let output = try Variable.linear(input, weight: weight, bias: bias)
        #expect(output.shape == [0, 3])
        let gradients = try Variable.gradients(of: output.sum(), with: [input, weight, bias])
        #expect(gradients.map { $0.shape } == [[0, 4], [3, 4], [3]])
        let largest = try gradients[1].abs().max().item() as Double
        #expect(largest == 0)
        let scale = Variable(try Tensor.ones([4]), requiresGradient: true)
        let normalized = try input.layerNormalized(weight: scale, bias: Variable(try Tensor.zeros([4])))
        #expect(try Variable.gradients(of: normalized.sum(), with: [scale])[0].shape == [4])
    }

    /// Mixed dtypes go through the composite (promoted), as the unfused operations did.
    @Test func mixedDtypesPromote() throws {
        let input = Variable(try Tensor.randomNormal([2, 3], seed: 3), requiresGradient: true)
        let weight = Variable(try Tensor.randomNormal([4, 3], seed: 4).astype(.float32))
        let product = try Variable.linear(input, weight: weight, bias: nil)
        #expect(product.dtype == DType.float64)
        let scale = Variable(try Tensor.ones([3], dtype: .float32))
        let normalized = try input.layerNormalized(weight: scale, bias: scale)
        #expect(normalized.dtype == DType.float64)
    }

    @Test func errorMessages() throws {
        let x = Variable(try Tensor.zeros([2, 3]))
        do {
            _ = try Variable.linear(x, weight: Variable(try Tensor.zeros([4, 5])), bias: nil)
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description == "linear: input [2, 3] and weight [4, 5]: expected [..., k] and [outputs, k]")
        }
        do {
            _ = try Variable.linear(x, weight: Variable(try Tensor.zeros([4, 3])), bias: Variable(try Tensor.zeros([3])))
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description == "linear: bias [3] for weight [4, 3]: expected [4]")
        }
        do {
            _ = try x.layerNormalized(weight: Variable(try Tensor.ones([2])), bias: Variable(try Tensor.ones([3])))
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description == "layer_norm: input [2, 3] with weight [2] and bias [3]: expected "
                    + "[..., features], [features], [features]")
        }
        do {
            _ = try Variable.selfAttention(Variable(try Tensor.zeros([2, 3, 8])), heads: 2)
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description == "self_attention: qkv of shape [2, 3, 8] is not "
                    + "[n, tokens, 3 · 2 heads · head width]")
        }
        do {
            _ = try Variable.selfAttention(Variable(try Tensor.zeros([2, 3, 6])), heads: 0)
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description == "self_attention: heads must be positive, got 0")
        }
    }
}
