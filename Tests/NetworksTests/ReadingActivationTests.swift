import Autodiff
import Networks
import Tensors
import Testing

@Suite struct ReadingActivationTests {
    struct Variant: Sendable, CustomTestStringConvertible {
        let registers: Int
        let positional: VisionTransformer.Positional
        let dtype: DType
        var testDescription: String { "registers \(registers), \(positional), \(dtype)" }
    }

    static let variants = [
        Variant(registers: 0, positional: .learned, dtype: .float32),
        Variant(registers: 2, positional: .learned, dtype: .float32),
        Variant(registers: 1, positional: .rope2D, dtype: .float64),
    ]

    /// Every layer, every pool: the readout equals a direct evaluation-mode forward of the same model, pooled by
    /// plain loops (class token at 0, patches after the registers; patch_embed has patches only).
    @Test(arguments: variants)
    func activationsEqualADirectForwardPooledByLoops(_ variant: Variant) throws {
        let model = try Reading.model(registers: variant.registers, positional: variant.positional,
                                      dtype: variant.dtype)
        let images = try Reading.images(3)
        model.setTraining(false)
        let pass = ForwardPass()
        let output = try model(images, in: pass)
        model.setTraining(true)
        #expect(model.layerNames == ["patch_embed", "blocks.0", "blocks.1", "norm"])
        let tokens = 1 + variant.registers + 4
        for pool in [TokenPool.cls, .meanPatches, .meanTokens] {
            let readout = try model.activations(images, pool: pool)
            #expect(readout.names == model.layerNames)
            for name in model.layerNames {
                let raw = pass.activation(name)!.value
                let isEmbedding = name == "patch_embed"
                #expect(raw.shape == [3, isEmbedding ? 4 : tokens, 16])
                let expected = try Reading.naivePool(raw, pool: pool, classToken: isEmbedding ? nil : 0,
                                                     patches: isEmbedding ? 0..<4 : (1 + variant.registers)..<tokens)
                let got = try #require(readout[name])
                #expect(got.dtype == variant.dtype)
                #expect(try Reading.difference(got, expected) < 1e-6, "\(name) \(pool)")
            }
        }
        let unpooled = try model.activations(images, layers: ["norm", "blocks.0"], pool: .none)
        #expect(unpooled.names == ["norm", "blocks.0"])
        #expect(try Reading.difference(unpooled["norm"]!, output.value) == 0)
        #expect(try Reading.difference(unpooled["blocks.0"]!, pass.activation("blocks.0")!.value) == 0)
        #expect(model.isTraining, "the training flag is restored")
    }

    /// Batches of 1, 2, 7 and all images give the same readout (float32 sums may round differently: 1e-5).
    @Test(arguments: [1, 2, 7])
    func batchingDoesNotChangeTheResult(_ batchSize: Int) throws {
        let model = try Reading.model()
        let images = try Reading.images(9, seed: 4)
        let whole = try model.activations(images, pool: .meanTokens, batchSize: 64)
        var reported: [Int] = []
        let batched = try model.activations(images, pool: .meanTokens, batchSize: batchSize,
                                            progress: { done, total in
                                                #expect(total == 9)
                                                reported.append(done)
                                            })
        for name in model.layerNames {
            #expect(try Reading.difference(batched[name]!, whole[name]!) < 1e-5, "\(name)")
        }
        #expect(reported == Array(stride(from: batchSize, to: 9, by: batchSize)) + [9])
        #expect(try Reading.difference(try model.outputs(images, batchSize: batchSize),
                                       try model.activations(images, layers: ["norm"], pool: .none)["norm"]!) < 1e-5)
    }

    /// Reading runs in evaluation mode: DropPath (probability 0.5) is off, so two readings agree and equal an
    /// evaluation forward; each module's training flag is put back as it was.
    @Test func readingUsesEvaluationModeAndRestoresFlags() throws {
        let model = try Reading.model(dropPath: 0.5)
        // LayerScale's 1e-5 would make a dropped branch invisible; at 1 the modes differ clearly.
        for (name, parameter) in model.namedParameters where name.hasSuffix(".gamma") {
            parameter.value = try Tensor.ones(parameter.value.shape, dtype: parameter.value.dtype)
        }
        model.blocks[0].setTraining(false)    // block 0 has rate 0 (linear schedule), block 1 has 0.5
        let images = try Reading.images(4)
        let first = try model.activations(images, pool: .meanTokens)
        let second = try model.activations(images, pool: .meanTokens)
        for name in model.layerNames { #expect(try Reading.difference(first[name]!, second[name]!) == 0) }
        #expect(model.isTraining && model.blocks[1].isTraining && model.blocks[1].dropPath.isTraining)
        #expect(!model.blocks[0].isTraining && !model.blocks[0].dropPath.isTraining)
        let trainingOutput = try model(images, in: ForwardPass(seed: 1)).value
        #expect(try Reading.difference(trainingOutput, try model.outputs(images)) > 1e-3,
                "in training mode DropPath changes the output, so the test can tell the modes apart")
    }

    /// A model that conforms with layer names and forward alone: `[n, d]` outputs are read as they are, `[n, c, h,
    /// w]` ones as their spatial mean (every pool but none), and unpooled maps keep their shape.
    @Test func defaultLayoutsReadFeaturesAndFeatureMaps() throws {
        let model = try TinyReadableModel(seed: 2)
        let inputs = try Tensor.randomNormal([5, 6], seed: 9)
        let pass = ForwardPass()
        _ = try model.forward(Variable(inputs), in: pass)
        let map = pass.activation("map")!.value
        var spatial = [Double](repeating: 0, count: 10)
        for image in 0..<5 {
            for channel in 0..<2 {
                var total = 0.0
                for row in 0..<2 { for column in 0..<2 { total += try Reading.element(map, [image, channel, row, column]) } }
                spatial[image * 2 + channel] = total / 4
            }
        }
        for pool in [TokenPool.cls, .meanPatches, .meanTokens] {
            let readout = try model.activations(inputs, pool: pool, batchSize: 2)
            #expect(try Reading.difference(readout["map"]!, try Tensor(shape: [5, 2], scalars: spatial)) < 1e-12)
            #expect(try Reading.difference(readout["hidden"]!, pass.activation("hidden")!.value) < 1e-12)
            #expect(try Reading.difference(readout["logits"]!, pass.activation("logits")!.value) < 1e-12)
        }
        #expect(try model.activations(inputs, pool: .none)["map"]!.shape == [5, 2, 2, 2])
    }

    @Test func badRequestsNameWhatIsWrong() throws {
        let model = try Reading.model()
        let images = try Reading.images(2)
        #expect(Reading.message { try model.activations(images, layers: ["blocks.7"]) }
                == "activations: unknown layer \"blocks.7\"; valid layers: patch_embed, blocks.0, blocks.1, norm")
        #expect(Reading.message { try model.activations(images, layers: ["norm", "norm"]) }
                == "activations: layer \"norm\" requested twice")
        #expect(Reading.message { try model.activations(images, layers: .names([])) }
                == "activations: no layers requested; valid layers: patch_embed, blocks.0, blocks.1, norm")
        #expect(Reading.message { try model.activations(images, batchSize: 0) }
                == "activations: batch size must be at least 1, got 0")
        #expect(Reading.message { try model.activations(try Tensor.zeros([0, 3, 8, 8])) }
                == "activations: images of shape [0, 3, 8, 8] hold no image")
        #expect(Reading.message { try model.activations(try Tensor.zeros([2, 8, 8, 3])) }
                == "VisionTransformer: images of shape [2, 8, 8, 3] have 8 channels on axis 1, expected 3: "
                + "[n, 3, 8, 8] (layout [n, channels, height, width])")
        #expect(Reading.message { try model.activations(try Tensor.zeros([2, 3, 16, 16])) }
                == "VisionTransformer: images of shape [2, 3, 16, 16] are not 8×8: expected [n, 3, 8, 8]")
        #expect(Reading.message { try TokenPool.named("max") }
                == "pool: unknown pool \"max\"; use one of \"cls\", \"mean_patches\", \"mean_tokens\", \"none\"")
        #expect(try TokenPool.named("mean_patches") == .meanPatches)
    }
}
