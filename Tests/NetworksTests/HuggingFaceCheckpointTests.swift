import Autodiff
import Datasets
import Foundation
import Networks
import Tensors
import Testing

/// Checkpoints written by Hugging Face `transformers` itself (`save_pretrained`, safetensors; Fixtures/huggingface_*/,
/// written by scripts/fixtures/huggingface_network_checkpoint.py with torch and transformers, versions in
/// expected.safetensors' metadata) load through `VisionTransformer.stateFromHuggingFace` and reproduce transformers'
/// `last_hidden_state` (computed in float64).
@Suite struct HuggingFaceCheckpointTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let folder: String
        let dtype: DType
        let tolerance: Double
        var testDescription: String { "\(folder) \(dtype)" }
    }

    static let cases = [
        Case(folder: "huggingface_dinov2", dtype: .float32, tolerance: 1e-4),
        Case(folder: "huggingface_dinov2", dtype: .float64, tolerance: 1e-10),
        Case(folder: "huggingface_dinov2_registers", dtype: .float32, tolerance: 1e-4),
        Case(folder: "huggingface_dinov2_registers", dtype: .float64, tolerance: 1e-10),
    ]

    /// The files of one checkpoint folder.
    struct Checkpoint {
        let configuration: [String: Any]
        let state: [String: Tensor]
        let expected: NetworkReferenceFixture

        init(_ folder: String) throws {
            let configurationPath = try networkReferenceFixturePath(folder + "/config", extension: "json")
            configuration = try #require(try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: configurationPath))) as? [String: Any])
            let contents = try Safetensors.load(try networkReferenceFixturePath(folder + "/model",
                                                                                extension: "safetensors"))
            state = Dictionary(uniqueKeysWithValues: contents.tensors.map { ($0.name, $0.tensor) })
            expected = try NetworkReferenceFixture(folder + "/expected")
        }

        /// The bm model that transformers' config.json describes (the feed-forward width read from the weights, as
        /// transformers rounds SwiGLU's hidden width to a multiple of 8).
        func model(dtype: DType) throws -> VisionTransformer {
            func integer(_ key: String) throws -> Int { try #require(configuration[key] as? Int, "config \(key)") }
            let swiGLU = configuration["use_swiglu_ffn"] as? Bool == true
            let hiddenName = swiGLU ? "encoder.layer.0.mlp.weights_out.weight" : "encoder.layer.0.mlp.fc1.weight"
            let hiddenWeight = try #require(state[hiddenName])
            #expect(configuration["hidden_act"] as? String == "gelu")
            #expect(configuration["layer_norm_eps"] as? Double == 1e-6)
            return try VisionTransformer(
                imageSize: integer("image_size"), patchSize: integer("patch_size"), channels: integer("num_channels"),
                width: integer("hidden_size"), depth: integer("num_hidden_layers"),
                heads: integer("num_attention_heads"), registers: configuration["num_register_tokens"] as? Int ?? 0,
                hiddenWidth: swiGLU ? hiddenWeight.shape[1] : hiddenWeight.shape[0],
                feedForward: swiGLU ? .swiGLU : .mlp, dtype: dtype)
        }
    }

    @Test(arguments: cases) func transformersCheckpointReproducesItsOutput(_ test: Case) throws {
        let checkpoint = try Checkpoint(test.folder)
        #expect(checkpoint.state.values.allSatisfy { $0.dtype == .float32 })
        let model = try checkpoint.model(dtype: test.dtype)
        try model.load(VisionTransformer.stateFromHuggingFace(checkpoint.state))
        model.setTraining(false)
        let pixels = try checkpoint.expected.tensor("pixel_values")
        let pass = ForwardPass()
        let tokens = try model(pixels, in: pass).value
        #expect(tokens.dtype == test.dtype)
        let classTokens = try tokens.get([.all, .index(0), .all])
        let masks = try checkpoint.expected.tensor("bool_masked_pos")
        #expect(masks.dtype == .bool)
        let masked = try model(pixels, in: ForwardPass(), masks: masks).value
        var pairs: [(String, Tensor, Tensor)] = [
            ("last_hidden_state", tokens, try checkpoint.expected.tensor("last_hidden_state")),
            ("pooler_output", classTokens, try checkpoint.expected.tensor("pooler_output")),
            ("masked_last_hidden_state", masked, try checkpoint.expected.tensor("masked_last_hidden_state")),
        ]
        // transformers' hidden_states[i + 1] is layer i's output: bm's recorded "blocks.i".
        for index in model.blocks.indices {
            pairs.append(("hidden_states.\(index + 1)", try #require(pass.activation("blocks.\(index)")).value,
                          try checkpoint.expected.tensor("hidden_states.\(index + 1)")))
        }
        let worst = networkReferenceCompare(pairs, tolerance: test.tolerance)
        print("HuggingFaceCheckpoint \(test.testDescription): largest relative error \(worst.error) (\(worst.label))")
        // The masks matter (the mask token's mapping is checked by the output).
        #expect(networkReferenceRelativeError(masked, tokens) > 1e-2)
    }

    /// Every tensor of the checkpoint is used: the mapped state has exactly the model's names (load would reject
    /// extra or missing ones), and query, key and value are concatenated in that order.
    @Test(arguments: ["huggingface_dinov2", "huggingface_dinov2_registers"])
    func mappingCoversEveryTensor(_ folder: String) throws {
        let checkpoint = try Checkpoint(folder)
        let mapped = try VisionTransformer.stateFromHuggingFace(checkpoint.state)
        let model = try checkpoint.model(dtype: .float32)
        #expect(Set(mapped.keys) == Set(model.state.map(\.name)))
        let qkv = try #require(mapped["blocks.1.attn.qkv.weight"])
        let width = qkv.shape[1]
        for (index, part) in ["query", "key", "value"].enumerated() {
            let original = try #require(checkpoint.state["encoder.layer.1.attention.attention.\(part).weight"])
            let slice = try qkv.get([.slice(start: index * width, stop: (index + 1) * width, step: 1), .all])
            #expect(networkReferenceRelativeError(slice, original) == 0, "\(part)")
        }
    }

    /// A wrong mapping is caught by the output, not only by the names: swapping two blocks' query weights (same
    /// shapes, so loading succeeds) moves the output far beyond the tolerance.
    @Test func swappedWeightsChangeTheOutput() throws {
        let checkpoint = try Checkpoint("huggingface_dinov2")
        var state = checkpoint.state
        let first = "encoder.layer.0.attention.attention.query.weight"
        let second = "encoder.layer.1.attention.attention.query.weight"
        (state[first], state[second]) = (state[second], state[first])
        let model = try checkpoint.model(dtype: .float64)
        try model.load(VisionTransformer.stateFromHuggingFace(state))
        let tokens = try model(checkpoint.expected.tensor("pixel_values"), in: ForwardPass()).value
        #expect(networkReferenceRelativeError(tokens, try checkpoint.expected.tensor("last_hidden_state")) > 1e-2)
    }

    /// A checkpoint tensor with no counterpart, or a block missing one of query, key and value, is named.
    @Test func unmappableCheckpointsNameTheTensor() throws {
        var state = try Checkpoint("huggingface_dinov2").state
        let extra = "encoder.layer.0.attention.attention.rotary.weight"
        state[extra] = try Tensor.zeros([2])
        #expect(throws: TensorError(.invalidArgument, "VisionTransformer.stateFromHuggingFace",
                                    "tensor \"\(extra)\" has no counterpart")) {
            try VisionTransformer.stateFromHuggingFace(state)
        }
        state["encoder.layer.0.attention.attention.rotary.weight"] = nil
        state["encoder.layer.1.attention.attention.key.bias"] = nil
        #expect(throws: TensorError(.invalidArgument, "VisionTransformer.stateFromHuggingFace",
                                    "blocks.1.attn.qkv.bias lacks key")) {
            try VisionTransformer.stateFromHuggingFace(state)
        }
    }

    /// The registers checkpoint does not load into a model without registers: the unexpected tensor is named.
    @Test func checkpointForAnotherArchitectureIsRejected() throws {
        let checkpoint = try Checkpoint("huggingface_dinov2_registers")
        let model = try VisionTransformer(imageSize: 16, patchSize: 4, width: 32, depth: 2, heads: 4,
                                          hiddenWidth: 88, feedForward: .swiGLU)
        #expect(throws: TensorError(.invalidArgument, "Module.load", "unexpected tensor \"register_tokens\"")) {
            try model.load(VisionTransformer.stateFromHuggingFace(checkpoint.state))
        }
    }
}
