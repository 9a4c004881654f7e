import Autodiff
import Tensors
import Testing

/// Composites (built from primitives) against central finite differences, and the float32 path.
@Suite("CompositeGradients")
struct CompositeGradientTests {
    static let labels = Tensor([2, 0, 1, 2] as [Int64])

    /// A 2-layer MLP loss: linear, layer norm with affine, exact GELU, linear, softmax cross-entropy.
    @Sendable static func multilayerLoss(_ inputs: [Variable]) throws -> Variable {
        let (x, w1, b1, gamma, beta, w2, b2) = (inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5],
                                                 inputs[6])
        let hidden = try Variable.matmul(x, w1) + b1
        let normalized = try hidden.layerNormalized() * gamma + beta
        let logits = try Variable.matmul(normalized.gelu(), w2) + b2
        return try Losses.crossEntropy(logits: logits, labels: labels)
    }

    static let composites: [GradientCase] = [
        GradientCase("square", [[3, 4]]) { try $0[0].square() },
        GradientCase("relu", [[3, 4]], domains: [.awayFromZero]) { try $0[0].relu() },
        GradientCase("gelu", [[2, 5]]) { try $0[0].gelu() },
        GradientCase("gelu", [[3, 2]], nonContiguous: true) { try $0[0].gelu() },
        GradientCase("softmax", [[3, 4]]) { try $0[0].softmax() },
        GradientCase("softmax axis 0", [[3, 2, 2]], nonContiguous: true) { try $0[0].softmax(axis: 0) },
        GradientCase("log softmax", [[2, 5]]) { try $0[0].logSoftmax() },
        GradientCase("logsumexp", [[2, 3, 4]]) { try $0[0].logsumexp(axes: [1]) },
        GradientCase("logsumexp keepDims", [[2, 3, 4]]) { try $0[0].logsumexp(axes: [0, 2], keepDims: true) },
        GradientCase("logsumexp all", [[5]]) { try $0[0].logsumexp() },
        GradientCase("variance", [[3, 4]]) { try $0[0].variance(axes: [1]) },
        GradientCase("variance ddof 1", [[3, 4]]) { try $0[0].variance(axes: [0], ddof: 1, keepDims: true) },
        GradientCase("standard deviation", [[2, 6]]) { try $0[0].standardDeviation() },
        GradientCase("layer norm", [[3, 5]]) { try $0[0].layerNormalized() },
        GradientCase("layer norm two axes", [[2, 3, 4]], nonContiguous: true) {
            try $0[0].layerNormalized(axes: [-2, -1])
        },
        GradientCase("mean squared error", [[4, 3], [3]]) { try Losses.meanSquaredError($0[0], $0[1]) },
        GradientCase("cross-entropy labels", [[4, 3]]) { try Losses.crossEntropy(logits: $0[0], labels: labels) },
        GradientCase("cross-entropy labels batched", [[2, 2, 3]]) {
            try Losses.crossEntropy(logits: $0[0], labels: try labels.reshaped([2, 2]))
        },
        GradientCase("cross-entropy targets", [[4, 3], [4, 3]]) {
            try Losses.crossEntropy(logits: $0[0], targets: $0[1].softmax())
        },
        GradientCase("mlp loss", [[4, 5], [5, 6], [6], [6], [6], [6, 3], [3]], Self.multilayerLoss),
    ]

    @Test(arguments: composites)
    func compositeGradient(_ testCase: GradientCase) throws {
        try checkGradients(testCase)
    }

    /// Float32 inputs give float32 gradients, close to the float64 ones.
    @Test func float32GradientsKeepTheirDtype() throws {
        let shapes: [[Int]] = [[4, 5], [5, 6], [6], [6], [6], [6, 3], [3]]
        let points = try shapes.enumerated().map { try Tensor.randomNormal($1, seed: UInt64(40 + $0)) }
        let double = try gradient(of: Self.multilayerLoss, at: points)
        let single = try gradient(of: Self.multilayerLoss, at: points.map { $0.astype(.float32) })
        for (a, b) in zip(double, single) {
            #expect(b.dtype == .float32)
            #expect(Tensor.allClose(a, b.astype(.float64), relativeTolerance: 1e-4, absoluteTolerance: 1e-5))
        }
    }
}
