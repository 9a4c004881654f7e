import Autodiff
import Networks
import Tensors
import Testing

@Suite struct VisionTransformerTests {
    /// The small ViT of the issue: depth 2, width 16, heads 2, patch 4, 8×8 images.
    static func small(registers: Int = 2, positional: VisionTransformer.Positional = .learned,
                      dropPath: Double = 0, seed: UInt64 = 1) throws -> VisionTransformer {
        try VisionTransformer(imageSize: 8, patchSize: 4, channels: 3, width: 16, depth: 2, heads: 2, mlpRatio: 4,
                              registers: registers, positional: positional, dropPath: dropPath, seed: seed)
    }

    @Test func parameterNamesAndShapesFollowDINOv2() throws {
        let model = try Self.small()
        var expected: [(String, [Int])] = [
            ("cls_token", [1, 1, 16]), ("register_tokens", [1, 2, 16]), ("pos_embed", [1, 5, 16]),
            ("mask_token", [1, 16]), ("patch_embed.proj.weight", [16, 3, 4, 4]), ("patch_embed.proj.bias", [16]),
        ]
        for block in 0..<2 {
            expected += [
                ("norm1.weight", [16]), ("norm1.bias", [16]), ("attn.qkv.weight", [48, 16]), ("attn.qkv.bias", [48]),
                ("attn.proj.weight", [16, 16]), ("attn.proj.bias", [16]), ("ls1.gamma", [16]),
                ("norm2.weight", [16]), ("norm2.bias", [16]), ("mlp.fc1.weight", [64, 16]), ("mlp.fc1.bias", [64]),
                ("mlp.fc2.weight", [16, 64]), ("mlp.fc2.bias", [16]), ("ls2.gamma", [16]),
            ].map { ("blocks.\(block).\($0.0)", $0.1) }
        }
        expected += [("norm.weight", [16]), ("norm.bias", [16])]
        let actual = model.namedParameters.map { ($0.name, $0.parameter.value.shape) }
        #expect(actual.map(\.0) == expected.map(\.0))
        #expect(actual.map(\.1) == expected.map(\.1))
        #expect(model.parameterCount == expected.reduce(0) { $0 + $1.1.reduce(1, *) })
        #expect(model.namedParameters.allSatisfy { $0.parameter.value.dtype == .float32 })

        let rope = try Self.small(registers: 0, positional: .rope2D)
        let names = rope.namedParameters.map(\.name)
        #expect(!names.contains("pos_embed") && !names.contains("register_tokens"))
        let swiGLU = try VisionTransformer(imageSize: 8, patchSize: 4, width: 16, depth: 1, heads: 2,
                                           feedForward: .swiGLU, layerScale: nil)
        let swiGLUNames = swiGLU.namedParameters.map(\.name)
        #expect(swiGLUNames.contains("blocks.0.mlp.w12.weight") && swiGLUNames.contains("blocks.0.mlp.w3.bias"))
        #expect(!swiGLUNames.contains("blocks.0.ls1.gamma"))
    }

    @Test func initialisationFollowsDINOv2() throws {
        let pairs = try Self.small().state.map { ($0.name, $0.value.astype(.float64)) }
        let state = Dictionary(uniqueKeysWithValues: pairs)
        let qkv = state["blocks.0.attn.qkv.weight"]!
        let std = try qkv.standardDeviation().item()
        #expect(Swift.abs(std - 0.02) < 0.003, "trunc-normal(0.02) weights have std \(std)")
        #expect(try qkv.abs().max().item() < 0.2)
        #expect(state["blocks.1.mlp.fc2.bias"]!.scalars(as: Double.self).allSatisfy { $0 == 0 })
        #expect(state["norm.weight"]!.scalars(as: Double.self).allSatisfy { $0 == 1 })
        #expect(state["blocks.0.ls2.gamma"]!.scalars(as: Double.self).allSatisfy { Swift.abs($0 - 1e-5) < 1e-12 })
        let cls = try state["cls_token"]!.abs().max().item()
        #expect(cls > 0 && cls < 1e-5)
        // The patch projection keeps PyTorch's default uniform ±1/√(3·4·4).
        let patch = try state["patch_embed.proj.weight"]!.abs().max().item()
        #expect(patch <= 1 / 48.0.squareRoot() && patch > 0.1)
    }

    @Test(arguments: [VisionTransformer.Positional.learned, .rope2D])
    func forwardShapesAndRecordedActivations(_ positional: VisionTransformer.Positional) throws {
        let model = try Self.small(registers: positional == .learned ? 2 : 1, positional: positional)
        let images = try Tensor.randomNormal([3, 3, 8, 8], seed: 2, dtype: .float32)
        let pass = ForwardPass()
        let tokens = try model(images, in: pass)
        let prefix = positional == .learned ? 3 : 2
        #expect(tokens.shape == [3, prefix + 4, 16])
        #expect(pass.activations.map(\.name) == ["patch_embed", "blocks.0", "blocks.1", "norm"])
        #expect(pass.activation("patch_embed")!.shape == [3, 4, 16])
        #expect(pass.activation("blocks.1")!.shape == [3, prefix + 4, 16])
        #expect(!tokens.isRecorded, "an evaluation pass without gradients builds no graph")
        // The final LayerNorm (weight 1, bias 0) gives every token mean 0.
        #expect(try tokens.value.mean(axes: [-1]).abs().max().item() < 1e-5)
        // Examples are independent: the second image's tokens do not depend on the first.
        let alone = try model(images.get([.slice(start: 1, stop: 2, step: 1)]), in: ForwardPass())
        let together = try tokens.value.get([.slice(start: 1, stop: 2, step: 1)])
        #expect(try (alone.value - together).abs().max().item() < 1e-5)
    }

    @Test(arguments: [VisionTransformer.Positional.learned, .rope2D])
    func gradientsOfATinyViTMatchFiniteDifferences(_ positional: VisionTransformer.Positional) throws {
        let testCase = LayerCase("tiny ViT \(positional)", input: [2, 1, 8, 8], make: {
            let model = try VisionTransformer(imageSize: 8, patchSize: 4, channels: 1, width: 8, depth: 1, heads: 2,
                                              mlpRatio: 2, registers: 1, positional: positional, layerScale: 0.5,
                                              dropPath: 0.3)
            try model.initializeParametersForTest(seed: 21)
            return model
        }, forward: { module, input, pass in
            let masks = try Tensor(shape: [2, 4], scalars: [false, true, false, false, false, false, true, false])
            return try (module as! VisionTransformer)(input!, in: pass, masks: masks)
        })
        let checked = try checkGradients(testCase)
        #expect(checked > 500)
    }

    @Test func sgdStepsDecreaseTheLoss() throws {
        let model = try Self.small()
        let images = try Tensor.randomNormal([4, 3, 8, 8], seed: 3, dtype: .float32)
        let target = Variable(try Tensor.randomNormal([4, 7, 16], seed: 4, dtype: .float32))
        var losses: [Double] = []
        for step in 0..<6 {
            let pass = ForwardPass(recordsGradients: true, seed: UInt64(step))
            let loss = try Losses.meanSquaredError(model(images, in: pass), target)
            losses.append(try loss.value.item())
            // Plain SGD: θ ← θ - η·∂loss/∂θ.
            let gradients = Dictionary(uniqueKeysWithValues: try pass.gradients(of: loss, for: model))
            for (name, parameter) in model.namedParameters {
                parameter.value = try parameter.value - gradients[name]! * 0.5
            }
        }
        for (before, after) in zip(losses, losses.dropFirst()) { #expect(after < before, "losses \(losses)") }
        #expect(losses.last! < 0.95 * losses.first!, "losses \(losses)")
    }

    @Test func constructionAndForwardAreDeterministicInTheSeed() throws {
        let first = try Self.small(dropPath: 0.5, seed: 7), second = try Self.small(dropPath: 0.5, seed: 7)
        let other = try Self.small(dropPath: 0.5, seed: 8)
        for ((name, a), (_, b)) in zip(first.state, second.state) {
            #expect(a.scalars(as: Float.self) == b.scalars(as: Float.self), "\(name)")
        }
        let differing = zip(first.state, other.state).filter { pair in
            pair.0.value.scalars(as: Float.self) != pair.1.value.scalars(as: Float.self)
        }.map(\.0.name)
        #expect(differing.contains("blocks.0.attn.qkv.weight") && differing.contains("pos_embed"))

        let images = try Tensor.randomNormal([4, 3, 8, 8], seed: 9, dtype: .float32)
        let a = try first(images, in: ForwardPass(seed: 1)).value.scalars(as: Float.self)
        let b = try second(images, in: ForwardPass(seed: 1)).value.scalars(as: Float.self)
        let c = try first(images, in: ForwardPass(seed: 2)).value.scalars(as: Float.self)
        #expect(a == b)
        #expect(a != c, "drop path in training draws from the pass's seed")
        first.setTraining(false)
        #expect(first.blocks[1].dropPath.isTraining == false)
        let evaluationA = try first(images, in: ForwardPass(seed: 1)).value.scalars(as: Float.self)
        let evaluationB = try first(images, in: ForwardPass(seed: 2)).value.scalars(as: Float.self)
        #expect(evaluationA == evaluationB, "no drop path in evaluation")
    }

    @Test func gradientsReachTheImagesAndConstantImagesTakeTheNetworksDtype() throws {
        let model = try Self.small()
        let images = try Tensor.randomNormal([2, 3, 8, 8], seed: 14)    // float64 into a float32 network
        #expect(try model(images, in: ForwardPass()).dtype == .float32)
        let pixels = Variable(images, requiresGradient: true)
        let tokens = try model(pixels, in: ForwardPass(recordsGradients: true))
        let gradient = try Variable.gradients(of: tokens.selecting(0, axis: 1).square().sum(), with: [pixels])[0]
        #expect(gradient.shape == [2, 3, 8, 8] && gradient.dtype == .float64)
        #expect(try gradient.abs().max().item() > 0)
    }

    @Test func loadingAStateRestoresTheOutputs() throws {
        let source = try Self.small(seed: 11), target = try Self.small(seed: 12)
        try target.load(Dictionary(uniqueKeysWithValues: source.state.map { ($0.name, $0.value) }))
        let images = try Tensor.randomNormal([2, 3, 8, 8], seed: 13, dtype: .float32)
        #expect(try source(images, in: ForwardPass()).value.scalars(as: Float.self)
                == target(images, in: ForwardPass()).value.scalars(as: Float.self))
    }
}
