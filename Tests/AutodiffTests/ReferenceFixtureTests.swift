import Autodiff
import Foundation
import Tensors
import Testing

/// Gradients of a 2-layer MLP (linear, layer norm, exact GELU, linear, softmax cross-entropy) compared with JAX's in
/// float64 (Fixtures/mlp_gradients.json, written by scripts/fixtures/autodiff_fixtures.py; versions in the file).
@Suite("ReferenceFixtures")
struct ReferenceFixtureTests {
    struct Array64: Decodable {
        let shape: [Int]
        let data: [Double]
        var tensor: Tensor { try! Tensor(shape: shape, scalars: data) }
    }
    struct Fixture: Decodable {
        let versions: [String: String]
        let epsilon: Double
        let parameters: [String: Array64]
        let labels: [Int64]
        let loss: Double
        let gradients: [String: Array64]
        let intermediateGradients: [String: Array64]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/mlp_gradients", withExtension: "json")
            ?? Bundle.module.url(forResource: "mlp_gradients", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()
    static let names = ["x", "w1", "b1", "gamma", "beta", "w2", "b2"]

    /// |a - b| ≤ 1e-6 · |b| + 1e-12 elementwise.
    func expectClose(_ a: Tensor, _ b: Tensor, _ label: String) {
        #expect(a.shape == b.shape, "\(label)")
        let x = a.contiguous().scalars(as: Double.self), y = b.contiguous().scalars(as: Double.self)
        let bad = zip(x, y).enumerated().first { !(Swift.abs($1.0 - $1.1) <= 1e-6 * Swift.abs($1.1) + 1e-12) }
        #expect(bad == nil, "\(label): element \(bad.map { "\($0.offset): \($0.element)" } ?? "")")
    }

    @Test func multilayerPerceptronMatchesJAX() throws {
        let fixture = Self.fixture
        let variables = Self.names.map { Variable(fixture.parameters[$0]!.tensor, requiresGradient: true) }
        let (x, w1, b1, gamma, beta, w2, b2) = (variables[0], variables[1], variables[2], variables[3], variables[4],
                                                 variables[5], variables[6])
        let hidden = try Variable.matmul(x, w1) + b1
        let activation = try (hidden.layerNormalized(epsilon: fixture.epsilon) * gamma + beta).gelu()
        let logits = try Variable.matmul(activation, w2) + b2
        let loss = try Losses.crossEntropy(logits: logits, labels: Tensor(fixture.labels))

        #expect(Swift.abs(try loss.value.item() - fixture.loss) <= 1e-12 * Swift.abs(fixture.loss))
        let pass = try Variable.backward(of: loss, with: variables + [hidden, activation, logits])
        for (index, name) in Self.names.enumerated() {
            expectClose(pass.gradients[index], fixture.gradients[name]!.tensor, name)
        }
        for (offset, name) in ["h", "a", "logits"].enumerated() {
            expectClose(pass.gradients[Self.names.count + offset], fixture.intermediateGradients[name]!.tensor, name)
        }
        // The intermediate values' gradients became final from the last layer back to the first.
        let intermediate = pass.completionOrder.filter { $0 >= Self.names.count }
        #expect(intermediate == [9, 8, 7])
        #expect(fixture.versions["jax"] != nil)
    }
}
