import Autodiff
import Datasets
import Foundation
import Networks
import Tensors
import Testing

// Helpers shared by the reference-fixture suites of this target (ViT, ResNet, Hugging Face checkpoint); prefixed
// with `networkReference` so that they cannot clash with other test files.

/// The path of `Fixtures/<name>` in the test bundle.
func networkReferenceFixturePath(_ name: String, extension fileExtension: String) throws -> String {
    let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: fileExtension)
        ?? Bundle.module.url(forResource: name, withExtension: fileExtension)
    return try #require(url, "fixture \(name).\(fileExtension) is missing from the test bundle").path
}

/// A fixture written by a script of scripts/fixtures: its tensors by name and its header metadata.
struct NetworkReferenceFixture {
    let tensors: [String: Tensor]
    let metadata: [String: String]

    init(_ name: String) throws {
        let contents = try Safetensors.load(try networkReferenceFixturePath(name, extension: "safetensors"))
        tensors = Dictionary(uniqueKeysWithValues: contents.tensors.map { ($0.name, $0.tensor) })
        metadata = contents.metadata
    }

    /// The tensor `name`; records an issue (and throws) when the fixture lacks it.
    func tensor(_ name: String) throws -> Tensor { try #require(tensors[name], "fixture has no tensor \(name)") }

    /// The tensors whose names start with `prefix`, with the prefix removed.
    func tensors(prefixed prefix: String) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: tensors.filter { $0.key.hasPrefix(prefix) }
            .map { (String($0.key.dropFirst(prefix.count)), $0.value) })
    }

    /// The JSON object stored under `key` in the metadata.
    func json(_ key: String) throws -> [String: Any] {
        let text = try #require(metadata[key], "fixture metadata has no \(key)")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

/// max |actual - expected| / max |expected|: the error relative to the tensor's scale (elementwise relative errors
/// are meaningless for elements near zero). Shapes must agree (infinity otherwise).
func networkReferenceRelativeError(_ actual: Tensor, _ expected: Tensor) -> Double {
    guard actual.shape == expected.shape else { return .infinity }
    let a = actual.astype(.float64).contiguous().scalars(as: Double.self)
    let e = expected.astype(.float64).contiguous().scalars(as: Double.self)
    let scale = e.map { Swift.abs($0) }.max() ?? 0
    let difference = zip(a, e).map { Swift.abs($0 - $1) }.max() ?? 0
    if difference.isNaN { return .infinity }
    return scale == 0 ? difference : difference / scale
}

/// Compares every `(label, actual, expected)` at `tolerance` and returns the largest relative error with its label.
@discardableResult
func networkReferenceCompare(_ pairs: [(String, Tensor, Tensor)], tolerance: Double,
                             sourceLocation: SourceLocation = #_sourceLocation) -> (label: String, error: Double) {
    var worst = (label: "", error: 0.0)
    for (label, actual, expected) in pairs {
        #expect(actual.shape == expected.shape, "\(label): shape", sourceLocation: sourceLocation)
        let error = networkReferenceRelativeError(actual, expected)
        #expect(error <= tolerance, "\(label): relative error \(error) > \(tolerance)", sourceLocation: sourceLocation)
        if !(error <= worst.error) { worst = (label, error) }
    }
    return worst
}

/// A small DINOv2-style ViT (learned position embeddings with an MLP, or bm's 2-D RoPE with SwiGLU; registers,
/// LayerScale and masks in both) on JAX's float64 forward pass, loss and gradients
/// (Fixtures/vit_reference_*.safetensors, written by scripts/fixtures/vit_reference.py; versions in the metadata).
@Suite struct ViTReferenceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let fixture: String
        let dtype: DType
        let tolerance: Double
        var testDescription: String { "\(fixture) \(dtype)" }
    }

    static let cases = [
        Case(fixture: "vit_reference_learned", dtype: .float32, tolerance: 1e-4),
        Case(fixture: "vit_reference_learned", dtype: .float64, tolerance: 1e-10),
        Case(fixture: "vit_reference_rope", dtype: .float32, tolerance: 1e-4),
        Case(fixture: "vit_reference_rope", dtype: .float64, tolerance: 1e-10),
    ]

    /// The model the fixture's configuration describes, with the fixture's weights, in `dtype`.
    static func model(_ fixture: NetworkReferenceFixture, dtype: DType) throws -> VisionTransformer {
        let c = try fixture.json("config")
        func integer(_ key: String) throws -> Int { try #require(c[key] as? Int, "config.\(key)") }
        let model = try VisionTransformer(
            imageSize: integer("imageSize"), patchSize: integer("patchSize"), channels: integer("channels"),
            width: integer("width"), depth: integer("depth"), heads: integer("heads"), registers: integer("registers"),
            positional: c["positional"] as? String == "rope2D" ? .rope2D : .learned, hiddenWidth: integer("hidden"),
            feedForward: c["feedForward"] as? String == "swiGLU" ? .swiGLU : .mlp, layerScale: 1, dtype: dtype)
        try model.load(fixture.tensors(prefixed: "model."))
        return model
    }

    @Test(arguments: cases) func forwardLossAndEveryGradientMatchJAX(_ test: Case) throws {
        let fixture = try NetworkReferenceFixture(test.fixture)
        let model = try Self.model(fixture, dtype: test.dtype)
        let depth = model.blocks.count
        let images = Variable(try fixture.tensor("input.images").astype(test.dtype), requiresGradient: true)
        let target = Variable(try fixture.tensor("input.target").astype(test.dtype))
        let pass = ForwardPass(recordsGradients: true)
        let tokens = try model(images, in: pass, masks: fixture.tensor("input.masks"))
        #expect(tokens.dtype == test.dtype)
        let loss = try Losses.meanSquaredError(tokens, target)

        let named = model.namedParameters
        let blocks = try (0..<depth).map { try #require(pass.activation("blocks.\($0)")) }
        let backward = try Variable.backward(of: loss, with: named.map { pass.variable(for: $0.parameter) }
                                                 + [images] + blocks)
        var pairs: [(String, Tensor, Tensor)] = [
            ("tokens", tokens.value, try fixture.tensor("output.tokens")),
            ("loss", try loss.value.reshaped([1]), try fixture.tensor("output.loss")),
            ("gradient.images", backward.gradients[named.count], try fixture.tensor("gradient.images")),
        ]
        for index in 0..<depth {
            pairs.append(("output.blocks.\(index)", blocks[index].value,
                          try fixture.tensor("output.blocks.\(index)")))
            pairs.append(("gradient.blocks.\(index)", backward.gradients[named.count + 1 + index],
                          try fixture.tensor("gradient.blocks.\(index)")))
        }
        for (index, (name, _)) in named.enumerated() {
            pairs.append(("gradient." + name, backward.gradients[index], try fixture.tensor("gradient." + name)))
        }
        // Every parameter of the model has a reference gradient and every reference gradient a parameter.
        #expect(Set(named.map(\.name)) == Set(fixture.tensors(prefixed: "gradient.").keys)
            .subtracting(["images"] + (0..<depth).map { "blocks.\($0)" }))
        let worst = networkReferenceCompare(pairs, tolerance: test.tolerance)
        print("ViTReference \(test.testDescription): \(pairs.count) tensors, largest relative error "
              + "\(worst.error) (\(worst.label))")
        // The gradients are not trivially small: the fixture's weights make every block matter.
        #expect(try backward.gradients[named.count].abs().max().item() > 1e-3)
        // Block gradients were completed from the last block back to the first.
        let blockOrder = backward.completionOrder.filter { $0 > named.count }
        #expect(blockOrder == (0..<depth).reversed().map { named.count + 1 + $0 })
    }

    /// The same weights without the masks give other tokens: the masked patches are really replaced.
    @Test func masksChangeTheOutput() throws {
        let fixture = try NetworkReferenceFixture("vit_reference_learned")
        let model = try Self.model(fixture, dtype: .float64)
        let images = try fixture.tensor("input.images")
        let unmasked = try model(images, in: ForwardPass()).value
        #expect(networkReferenceRelativeError(unmasked, try fixture.tensor("output.tokens")) > 1e-3)
    }

    /// The fixture records the JAX version that computed it.
    @Test func fixturesRecordTheirGenerator() throws {
        for name in ["vit_reference_learned", "vit_reference_rope"] {
            let fixture = try NetworkReferenceFixture(name)
            #expect(try fixture.json("versions")["jax"] is String)
            #expect(fixture.metadata["generator"] == "scripts/fixtures/vit_reference.py")
        }
    }
}
