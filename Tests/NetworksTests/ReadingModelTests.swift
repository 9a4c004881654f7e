import Autodiff
import Networks
import Tensors
import Testing

/// The CNN and the MLP read through the same API: default layouts, and gradients although their forward passes
/// continue with their own values rather than `record`'s result.
@Suite struct ReadingModelTests {
    static func resNet() throws -> ResNet {
        try ResNet(channels: 3, stem: .small, stageWidths: [4, 6], blocksPerStage: [1, 1], classes: 3,
                   dtype: .float64, seed: 5)
    }

    /// Feature maps are read as spatial means, features as they are, every layer equal to a direct evaluation
    /// forward; unpooled maps keep their shape.
    @Test func resNetActivationsAreSpatialMeansOfADirectForward() throws {
        let model = try Self.resNet()
        #expect(model.layerNames == ["conv1", "layer1", "layer2", "pool", "fc"])
        let images = try Reading.images(3, dtype: .float64)
        model.setTraining(false)
        let pass = ForwardPass()
        _ = try model(images, in: pass)
        model.setTraining(true)
        let readout = try model.activations(images, pool: .cls, batchSize: 2)
        for name in model.layerNames {
            let raw = pass.activation(name)!.value
            let expected = raw.rank == 4 ? try raw.mean(axes: [2, 3]) : raw
            #expect(try Reading.difference(readout[name]!, expected) < 1e-12, "\(name)")
        }
        #expect(try model.activations(images, layers: ["layer2"], pool: .none)["layer2"]!.shape == [3, 6, 4, 4])
        #expect(model.isTraining)
    }

    /// The gradient at the logits is softmax − one-hot and at the hidden layer Wᵀ(softmax − one-hot), per image:
    /// closed forms for an MLP with one hidden layer, whose forward ignores `record`'s result.
    @Test func mlpGradientsMatchClosedForms() throws {
        let model = try MultilayerPerceptron(exampleShape: [2, 3], hidden: [5], classes: 4, activation: .tanh,
                                             dtype: .float64, seed: 3)
        let inputs = try Tensor.randomNormal([6, 2, 3], seed: 8)
        let labels = Tensor([Int64(0), 3, 1, 2, 2, 0])
        let result = try model.gradients(inputs, loss: .custom { logits, range in
            let picked = try logits.logSoftmax(axis: -1).get([
                .array(try Tensor.arange(Double(range.count), dtype: .int64)),
                .array(try labels.sliced(axis: 0, range).contiguous())])
            return try -picked
        }, batchSize: 4)
        #expect(result.completionOrder == ["head", "fc1"])
        let logits = try model.outputs(inputs)
        let oneHot = try Tensor.eye(4).take(labels, axis: 0)
        let logitGradient = try logits.softmax(axis: -1) - oneHot
        #expect(try Reading.difference(result.layers["head"]!, logitGradient) < 1e-12)
        let hiddenGradient = try Tensor.matmul(logitGradient, model.head!.weight.value)
        #expect(try Reading.difference(result.layers["fc1"]!, hiddenGradient) < 1e-12)
    }

    /// A ResNet's gradients reach every layer, completed last layer first, and each image's row equals that image's
    /// gradient computed alone.
    @Test func resNetGradientsFollowTheBackwardOrder() throws {
        let model = try Self.resNet()
        let images = try Reading.images(4, seed: 2, dtype: .float64)
        let labels = Tensor([Int64(2), 0, 1, 1])
        let loss = { (labels: Tensor) in
            ReadingLoss.crossEntropy(labels: labels, head: .function { $0 })   // fc's logits are the output
        }
        let all = try model.gradients(images, loss: loss(labels), pool: .none, batchSize: 3)
        #expect(all.completionOrder == ["fc", "pool", "layer2", "layer1", "conv1"])
        #expect(all.layers["layer1"]!.shape == [4, 4, 8, 8])
        for image in [0, 3] {
            let alone = try model.gradients(try images.sliced(axis: 0, image..<(image + 1)),
                                            loss: loss(try labels.sliced(axis: 0, image..<(image + 1))), pool: .none)
            for name in model.layerNames {
                let row = try all.layers[name]!.sliced(axis: 0, image..<(image + 1))
                #expect(try Reading.difference(row, alone.layers[name]!) < 1e-12, "image \(image) \(name)")
                #expect(try alone.layers[name]!.abs().max().item() > 0, "\(name) gets a gradient")
            }
        }
    }
}
