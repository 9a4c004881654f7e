import Autodiff
import Networks
import Tensors
import Testing

@Suite struct HuggingFaceNameTests {
    /// `model`'s state under the names of Hugging Face's `Dinov2Model`, written out name by name from the
    /// `transformers` modelling code (query, key and value as separate projections).
    func huggingFaceState(of model: VisionTransformer, prefix: String = "") throws -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for (name, value) in model.state {
            let parts = name.split(separator: ".").map(String.init)
            switch name {
            case "cls_token", "mask_token", "register_tokens": state["embeddings." + name] = value
            case "pos_embed": state["embeddings.position_embeddings"] = value
            case "patch_embed.proj.weight", "patch_embed.proj.bias":
                state["embeddings.patch_embeddings.projection." + parts[2]] = value
            case "norm.weight", "norm.bias": state["layernorm." + parts[1]] = value
            default:
                let layer = "encoder.layer.\(parts[1])."
                let rest = parts[2...].joined(separator: ".")
                switch rest {
                case "attn.qkv.weight", "attn.qkv.bias":
                    let thirds = try value.split(sections: 3, axis: 0)
                    for (index, role) in ["query", "key", "value"].enumerated() {
                        state[layer + "attention.attention.\(role).\(parts[4])"] = thirds[index]
                    }
                case "attn.proj.weight", "attn.proj.bias": state[layer + "attention.output.dense." + parts[4]] = value
                case "ls1.gamma": state[layer + "layer_scale1.lambda1"] = value
                case "ls2.gamma": state[layer + "layer_scale2.lambda1"] = value
                case "mlp.w12.weight", "mlp.w12.bias": state[layer + "mlp.weights_in." + parts[4]] = value
                case "mlp.w3.weight", "mlp.w3.bias": state[layer + "mlp.weights_out." + parts[4]] = value
                default: state[layer + rest] = value    // norm1, norm2, mlp.fc1, mlp.fc2 keep their names
                }
            }
        }
        return Dictionary(uniqueKeysWithValues: state.map { (prefix + $0.key, $0.value) })
    }

    @Test(arguments: [(VisionTransformer.FeedForward.mlp, ""), (.swiGLU, "dinov2.")])
    func huggingFaceStatesLoadIntoTheSameNetwork(_ configuration: (VisionTransformer.FeedForward, String)) throws {
        func make(seed: UInt64) throws -> VisionTransformer {
            try VisionTransformer(imageSize: 8, patchSize: 4, width: 16, depth: 2, heads: 2, registers: 2,
                                  feedForward: configuration.0, seed: seed)
        }
        let source = try make(seed: 1), target = try make(seed: 2)
        let hugging = try huggingFaceState(of: source, prefix: configuration.1)
        #expect(hugging["\(configuration.1)encoder.layer.1.attention.attention.key.weight"]?.shape == [16, 16])
        try target.load(VisionTransformer.stateFromHuggingFace(hugging))
        for ((name, a), (_, b)) in zip(source.state, target.state) {
            #expect(a.scalars(as: Float.self) == b.scalars(as: Float.self), "\(name)")
        }
        let images = try Tensor.randomNormal([2, 3, 8, 8], seed: 3, dtype: .float32)
        #expect(try source(images, in: ForwardPass()).value.scalars(as: Float.self)
                == target(images, in: ForwardPass()).value.scalars(as: Float.self))
    }

    @Test func unknownOrIncompleteTensorsAreNamed() throws {
        let zeros = try Tensor.zeros([2])
        #expect(throws: TensorError(.invalidArgument, "VisionTransformer.stateFromHuggingFace",
                                    "tensor \"pooler.dense.weight\" has no counterpart")) {
            try VisionTransformer.stateFromHuggingFace(["pooler.dense.weight": zeros])
        }
        #expect(throws: TensorError(.invalidArgument, "VisionTransformer.stateFromHuggingFace",
                                    "tensor \"encoder.layer.0.attention.rope.freqs\" has no counterpart")) {
            try VisionTransformer.stateFromHuggingFace(["encoder.layer.0.attention.rope.freqs": zeros])
        }
        #expect(throws: TensorError(.invalidArgument, "VisionTransformer.stateFromHuggingFace",
                                    "blocks.0.attn.qkv.bias lacks key, value")) {
            try VisionTransformer.stateFromHuggingFace(["encoder.layer.0.attention.attention.query.bias": zeros])
        }
    }
}
