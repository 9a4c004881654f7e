import Autodiff
import Datasets
import Foundation
import Networks
import Tensors
import Testing

@Suite struct ReadingHookTests {
    /// Replacing "blocks.0"'s output changes everything downstream exactly as running the rest of the network on
    /// the replacement does; upstream ("patch_embed") is untouched, and the recorded value is the replacement.
    @Test func replacingABlockOutputChangesDownstreamOutputs() throws {
        let model = try Reading.model(registers: 1)
        model.setTraining(false)
        let images = try Reading.images(2)
        let replacement = try Tensor.randomNormal([2, 6, 16], seed: 30).astype(.float32)
        let original = ForwardPass()
        _ = try model(images, in: original)
        let pass = ForwardPass()
        var seen: [String] = []
        pass.hooks["blocks.0"] = { name, value in
            #expect(value.shape == [2, 6, 16])
            seen.append(name)
            return Variable(replacement)
        }
        let output = try model(images, in: pass)
        try pass.checkHooks()
        #expect(seen == ["blocks.0"])
        #expect(try Reading.difference(pass.activation("blocks.0")!.value, replacement) == 0)
        #expect(try Reading.difference(pass.activation("patch_embed")!.value,
                                       original.activation("patch_embed")!.value) == 0)
        let reference = ForwardPass()
        let expected = try model.norm(model.blocks[1](Variable(replacement), in: reference), in: reference)
        #expect(try Reading.difference(output.value, expected.value) < 1e-6)
        #expect(try Reading.difference(output.value, original.activation("norm")!.value) > 1e-2,
                "the replacement differs enough from the original output to be seen downstream")
    }

    /// The reading API takes hooks too: a lesioned block changes the layers after it and not those before, and a
    /// hook on a layer the model does not record is refused with the valid names.
    @Test func readingWithHooksLesionsDownstreamLayers() throws {
        let model = try Reading.model(registers: 0)
        let images = try Reading.images(5)
        // The same batching as the lesioned pass: BLAS may round other batch sizes differently.
        let plain = try model.activations(images, pool: .meanTokens, batchSize: 2)
        // A constant replacement (not value · 0, which would stay connected to the graph).
        let zeroed: [String: ForwardPass.Hook] = ["blocks.0": { _, value in Variable(try value.value * 0.0) }]
        let lesioned = try model.activations(images, pool: .meanTokens, batchSize: 2, hooks: zeroed)
        #expect(try Reading.difference(lesioned["patch_embed"]!, plain["patch_embed"]!) == 0)
        #expect(try lesioned["blocks.0"]!.abs().max().item() == 0)
        #expect(try Reading.difference(lesioned["blocks.1"]!, plain["blocks.1"]!) > 1e-3)
        let gradients = try model.gradients(images, loss: .custom { outputs, _ in try outputs.sum(axes: [1, 2]) },
                                            hooks: zeroed)
        #expect(gradients.completionOrder == ["norm", "blocks.1", "blocks.0"])
        #expect(try gradients.layers["patch_embed"]!.abs().max().item() == 0)
        #expect(Reading.message { try model.activations(images, hooks: ["block.1": { $1 }]) }
                == "activations: hook on unknown layer \"block.1\"; valid layers: patch_embed, blocks.0, blocks.1, norm")
        #expect(Reading.message { try model.outputs(images, hooks: ["head": { $1 }]) }
                == "forward: hook on unknown layer \"head\"; valid layers: patch_embed, blocks.0, blocks.1, norm")
    }

    /// A hook that returns its input only reads: outputs equal a pass without hooks; `everyLayerHook` sees every
    /// layer in forward order, after the layer's own hook.
    @Test func readingHooksSeeEveryLayerInOrderAndChangeNothing() throws {
        let model = try Reading.model()
        let images = try Reading.images(2)
        let plain = try model(images, in: ForwardPass(seed: 4)).value
        let pass = ForwardPass(seed: 4)
        var order: [String] = []
        pass.hooks["blocks.1"] = { name, value in order.append("own " + name); return value }
        pass.everyLayerHook = { name, value in order.append(name); return value }
        let hooked = try model(images, in: pass).value
        #expect(order == ["patch_embed", "blocks.0", "own blocks.1", "blocks.1", "norm"])
        #expect(try Reading.difference(hooked, plain) == 0)
    }

    /// A hook that throws: later hooks do not run, the output is left as it was, and `checkHooks` (hence
    /// `activations`) throws the hook's error.
    @Test func aThrowingHookSurfacesItsError() throws {
        let model = try Reading.model()
        let images = try Reading.images(2)
        let pass = ForwardPass()
        var later = 0
        pass.hooks["blocks.0"] = { _, value in try value.reshaped([3, 5]) }
        pass.hooks["norm"] = { _, value in later += 1; return value }
        _ = try model(images, in: pass)
        #expect(later == 0)
        let message = try #require(Reading.message { try pass.checkHooks() })
        #expect(message.contains("[2, 7, 16]") && message.contains("[3, 5]"), "\(message)")
        #expect(pass.activation("blocks.0")!.shape == [2, 7, 16])
        #expect(Reading.message { try model.activations(images, layers: ["norm"]) } == nil)
        let failing = ForwardPass()
        failing.hooks["blocks.1"] = { _, _ in throw TensorError(.invalidArgument, "hook", "refused") }
        _ = try model(images, in: failing)
        #expect(Reading.message { try failing.checkHooks() } == "hook: refused")
    }

    /// Activations streamed into HDF5 equal the in-memory ones, read back with the ordinary reader, with the layer
    /// order and pool as attributes; the chunks hold one batch of rows.
    @Test(arguments: [TokenPool.cls, .none])
    func streamedActivationsEqualInMemoryOnes(_ pool: TokenPool) throws {
        let model = try Reading.model()
        let images = try Reading.images(7, seed: 6)
        let folder = NSTemporaryDirectory() + "bm-reading-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/activations.h5"
        var progress: [Int] = []
        let shapes = try model.saveActivations(images, to: path, layers: ["norm", "patch_embed", "blocks.1"],
                                               pool: pool, batchSize: 3, progress: { done, _ in progress.append(done) })
        #expect(progress == [3, 6, 7])
        let memory = try model.activations(images, layers: ["norm", "patch_embed", "blocks.1"], pool: pool)
        #expect(shapes.map(\.name) == memory.names)
        let file = try HDF5File.open(path)
        #expect(try file.attribute("layers") == .strings(["norm", "patch_embed", "blocks.1"]))
        #expect(try file.attribute("pool") == .string(pool.rawValue))
        #expect(try file.attribute("images") == .number(7))
        for (name, tensor) in memory.layers {
            let dataset = try file.dataset(name)
            #expect(dataset.shape == tensor.shape)
            #expect(try dataset.chunkShape()?.first == 3)
            let stored = try dataset.read()
            #expect(stored.dtype == .float32)
            #expect(try Reading.difference(stored, tensor) < 1e-6, "\(name)")
        }
    }

    /// A failure part-way (a hook that throws on the third batch) leaves the previous file intact and no
    /// temporary file behind.
    @Test func aFailedStreamLeavesThePreviousFile() throws {
        let model = try Reading.model()
        let images = try Reading.images(7)
        let folder = NSTemporaryDirectory() + "bm-reading-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/activations.h5"
        try HDF5.write(path, "previous", Tensor([1.0, 2.0]))
        var batches = 0
        let failing = FailingAfter(model: model, batches: 2) { batches += 1 }
        #expect(Reading.message { try failing.saveActivations(images, to: path, batchSize: 3) }
                == "test: stop after 2 batches")
        #expect(batches == 3)
        #expect(try HDF5File.open(path).keys() == ["previous"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["activations.h5"])
        #expect(Reading.message { try model.saveActivations(images, to: folder + "/missing/a.h5") }?
                .contains("does not exist") == true)
    }
}

/// A ViT wrapper whose forward fails after `batches` successful calls, to interrupt a stream part-way.
final class FailingAfter: ReadableModel {
    let model: VisionTransformer
    let batches: Int
    let onCall: () -> Void
    private var calls = 0
    var isTraining: Bool {
        get { model.isTraining }
        set { model.isTraining = newValue }
    }

    init(model: VisionTransformer, batches: Int, onCall: @escaping () -> Void) {
        (self.model, self.batches, self.onCall) = (model, batches, onCall)
    }

    var children: [(name: String, module: any Module)] { model.children }
    var layerNames: [String] { model.layerNames }
    func layout(ofLayer name: String, shape: [Int]) -> LayerLayout { model.layout(ofLayer: name, shape: shape) }

    func forward(_ images: Variable, in pass: ForwardPass) throws -> Variable {
        onCall()
        calls += 1
        guard calls <= batches else {
            throw TensorError(.invalidArgument, "test", "stop after \(batches) batches")
        }
        return try model.forward(images, in: pass)
    }
}
