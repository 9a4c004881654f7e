import Autodiff
import Networks
import Tensors
import Testing

@Suite struct LayerGradientTests {
    static let cases: [LayerCase] = [
        .layer("Linear [2, 3, 4] → 5", input: [2, 3, 4]) { try Linear(inputs: 4, outputs: 5, seed: 1) },
        .layer("Linear without bias", input: [3, 4]) { try Linear(inputs: 4, outputs: 2, bias: false, seed: 2) },
        .layer("LayerNorm [3, 5]", input: [3, 5]) {
            let norm = try LayerNorm(features: 5)
            try norm.initializeParametersForTest(seed: 3)
            return norm
        },
        .layer("GELU", input: [2, 3]) { GELU() },
        .layer("ReLU", input: [2, 3]) { ReLU() },
        .layer("SiLU", input: [2, 3]) { SiLU() },
        .layer("Dropout p=0.3 training", input: [3, 4]) { try Dropout(probability: 0.3) },
        .layer("Dropout evaluation", input: [3, 4], training: false) { try Dropout(probability: 0.3) },
        .layer("LayerScale", input: [2, 3, 4]) {
            let scale = try LayerScale(features: 4, initialValue: 0.5)
            try scale.initializeParametersForTest(seed: 4)
            return scale
        },
        .layer("DropPath p=0.5 training", input: [6, 2, 3]) { try DropPath(probability: 0.5) },
        .layer("MLP", input: [2, 3, 4]) { try MLP(features: 4, hidden: 6, seed: 5) },
        .layer("SwiGLU", input: [2, 3, 4]) { try SwiGLU(features: 4, hidden: 3, seed: 6) },
        .layer("Conv2d 3×3 stride 2 padding 1", input: [2, 2, 5, 5]) {
            try Conv2d(channels: 2, outputs: 3, kernel: (3, 3), stride: (2, 2), padding: (1, 1), seed: 7)
        },
        .layer("Conv2d patch 2×2", input: [1, 2, 4, 4]) {
            try Conv2d(channels: 2, outputs: 3, kernel: (2, 2), stride: (2, 2), seed: 8)
        },
        .layer("Conv2d 2×1 no bias", input: [1, 1, 3, 4]) {
            try Conv2d(channels: 1, outputs: 2, kernel: (2, 1), bias: false, seed: 9)
        },
        .layer("average pool 2×2 stride 1", input: [1, 2, 3, 3]) {
            try Pool2d(.average, kernel: (2, 2), stride: (1, 1))
        },
        .layer("max pool 2×2", input: [2, 1, 4, 4]) { try Pool2d(.maximum, kernel: (2, 2)) },
        .layer("BatchNorm [4, 3] training", input: [4, 3]) {
            let norm = try BatchNorm(features: 3)
            try norm.initializeParametersForTest(seed: 10)
            return norm
        },
        .layer("BatchNorm [2, 3, 2, 2] training", input: [2, 3, 2, 2]) {
            let norm = try BatchNorm(features: 3)
            try norm.initializeParametersForTest(seed: 11)
            return norm
        },
        .layer("BatchNorm evaluation", input: [2, 3, 2], training: false) {
            let norm = try BatchNorm(features: 3)
            try norm.initializeParametersForTest(seed: 12)
            norm.runningMean.value = try Tensor.randomNormal([3], seed: 13, dtype: .float32)
            norm.runningVariance.value = try Tensor.randomUniform([3], low: 0.5, high: 2, seed: 14, dtype: .float32)
            return norm
        },
        .layer("Sequential Linear GELU Linear", input: [2, 3]) {
            Sequential([try Linear(inputs: 3, outputs: 4, seed: 15), GELU(),
                        try Linear(inputs: 4, outputs: 2, seed: 16)])
        },
        LayerCase("Embedding", input: nil, make: { try Embedding(count: 5, width: 3, seed: 17) }) { module, _, pass in
            try (module as! Embedding)(Tensor(shape: [2, 3], scalars: [Int64(0), 4, 2, 2, 1, 0]), in: pass)
        },
        LayerCase("MultiHeadSelfAttention [2, 3, 8] heads 2", input: [2, 3, 8],
                  make: { try MultiHeadSelfAttention(features: 8, heads: 2, seed: 18).withLargerWeights() }) {
            module, input, pass in try (module as! MultiHeadSelfAttention)(input!, in: pass)
        },
        LayerCase("MultiHeadSelfAttention with 2-D RoPE", input: [2, 5, 8],
                  make: { try MultiHeadSelfAttention(features: 8, heads: 2, seed: 19).withLargerWeights() }) {
            module, input, pass in
            let rotation = try RotaryEmbedding(rows: 2, columns: 2, headWidth: 4, dtype: .float64)
            return try (module as! MultiHeadSelfAttention)(input!, in: pass, rotation: rotation)
        },
    ]

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ testCase: LayerCase) throws {
        try checkGradients(testCase)
    }
}

extension Module {
    /// Redraws every parameter N(0, 1) so that norm weights, biases and scales are not their trivial 1 and 0 (a
    /// gradient check at weight 1, bias 0 would miss a swapped weight and bias).
    func initializeParametersForTest(seed: UInt64) throws {
        for (index, (_, parameter)) in namedParameters.enumerated() {
            parameter.value = try Tensor.randomNormal(parameter.value.shape, seed: seed &+ UInt64(index) &* 31,
                                                      dtype: parameter.value.dtype)
        }
    }

    /// Scales every weight to N(0, 1) so that attention scores are far from uniform (std 0.02 weights make softmax
    /// almost flat, where a wrong score gradient could hide).
    func withLargerWeights() throws -> Self {
        try initializeParametersForTest(seed: 77)
        return self
    }
}
