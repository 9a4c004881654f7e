import Datasets
import Foundation
import Language
import Networks
import Tensors

/// Saving and loading model weights as safetensors.
///
/// Files bm writes hold the model's state under DINOv2's reference names ("blocks.0.attn.qkv.weight", what
/// `torch.hub` DINOv2 checkpoints use) or, with `names="huggingface"`, under `transformers`' Dinov2Model names
/// ("encoder.layer.0.attention.attention.query.weight", …), plus the metadata "bm.model" (the builder's keywords as
/// JSON, so that `load_model` rebuilds the architecture) and "format": "pt". Loading accepts either naming, a
/// `transformers` file with a leading "dinov2.", and bm training checkpoints ("model.<name>", optimiser state
/// ignored).
enum ModelFiles {
    static let configurationKey = "bm.model"

    /// Writes `object`'s weights to `path` atomically. Throws `LanguageError` for an unknown naming, `DataError`
    /// (`safetensors.save`) for a missing folder or a failed write.
    static func save(_ object: ModelObject, to path: String, names: String) throws {
        var tensors = object.model.state.map { (name: $0.name, tensor: $0.value) }
        switch names {
        case "dinov2": break
        case "huggingface":
            guard object.visionTransformer != nil else {
                throw LanguageError("model.save: names=\"huggingface\" is only defined for vit models")
            }
            tensors = try huggingFaceState(object.model.state)
        default:
            throw LanguageError("model.save: names must be \"dinov2\" or \"huggingface\", got \"\(names)\"")
        }
        try Safetensors.save(path, tensors, metadata: [configurationKey: try object.configuration.json(),
                                                       "format": "pt"])
    }

    /// Replaces `object`'s weights by those in the safetensors file at `path` (any accepted naming; for a `train`
    /// checkpoint, the backbone `network` names, see `trainedBackbone`). Nothing changes unless every tensor fits.
    /// Throws `DataError` for an unreadable file, `LanguageError` for a `network` the file does not hold,
    /// `TensorError` (`Module.load`) naming a missing or unexpected tensor or a shape that differs.
    static func load(_ path: String, into object: ModelObject, network: String? = nil) throws {
        let contents = try Safetensors.load(path)
        var state = try modelState(contents.tensors, isVisionTransformer: object.visionTransformer != nil)
        if isCheckpoint(contents.tensors) {
            state = try trainedBackbone(state, network: network, path: path)
        } else if let network {
            throw LanguageError("model.load: network=\"\(network)\" applies to training checkpoints; \(path) holds "
                                + "one model's weights")
        }
        try object.model.load(state)
    }

    /// The backbone a `train` checkpoint holds under `network`: DINO runs keep "student.backbone.…" and
    /// "teacher.backbone.…" (besides heads and centres), supervised runs "classifier.backbone.…". A checkpoint of
    /// one network needs no `network`; a DINO one needs "student" or "teacher". Other checkpoints (a bare model
    /// saved with `Checkpoint.save`) are returned as they are. Throws `LanguageError` naming the networks there are.
    static func trainedBackbone(_ state: [String: Tensor], network: String?, path: String) throws -> [String: Tensor] {
        let networks = ["student", "teacher", "classifier"].filter { name in
            state.keys.contains { $0.hasPrefix(name + ".backbone.") }
        }
        let listed = networks.map { "\"\($0)\"" }.joined(separator: " or ")
        let chosen: String
        if let network {
            guard networks.contains(network) else {
                throw LanguageError("model.load: \(path) holds " + (networks.isEmpty ? "a single network" : listed)
                                    + ", not network=\"\(network)\"")
            }
            chosen = network
        } else if networks.count == 1 {
            chosen = networks[0]
        } else if networks.isEmpty {
            return state
        } else {
            throw LanguageError("model.load: \(path) is a DINO training checkpoint holding a student and a teacher: "
                                + "pass network=\"student\" or network=\"teacher\"")
        }
        let prefix = chosen + ".backbone."
        return state.filter { $0.key.hasPrefix(prefix) }
            .reduce(into: [:]) { $0[String($1.key.dropFirst(prefix.count))] = $1.value }
    }

    /// A new model from the file at `path`: its architecture from the metadata "bm.model", or, for a
    /// `transformers` file without it, from the `config.json` beside it. Throws `LanguageError` when neither
    /// describes the model, and what `load` throws.
    static func loadModel(_ path: String, context: BindingContext) throws -> ModelObject {
        let contents = try Safetensors.load(path)
        let configuration: ModelConfiguration
        if let json = contents.metadata[configurationKey] {
            configuration = try ModelConfiguration.from(json: json, path: path)
        } else {
            let beside = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("config.json")
            guard let data = FileManager.default.contents(atPath: beside.path) else {
                throw LanguageError("load_model: \(path): the file does not say which model it holds (no metadata "
                                    + "\"\(configurationKey)\" and no config.json beside it); build the model with "
                                    + "vit(...) and call model.load(path)")
            }
            configuration = .visionTransformer(try huggingFaceSettings(data, path: beside.path))
        }
        let object = ModelObject(try configuration.build(), configuration: configuration, context: context)
        try object.model.load(try modelState(contents.tensors, isVisionTransformer: object.visionTransformer != nil))
        return object
    }

    /// The model's own names for the tensors of a file: bm checkpoints lose their "model." prefix (and their
    /// "optimizer." tensors), `transformers` names are translated.
    static func modelState(_ tensors: [(name: String, tensor: Tensor)], isVisionTransformer: Bool) throws
        -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        let isCheckpoint = isCheckpoint(tensors)
        for (name, tensor) in tensors {
            if isCheckpoint {
                guard name.hasPrefix("model.") else { continue }
                state[String(name.dropFirst("model.".count))] = tensor.copy()
            } else {
                state[name] = tensor.copy()
            }
        }
        let looksHuggingFace = state.keys.contains { $0.hasPrefix("embeddings.") || $0.hasPrefix("dinov2.") }
        if isVisionTransformer && looksHuggingFace { state = try VisionTransformer.stateFromHuggingFace(state) }
        return state
    }

    /// Whether the tensors are a bm training checkpoint's: "model.…" and "optimizer.…" only.
    static func isCheckpoint(_ tensors: [(name: String, tensor: Tensor)]) -> Bool {
        tensors.contains { $0.name.hasPrefix("model.") }
            && tensors.allSatisfy { $0.name.hasPrefix("model.") || $0.name.hasPrefix("optimizer.") }
    }

    /// DINOv2 reference names → `transformers` Dinov2Model names (the inverse of
    /// `VisionTransformer.stateFromHuggingFace`; "blocks.i.attn.qkv.*" is split into query, key and value).
    static func huggingFaceState(_ state: [(name: String, value: Tensor)]) throws -> [(name: String, tensor: Tensor)] {
        let fixed = [
            "cls_token": "embeddings.cls_token", "mask_token": "embeddings.mask_token",
            "register_tokens": "embeddings.register_tokens", "pos_embed": "embeddings.position_embeddings",
            "patch_embed.proj.weight": "embeddings.patch_embeddings.projection.weight",
            "patch_embed.proj.bias": "embeddings.patch_embeddings.projection.bias",
            "norm.weight": "layernorm.weight", "norm.bias": "layernorm.bias",
        ]
        let blockParts = [
            "norm1": "norm1", "norm2": "norm2", "attn.proj": "attention.output.dense", "ls1.gamma": "layer_scale1.lambda1",
            "ls2.gamma": "layer_scale2.lambda1", "mlp.fc1": "mlp.fc1", "mlp.fc2": "mlp.fc2", "mlp.w12": "mlp.weights_in",
            "mlp.w3": "mlp.weights_out",
        ]
        var result: [(name: String, tensor: Tensor)] = []
        for (name, tensor) in state {
            if let mapped = fixed[name] { result.append((mapped, tensor)); continue }
            let pieces = name.split(separator: ".", maxSplits: 2).map(String.init)
            guard pieces.count == 3, pieces[0] == "blocks", let index = Int(pieces[1]) else {
                throw LanguageError("model.save: tensor \"\(name)\" has no Hugging Face name")
            }
            let layer = "encoder.layer.\(index)."
            let rest = pieces[2]
            if rest == "attn.qkv.weight" || rest == "attn.qkv.bias" {
                let suffix = rest.hasSuffix("weight") ? "weight" : "bias"
                let parts = try tensor.split(sections: 3, axis: 0)
                for (part, piece) in zip(["query", "key", "value"], parts) {
                    result.append((layer + "attention.attention.\(part).\(suffix)", piece.contiguous()))
                }
                continue
            }
            if let mapped = blockParts[rest] { result.append((layer + mapped, tensor)); continue }
            let suffix = rest.hasSuffix(".weight") ? "weight" : rest.hasSuffix(".bias") ? "bias" : ""
            let stem = suffix.isEmpty ? rest : String(rest.dropLast(suffix.count + 1))
            guard let mapped = blockParts[stem], !suffix.isEmpty else {
                throw LanguageError("model.save: tensor \"\(name)\" has no Hugging Face name")
            }
            result.append((layer + mapped + "." + suffix, tensor))
        }
        return result
    }

    /// `vit` settings from a `transformers` Dinov2Config (`config.json`). Throws when a required field is missing.
    static func huggingFaceSettings(_ data: Data, path: String) throws -> VisionTransformerSettings {
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LanguageError("load_model: \(path) is not a JSON object")
        }
        func integer(_ key: String) throws -> Int {
            guard let value = json[key] as? NSNumber else {
                throw LanguageError("load_model: \(path) lacks \"\(key)\" (a Dinov2Config field)")
            }
            return value.intValue
        }
        var settings = VisionTransformerSettings(imageSize: try integer("image_size"), patch: try integer("patch_size"),
                                                 width: try integer("hidden_size"),
                                                 depth: try integer("num_hidden_layers"),
                                                 heads: try integer("num_attention_heads"))
        settings.channels = (json["num_channels"] as? NSNumber)?.intValue ?? 3
        settings.mlpRatio = (json["mlp_ratio"] as? NSNumber)?.doubleValue ?? 4
        settings.registers = (json["num_register_tokens"] as? NSNumber)?.intValue ?? 0
        settings.feedForward = (json["use_swiglu_ffn"] as? Bool) == true ? "swiglu" : "mlp"
        settings.layerScale = (json["layerscale_value"] as? NSNumber)?.doubleValue ?? 1
        return settings
    }
}
