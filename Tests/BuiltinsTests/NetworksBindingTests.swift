import Datasets
import Foundation
import Language
import Networks
import Tensors
import Testing
@testable import Builtins

/// The network bindings seen from a host: documentation, the Swift model behind a script's `model`, and the weight
/// files (bm's own, Hugging Face names with a config.json, training checkpoints).
@Suite struct NetworksBindingTests {
    func interpreter() throws -> Interpreter {
        let interpreter = try Interpreter()
        Builtins.install(into: interpreter)
        return interpreter
    }

    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "bm-networks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func model(_ bm: Interpreter, _ expression: String) throws -> ModelObject {
        guard case .native(let object) = try bm.evaluate(expression), let model = object as? ModelObject else {
            Issue.record("\(expression) is not a model")
            throw LanguageError("not a model")
        }
        return model
    }

    func tensor(_ bm: Interpreter, _ expression: String) throws -> Tensor {
        try TensorConversion.tensor(from: try bm.evaluate(expression), operation: "test")
    }

    @Test(arguments: ["vit", "load_model", "m.activations", "m.gradients", "m.forward", "m.save", "m.load"])
    func everyFunctionStatesItsSignatureResultAndErrors(_ name: String) throws {
        let bm = try interpreter()
        var printed = ""
        bm.output = { printed += $0 }
        try bm.run(source: "let m = vit(image_size=8, patch=4, width=16, depth=1, heads=2)\nhelp(\(name))",
                   file: "help.bm")
        let shortName = name.split(separator: ".").last!
        #expect(printed.contains("\(shortName)("), "help(\(name)) shows the signature: \(printed)")
        #expect(printed.contains("→"), "help(\(name)) says what it returns: \(printed)")
        #expect(printed.contains("Errors"), "help(\(name)) lists its errors: \(printed)")
    }

    /// The script's model is the Swift model: changing its parameters in place (as training does) changes what
    /// the script reads next, and the configuration describes the model built.
    @Test func theScriptModelIsTheSwiftModel() throws {
        let bm = try interpreter()
        try bm.run(source: """
            let m = vit(image_size=8, patch=4, width=16, depth=2, heads=2, registers=2, feed_forward="swiglu", seed=4)
            let x = rand([3, 8, 8, 3], seed=1, dtype="float32")
            let before = m.activations(x).norm
            """, file: "model.bm")
        let object = try model(bm, "m")
        let transformer = try #require(object.visionTransformer)
        #expect(transformer.registers == 2 && transformer.blocks.count == 2 && transformer.width == 16)
        #expect(object.model.layerNames == ["patch_embed", "blocks.0", "blocks.1", "norm"])
        let images = try tensor(bm, "images.channels_first(x)")
        let direct = try object.model.activations(images)["norm"]!
        #expect(try (direct - tensor(bm, "before")).abs().max().item() == 0)
        transformer.norm.bias.value = try transformer.norm.bias.value + 1.0
        let after = try tensor(bm, "m.activations(x).norm")
        #expect(try (after - direct - 1.0).abs().max().item() < 1e-6)
    }

    /// Weights saved under Hugging Face names translate back to the model's names exactly, for every kind of
    /// block (MLP and SwiGLU, LayerScale or none, registers).
    @Test(arguments: ["mlp", "swiglu"])
    func huggingFaceNamesRoundTrip(_ feedForward: String) throws {
        let model = try VisionTransformer(imageSize: 8, patchSize: 4, width: 16, depth: 2, heads: 2, registers: 1,
                                          feedForward: feedForward == "mlp" ? .mlp : .swiGLU,
                                          layerScale: feedForward == "mlp" ? 1e-5 : nil, seed: 2)
        let exported = try ModelFiles.huggingFaceState(model.state)
        let names = Set(exported.map(\.name))
        #expect(names.contains("embeddings.position_embeddings") && names.contains("layernorm.weight"))
        #expect(names.contains("encoder.layer.1.attention.attention.value.bias"))
        #expect(!names.contains { $0.hasPrefix("blocks.") })
        let back = try VisionTransformer.stateFromHuggingFace(Dictionary(uniqueKeysWithValues: exported))
        #expect(back.keys.sorted() == model.state.map(\.name).sorted())
        for (name, value) in model.state {
            #expect(try (back[name]! - value).abs().max().item() == 0, "\(name)")
        }
    }

    /// A transformers checkpoint (Hugging Face names, no bm metadata) loads with its config.json; a bm training
    /// checkpoint loads into a model of the same architecture.
    @Test func huggingFaceFilesAndCheckpointsLoad() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try VisionTransformer(imageSize: 8, patchSize: 4, width: 16, depth: 2, heads: 2, registers: 1,
                                           layerScale: 1e-5, seed: 6)
        try Safetensors.save(folder + "/model.safetensors", try ModelFiles.huggingFaceState(source.state))
        let config = """
            {"model_type": "dinov2", "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
             "patch_size": 4, "image_size": 8, "num_channels": 3, "mlp_ratio": 4, "num_register_tokens": 1,
             "layerscale_value": 1e-5, "use_swiglu_ffn": false}
            """
        try config.write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        let images = try Tensor.randomUniform([2, 3, 8, 8], low: 0, high: 1, seed: 3).astype(.float32)
        let expected = try source.outputs(images)
        let bm = try interpreter()
        let loaded = try model(bm, "load_model(\"\(folder)/model.safetensors\")")
        #expect(try (loaded.model.outputs(images) - expected).abs().max().item() == 0)
        #expect(try bm.evaluate("load_model(\"\(folder)/model.safetensors\").config.registers") == .number(1))

        try Checkpoint.save(folder + "/step10.safetensors", model: source,
                            optimizer: try AdamW(source, learningRate: 1e-3), step: 10)
        let fresh = try model(bm, "vit(image_size=8, patch=4, width=16, depth=2, heads=2, registers=1, seed=1)")
        #expect(try (fresh.model.outputs(images) - expected).abs().max().item() > 1e-3)
        _ = try bm.run(source: "let m = vit(image_size=8, patch=4, width=16, depth=2, heads=2, registers=1, seed=1)\n"
                       + "m.load(\"\(folder)/step10.safetensors\")", file: "load.bm")
        #expect(try (model(bm, "m").model.outputs(images) - expected).abs().max().item() == 0)
    }
}
