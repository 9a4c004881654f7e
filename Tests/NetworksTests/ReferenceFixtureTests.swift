import Autodiff
import Foundation
import Networks
import Tensors
import Testing

/// The tiny ViT against an independent numpy transcription of DINOv2's reference forward pass
/// (Fixtures/vit_forward.json, written by Fixtures/make_vit_fixture.py; the numpy version is in the file).
@Suite struct ReferenceFixtureTests {
    struct Encoded: Decodable {
        let shape: [Int]
        let data: [Double]
        func tensor() throws -> Tensor { try Tensor(shape: shape, scalars: data) }
    }
    struct Configuration: Decodable {
        let imageSize, patchSize, channels, width, depth, heads, registers, hidden: Int
    }
    struct Fixture: Decodable {
        let configuration: Configuration
        let state: [String: Encoded]
        let images, masks, tokens: Encoded
        let blocks: [Encoded]
    }

    @Test func tinyViTMatchesTheNumpyReference() throws {
        let url = Bundle.module.url(forResource: "Fixtures/vit_forward", withExtension: "json")
            ?? Bundle.module.url(forResource: "vit_forward", withExtension: "json")!
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let c = fixture.configuration
        let model = try VisionTransformer(imageSize: c.imageSize, patchSize: c.patchSize, channels: c.channels,
                                          width: c.width, depth: c.depth, heads: c.heads, registers: c.registers,
                                          hiddenWidth: c.hidden, dtype: .float64)
        try model.load(fixture.state.mapValues { try $0.tensor() })
        let masks = try fixture.masks.tensor() .!= 0
        let pass = ForwardPass()
        let tokens = try model(fixture.images.tensor(), in: pass, masks: masks).value
        #expect(tokens.shape == fixture.tokens.shape)
        func difference(_ a: Tensor, _ b: Encoded) -> Double {
            zip(a.contiguous().scalars(as: Double.self), b.data).map { Swift.abs($0 - $1) }.max() ?? .infinity
        }
        #expect(difference(tokens, fixture.tokens) < 1e-10)
        for (index, block) in fixture.blocks.enumerated() {
            let recorded = try #require(pass.activation("blocks.\(index)"))
            #expect(difference(recorded.value, block) < 1e-10, "blocks.\(index)")
        }
        // The masks matter: without them the output differs.
        let unmasked = try model(fixture.images.tensor(), in: ForwardPass()).value
        #expect(difference(unmasked, fixture.tokens) > 1e-3)
    }
}
