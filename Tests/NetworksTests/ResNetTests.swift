import Autodiff
import Datasets
import Foundation
import Networks
import Tensors
import Testing

/// ResNet against JAX (Fixtures/resnet_reference_*.safetensors, written by
/// scripts/fixtures/resnet_network_reference.py: logits, loss, every gradient and BatchNorm's running statistics in
/// training and evaluation mode) and against torchvision's state_dict names
/// (Fixtures/torchvision_resnet_state_names.json, written by scripts/fixtures/resnet_network_names.py).
@Suite struct ResNetTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let fixture: String
        let training: Bool
        let dtype: DType
        let tolerance: Double
        var testDescription: String { "\(fixture) \(training ? "train" : "eval") \(dtype)" }
    }

    static let cases = ["resnet_reference_imagenet", "resnet_reference_small"].flatMap { fixture in
        [true, false].flatMap { training in
            [Case(fixture: fixture, training: training, dtype: .float32, tolerance: 1e-4),
             Case(fixture: fixture, training: training, dtype: .float64, tolerance: 1e-10)]
        }
    }

    static func model(_ fixture: NetworkReferenceFixture, dtype: DType) throws -> ResNet {
        let c = try fixture.json("config")
        let model = try ResNet(channels: try #require(c["channels"] as? Int),
                               stem: c["stem"] as? String == "small" ? .small : .imageNet,
                               stemWidth: try #require(c["stemWidth"] as? Int),
                               stageWidths: try #require(c["stageWidths"] as? [Int]),
                               blocksPerStage: try #require(c["blocksPerStage"] as? [Int]),
                               classes: try #require(c["classes"] as? Int), dtype: dtype)
        try model.load(fixture.tensors(prefixed: "model."))
        return model
    }

    @Test(arguments: cases) func forwardLossGradientsAndStatisticsMatchJAX(_ test: Case) throws {
        let fixture = try NetworkReferenceFixture(test.fixture)
        let model = try Self.model(fixture, dtype: test.dtype)
        model.setTraining(test.training)
        let mode = test.training ? "train" : "eval"
        let images = Variable(try fixture.tensor("input.images").astype(test.dtype), requiresGradient: true)
        let pass = ForwardPass(recordsGradients: true)
        let logits = try model(images, in: pass)
        let loss = try Losses.crossEntropy(logits: logits, labels: fixture.tensor("input.labels"))
        #expect(pass.activations.map(\.name) == model.activationNames)

        let named = model.namedParameters
        // With the ImageNet stem, "conv1" feeds the max pool, whose gradient JAX gives to one of tied zeros (ReLU
        // outputs) and bm splits among them: that record's gradient is compared only with the small stem.
        let records = model.activationNames.filter { $0 != "conv1" || model.stem == .small }
        let recorded = try records.map { try #require(pass.activation($0)) }
        let backward = try Variable.backward(of: loss, with: named.map { pass.variable(for: $0.parameter) }
                                                 + [images] + recorded)
        var pairs: [(String, Tensor, Tensor)] = [
            ("loss", try loss.value.reshaped([1]), try fixture.tensor("\(mode).loss")),
            ("gradient.images", backward.gradients[named.count], try fixture.tensor("\(mode).gradient.images")),
        ]
        for (index, (name, _)) in named.enumerated() {
            pairs.append(("gradient." + name, backward.gradients[index],
                          try fixture.tensor("\(mode).gradient.\(name)")))
        }
        for (offset, name) in records.enumerated() {
            pairs.append(("output." + name, recorded[offset].value, try fixture.tensor("\(mode).output.\(name)")))
            pairs.append(("gradient.output." + name, backward.gradients[named.count + 1 + offset],
                          try fixture.tensor("\(mode).gradient.output.\(name)")))
        }
        // Training updates the running statistics (unbiased variance, momentum 0.1); evaluation leaves them alone.
        let initial = fixture.tensors(prefixed: "model.")
        for (name, buffer) in model.namedBuffers {
            let expected = test.training ? try fixture.tensor("train.running." + name) : try #require(initial[name])
            pairs.append(("running." + name, buffer.value, expected))
        }
        #expect(Set(named.map(\.name)) == Set(fixture.tensors(prefixed: "\(mode).gradient.").keys
            .filter { !$0.hasPrefix("output.") && $0 != "images" }))
        let worst = networkReferenceCompare(pairs, tolerance: test.tolerance)
        print("ResNetReference \(test.testDescription): \(pairs.count) tensors, largest relative error "
              + "\(worst.error) (\(worst.label))")
    }

    /// Training and evaluation really differ on the fixture (its running statistics are not the batch's).
    @Test func batchNormModesGiveDifferentOutputs() throws {
        let fixture = try NetworkReferenceFixture("resnet_reference_small")
        #expect(networkReferenceRelativeError(try fixture.tensor("train.output.fc"),
                                              try fixture.tensor("eval.output.fc")) > 0.1)
        let model = try Self.model(fixture, dtype: .float64)
        model.setTraining(false)
        let evaluation = try model(fixture.tensor("input.images"), in: ForwardPass()).value
        model.setTraining(true)
        let training = try model(fixture.tensor("input.images"), in: ForwardPass()).value
        #expect(networkReferenceRelativeError(evaluation, try fixture.tensor("eval.output.fc")) < 1e-10)
        #expect(networkReferenceRelativeError(training, try fixture.tensor("train.output.fc")) < 1e-10)
    }

    /// The names, order and shapes of torchvision's resnet18/resnet34 state_dicts (without num_batches_tracked).
    /// Building the full networks draws 11–22 M random numbers, too slow for a debug test, so the layout is built
    /// with every width divided by 32 (64 → 2, …, 512 → 16) and 10 classes, and torchvision's shapes are divided
    /// alike: names do not depend on widths, and a shape mismatch would remain one.
    @Test(arguments: [("resnet18", [2, 2, 2, 2]), ("resnet34", [3, 4, 6, 3])])
    func namesAndShapesAreTorchvisions(_ name: String, _ blocks: [Int]) throws {
        let path = try networkReferenceFixturePath("torchvision_resnet_state_names", extension: "json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
            as? [String: Any])
        let reference = try #require(root[name] as? [String: Any])
        let narrowed = [64: 2, 128: 4, 256: 8, 512: 16, 1000: 10]
        let state = try #require(reference["state"] as? [[Any]])
            .map { ($0[0] as! String, ($0[1] as! [Int]).map { narrowed[$0] ?? $0 }) }
            .filter { !$0.0.hasSuffix("num_batches_tracked") }
        let model = try ResNet(stageWidths: [2, 4, 8, 16], blocksPerStage: blocks, classes: 10)
        let ours = model.state.map { ($0.name, $0.value.shape) }
        // Parameters first, then buffers, each in torchvision's order.
        let isBuffer = { (name: String) in name.hasSuffix("running_mean") || name.hasSuffix("running_var") }
        let expected = state.filter { !isBuffer($0.0) } + state.filter { isBuffer($0.0) }
        #expect(ours.map(\.0) == expected.map(\.0))
        for ((key, shape), (_, reference)) in zip(ours, expected) { #expect(shape == reference, "\(key)") }
        #expect(ours.count == expected.count && ours.count > 100)
    }

    /// The small ResNet on 32×32 images: recorded names and shapes at every stage.
    @Test(arguments: [(1, 3), (2, 1)]) func smallResNetShapes(_ batch: Int, _ blocks: Int) throws {
        let model = try ResNet.small(classes: 10, blocks: blocks, dtype: .float32, seed: 3)
        let pass = ForwardPass()
        let images = try Tensor.randomNormal([batch, 3, 32, 32], seed: 4)
        let logits = try model(images, in: pass)
        #expect(logits.shape == [batch, 10] && logits.dtype == .float32)
        let shapes = Dictionary(uniqueKeysWithValues: pass.activations.map { ($0.name, $0.value.shape) })
        #expect(shapes == ["conv1": [batch, 16, 32, 32], "layer1": [batch, 16, 32, 32], "layer2": [batch, 32, 16, 16],
                           "layer3": [batch, 64, 8, 8], "pool": [batch, 64], "fc": [batch, 10]])
        #expect(model.stages.map(\.count) == [blocks, blocks, blocks])
        // Projection shortcuts exactly where the stride or width changes.
        #expect(model.stages.map { $0.map { $0.downsample != nil } }
                == [Array(repeating: false, count: blocks), [true] + Array(repeating: false, count: blocks - 1),
                    [true] + Array(repeating: false, count: blocks - 1)])
        let features = try ResNet.small(classes: nil, blocks: blocks, seed: 3)(images, in: ForwardPass())
        #expect(features.shape == [batch, 64])
    }

    /// Odd image sizes go through (strides round up, as torchvision's) and the ImageNet stem pools.
    @Test(arguments: [(17, [9, 5, 5, 3]), (1, [1, 1, 1, 1]), (32, [16, 8, 8, 4]), (6, [3, 2, 2, 1])])
    func imageNetStemSizes(_ size: Int, _ expected: [Int]) throws {
        let model = try ResNet(stageWidths: [4, 8], blocksPerStage: [1, 1], classes: 2, dtype: .float64)
        let pass = ForwardPass()
        _ = try model(Tensor.randomNormal([2, 3, size, size], seed: 1), in: pass)
        let sides = try ["conv1", "maxpool", "layer1", "layer2"].map { try #require(pass.activation($0)).shape[3] }
        #expect(sides == expected)
    }

    @Test func torchvisionStateLoads() throws {
        let model = try ResNet(channels: 1, stem: .small, stageWidths: [2, 4], blocksPerStage: [1, 1], classes: 3)
        var state = Dictionary(uniqueKeysWithValues: model.state.map { ("module." + $0.name, $0.value) })
        state["module.bn1.num_batches_tracked"] = Tensor(scalar: Int64(7))
        state["module.layer2.0.downsample.1.num_batches_tracked"] = Tensor(scalar: Int64(7))
        let mapped = ResNet.stateFromTorchvision(state)
        #expect(Set(mapped.keys) == Set(model.state.map(\.name)))
        try model.load(mapped)
    }

    @Test func errorsNameTheShapes() throws {
        let model = try ResNet.small(classes: 10, blocks: 1)
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try model(Tensor.zeros([2, 1, 32, 32]), in: ForwardPass()) }
                == "ResNet: images of shape [2, 1, 32, 32] are not [n, 3, height, width]: 1 channels, expected 3")
        #expect(message { try model(Tensor.zeros([3, 32, 32]), in: ForwardPass()) }
                == "ResNet: images of shape [3, 32, 32] are not [n, 3, height, width]")
        #expect(message { try ResNet(stageWidths: [4, 8], blocksPerStage: [1]) }
                == "ResNet: stage widths [4, 8] and blocks per stage [1] must be non-empty lists of positive sizes "
                + "of equal length; channels 3, stem width 4 and classes 1000 positive")
        #expect(message { try ResNet(stageWidths: [], blocksPerStage: []) }.hasPrefix("ResNet: stage widths []"))
        // Batch statistics are over n·h·w: one 1×1 image in training leaves one value per feature.
        let tiny = try ResNet(stageWidths: [2], blocksPerStage: [1], classes: 2)
        #expect(message { try tiny(Tensor.zeros([1, 3, 1, 1]), in: ForwardPass()) }
                == "BatchNorm: input of shape [1, 2, 1, 1] has one value per feature: batch statistics need more "
                + "than one")
    }
}
