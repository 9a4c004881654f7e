import Tensors

extension VisionTransformer {
    /// A Hugging Face `Dinov2Model` / `Dinov2WithRegistersModel` state (`transformers` names) renamed to this
    /// model's names (those of DINOv2's reference implementation), so that `load` accepts it:
    /// "embeddings.cls_token" → "cls_token", "embeddings.position_embeddings" → "pos_embed",
    /// "embeddings.patch_embeddings.projection.*" → "patch_embed.proj.*",
    /// "encoder.layer.i.attention.attention.{query,key,value}.*" → "blocks.i.attn.qkv.*" (concatenated in that order
    /// along the output axis), "…attention.output.dense.*" → "…attn.proj.*", "…layer_scale{1,2}.lambda1" →
    /// "…ls{1,2}.gamma", "…mlp.weights_in/weights_out" → "…mlp.w12/w3", "layernorm.*" → "norm.*".
    /// A leading "dinov2." (task models) is removed.
    /// Throws `invalidArgument` naming a tensor that has no counterpart, or a layer missing one of query, key, value.
    public static func stateFromHuggingFace(_ state: [String: Tensor]) throws -> [String: Tensor] {
        let operation = "VisionTransformer.stateFromHuggingFace"
        var result: [String: Tensor] = [:]
        var attentionParts: [String: [String: Tensor]] = [:]    // "blocks.i.attn.qkv.weight" → part → tensor
        let fixed = [
            "embeddings.cls_token": "cls_token", "embeddings.mask_token": "mask_token",
            "embeddings.register_tokens": "register_tokens", "embeddings.position_embeddings": "pos_embed",
            "embeddings.patch_embeddings.projection.weight": "patch_embed.proj.weight",
            "embeddings.patch_embeddings.projection.bias": "patch_embed.proj.bias",
            "layernorm.weight": "norm.weight", "layernorm.bias": "norm.bias",
        ]
        let blockParts = [
            "norm1": "norm1", "norm2": "norm2", "attention.output.dense": "attn.proj",
            "layer_scale1.lambda1": "ls1.gamma", "layer_scale2.lambda1": "ls2.gamma",
            "mlp.fc1": "mlp.fc1", "mlp.fc2": "mlp.fc2", "mlp.weights_in": "mlp.w12", "mlp.weights_out": "mlp.w3",
        ]
        for (originalName, tensor) in state {
            let name = originalName.hasPrefix("dinov2.") ? String(originalName.dropFirst(7)) : originalName
            if let mapped = fixed[name] {
                result[mapped] = tensor
                continue
            }
            let pieces = name.split(separator: ".", maxSplits: 3).map(String.init)
            guard pieces.count == 4, pieces[0] == "encoder", pieces[1] == "layer", let index = Int(pieces[2]) else {
                throw TensorError(.invalidArgument, operation, "tensor \"\(originalName)\" has no counterpart")
            }
            let rest = pieces[3]
            let block = "blocks.\(index)"
            if let lambda = blockParts[rest] {
                result["\(block).\(lambda)"] = tensor
                continue
            }
            let suffix = rest.hasSuffix(".weight") ? "weight" : rest.hasSuffix(".bias") ? "bias" : ""
            let stem = suffix.isEmpty ? rest : String(rest.dropLast(suffix.count + 1))
            if let mapped = blockParts[stem] {
                result["\(block).\(mapped).\(suffix)"] = tensor
            } else if ["attention.attention.query", "attention.attention.key", "attention.attention.value"]
                        .contains(stem) {
                attentionParts["\(block).attn.qkv.\(suffix)", default: [:]][stem] = tensor
            } else {
                throw TensorError(.invalidArgument, operation, "tensor \"\(originalName)\" has no counterpart")
            }
        }
        for (name, parts) in attentionParts {
            let order = ["query", "key", "value"].map { "attention.attention." + $0 }
            let tensors = order.compactMap { parts[$0] }
            guard tensors.count == 3 else {
                let missing = order.filter { parts[$0] == nil }.map { $0.split(separator: ".").last! }
                throw TensorError(.invalidArgument, operation, "\(name) lacks \(missing.joined(separator: ", "))")
            }
            result[name] = try Tensor.concatenate(tensors, axis: 0)
        }
        return result
    }
}
