import Autodiff
import Networks
import Tensors
import Testing

@Suite struct ReadingGradientTests {
    static func head(classes: Int = 3, dtype: DType = .float32, seed: UInt64 = 21) throws -> Linear {
        let head = try Linear(inputs: 16, outputs: classes, dtype: dtype, seed: seed)
        head.weight.value = try Tensor.randomNormal([classes, 16], seed: seed).astype(dtype)
        return head
    }

    /// Each image's row equals a backward pass run on that image alone: its own forward, its own cross-entropy,
    /// gradients of its recorded layer outputs, pooled by loops.
    @Test(arguments: [TokenPool.cls, .meanPatches, .meanTokens])
    func batchedGradientsEqualPerImageBackwardPasses(_ pool: TokenPool) throws {
        let model = try Reading.model(registers: 1)
        let images = try Reading.images(6, seed: 5)
        let labels = Tensor([Int64(0), 2, 1, 1, 0, 2])
        let head = try Self.head()
        let result = try model.gradients(images, loss: .crossEntropy(labels: labels, head: .linear(head)),
                                         pool: pool, batchSize: 4)
        #expect(result.layers.names == model.layerNames)
        #expect(result.losses.shape == [6])
        model.setTraining(false)
        defer { model.setTraining(true) }
        for image in [0, 3, 5] {
            let pass = ForwardPass()
            pass.everyLayerHook = { _, value in value.requiringGradient() }
            let output = try model(try images.sliced(axis: 0, image..<(image + 1)), in: pass)
            let logits = try head(output.selecting(0, axis: 1), in: pass)
            let loss = try Losses.crossEntropy(logits: logits, labels: labels.sliced(axis: 0, image..<(image + 1)))
            #expect(Swift.abs(try loss.value.astype(.float64).item()
                              - Reading.element(result.losses, [image])) < 1e-5)
            let gradients = try Variable.gradients(of: loss, with: model.layerNames.map { pass.activation($0)! })
            for (name, gradient) in zip(model.layerNames, gradients) {
                let isEmbedding = name == "patch_embed"
                let expected = try Reading.naivePool(gradient, pool: pool, classToken: isEmbedding ? nil : 0,
                                                     patches: isEmbedding ? 0..<4 : 2..<6)
                let row = try result.layers[name]!.sliced(axis: 0, image..<(image + 1))
                #expect(try Reading.difference(row, expected) < 1e-5, "image \(image) \(name)")
            }
        }
    }

    /// Central differences in float64: perturbing one element of "blocks.0"'s output (through a replacing hook)
    /// changes the summed loss by the gradient of that image's loss; every batch size gives the same gradients.
    @Test func layerGradientMatchesFiniteDifferences() throws {
        let model = try Reading.model(registers: 1, dtype: .float64)
        let images = try Reading.images(3, seed: 8, dtype: .float64)
        let labels = Tensor([Int64(1), 0, 2])
        let head = try Self.head(dtype: .float64)
        let loss = ReadingLoss.crossEntropy(labels: labels, head: .linear(head))
        let result = try model.gradients(images, loss: loss, layers: ["blocks.0"], pool: .none)
        let gradient = result.layers["blocks.0"]!
        #expect(gradient.shape == [3, 6, 16])
        for batchSize in [1, 2] {
            let again = try model.gradients(images, loss: loss, layers: ["blocks.0"], pool: .none, batchSize: batchSize)
            #expect(try Reading.difference(again.layers["blocks.0"]!, gradient) < 1e-12)
        }
        func summedLoss(shift: Double, at index: [Int]) throws -> Double {
            let pass = ForwardPass()
            pass.hooks["blocks.0"] = { _, value in
                var scalars = value.value.contiguous().scalars(as: Double.self)
                scalars[(index[0] * 6 + index[1]) * 16 + index[2]] += shift
                return Variable(try Tensor(shape: value.shape, scalars: scalars))
            }
            let output = try model.withEvaluationMode { try model(images, in: pass) }
            try pass.checkHooks()
            let logits = try head(output.selecting(0, axis: 1), in: pass)
            return try Losses.crossEntropy(logits: logits, labels: labels).value.item() * 3
        }
        let step = 1e-5
        for index in [[0, 0, 3], [1, 2, 0], [2, 5, 15], [2, 1, 7]] {
            let numeric = (try summedLoss(shift: step, at: index) - summedLoss(shift: -step, at: index)) / (2 * step)
            let analytic = try Reading.element(gradient, index)
            #expect(Swift.abs(numeric - analytic) <= 1e-6 * Swift.max(1, Swift.abs(numeric)), "\(index)")
        }
    }

    /// The backward pass completes the last layer first: for a plain ViT the order is the reverse of the forward
    /// order, whatever order the layers were asked in.
    @Test(arguments: [0, 2])
    func completionOrderIsReverseForwardOrder(_ registers: Int) throws {
        let model = try Reading.model(registers: registers, depth: 3)
        let result = try model.gradients(try Reading.images(2),
                                         loss: .crossEntropy(labels: Tensor([Int64(0), 1]), head: .linear(try Self.head())),
                                         layers: ["blocks.1", "norm", "patch_embed", "blocks.0", "blocks.2"])
        #expect(result.completionOrder == ["norm", "blocks.2", "blocks.1", "blocks.0", "patch_embed"])
        #expect(result.layers.names == ["blocks.1", "norm", "patch_embed", "blocks.0", "blocks.2"])
    }

    /// A custom loss ½‖class token of the output‖²: its gradient with respect to "norm" is the class token itself
    /// (pool cls), that divided by the token count (mean_tokens), and zero over the patches (mean_patches).
    @Test func customLossGradientIsAnalytic() throws {
        let model = try Reading.model(registers: 2)
        let images = try Reading.images(5, seed: 2)
        var ranges: [Range<Int>] = []
        let loss = ReadingLoss.custom { outputs, range in
            ranges.append(range)
            return try (outputs.selecting(0, axis: 1).square().sum(axes: [1]) * 0.5)
        }
        let cls = try model.gradients(images, loss: loss, layers: ["norm"], pool: .cls, batchSize: 2)
        #expect(ranges == [0..<2, 2..<4, 4..<5])
        let classTokens = try model.activations(images, layers: ["norm"], pool: .cls)["norm"]!
        #expect(try Reading.difference(cls.layers["norm"]!, classTokens) < 1e-6)
        let mean = try model.gradients(images, loss: loss, layers: ["norm"], pool: .meanTokens)
        #expect(try Reading.difference(mean.layers["norm"]!, try classTokens / 7.0) < 1e-6)
        let patches = try model.gradients(images, loss: loss, layers: ["norm"], pool: .meanPatches)
        #expect(try patches.layers["norm"]!.abs().max().item() == 0)
        let expectedLosses = try (classTokens * classTokens).sum(axes: [1]) * 0.5
        #expect(try Reading.difference(cls.losses, expectedLosses) < 1e-6)
    }

    /// A head given as a function of the whole output (here: mean token through a linear map) is used as is.
    @Test func functionHeadReadsTheWholeOutput() throws {
        let model = try Reading.model(registers: 0)
        let images = try Reading.images(3)
        let head = try Self.head(classes: 2)
        let labels = Tensor([Int64(1), 0, 1])
        let pass = ForwardPass()
        let viaFunction = try model.gradients(images, loss: .crossEntropy(labels: labels, head: .function {
            try head($0.mean(axes: [1]), in: pass)
        }), layers: ["blocks.1"])
        let viaCustom = try model.gradients(images, loss: .custom { outputs, range in
            let logits = try head(outputs.mean(axes: [1]), in: pass).logSoftmax(axis: -1)
            let picked = try logits.get([.array(Tensor.arange(Double(range.count), dtype: .int64)),
                                         .array(labels.sliced(axis: 0, range).contiguous())])
            return try -picked
        }, layers: ["blocks.1"])
        #expect(try Reading.difference(viaFunction.layers["blocks.1"]!, viaCustom.layers["blocks.1"]!) < 1e-6)
    }

    @Test func badLossesNameWhatIsWrong() throws {
        let model = try Reading.model()
        let images = try Reading.images(3)
        let head = try Self.head()
        #expect(Reading.message {
            try model.gradients(images, loss: .crossEntropy(labels: Tensor([Int64(0), 1]), head: .linear(head)))
        } == "gradients: labels of shape [2] for 3 images: expected [3]")
        #expect(Reading.message {
            try model.gradients(images, loss: .crossEntropy(labels: Tensor([0.0, 1, 2]), head: .linear(head)))
        } == "gradients: labels must be int64 class indices, got float64")
        #expect(Reading.message {
            try model.gradients(images, loss: .crossEntropy(labels: Tensor([Int64(0), 3, 1]), head: .linear(head)))
        } == "gradients: label 3 is out of range for 3 classes")
        #expect(Reading.message {
            try model.gradients(images, loss: .custom { outputs, _ in try outputs.sum() })
        } == "gradients: the loss gave shape [] for a batch of 3 images: expected one loss per image, [3]")
        #expect(Reading.message {
            try model.gradients(images, loss: .crossEntropy(labels: Tensor([Int64(0), 1, 1]),
                                                            head: .function { try $0.sum(axes: [1, 2]) }))
        } == "gradients: the classifier gave logits of shape [3] for a batch of 3 images: expected [3, classes]")
        #expect(Reading.message {
            try model.gradients(images, loss: .custom { outputs, _ in try outputs.sum(axes: [1, 2]) },
                                layers: ["blocks.9"])
        } == "gradients: unknown layer \"blocks.9\"; valid layers: patch_embed, blocks.0, blocks.1, norm")
    }
}
