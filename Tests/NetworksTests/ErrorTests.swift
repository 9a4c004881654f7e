import Autodiff
import Networks
import Tensors
import Testing

/// Every user mistake throws a `TensorError` whose text names the layer and the shapes.
@Suite struct ErrorTests {
    func message(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func visionTransformerNamesTheImageShapeAndTheExpectedOne() throws {
        let model = try VisionTransformerTests.small()
        let pass = ForwardPass()
        #expect(message { try model(Tensor.zeros([2, 8, 8, 3], dtype: .float32), in: pass) }
                == "VisionTransformer: images of shape [2, 8, 8, 3] have 8 channels on axis 1, expected 3: "
                + "[n, 3, 8, 8] (layout [n, channels, height, width])")
        #expect(message { try model(Tensor.zeros([3, 8, 8]), in: pass) }
                == "VisionTransformer: images of shape [3, 8, 8] are not [n, 3, 8, 8] "
                + "(layout [n, channels, height, width])")
        #expect(message { try model(Tensor.zeros([1, 3, 8, 12]), in: pass) }
                == "VisionTransformer: images of shape [1, 3, 8, 12] are not 8×8: expected [n, 3, 8, 8]")
        #expect(message { try model(Tensor.zeros([1, 3, 8, 8]), in: pass, masks: Tensor.zeros([1, 3], dtype: .bool)) }
                == "VisionTransformer: masks of shape [1, 3] and dtype bool: expected bool [1, 4]")
        #expect(message { try VisionTransformer(imageSize: 10, patchSize: 4, width: 16, depth: 1, heads: 2) }
                == "VisionTransformer: image size 10 is not a positive multiple of patch size 4")
        #expect(message { try VisionTransformer(imageSize: 8, patchSize: 4, width: 12, depth: 1, heads: 2,
                                                positional: .rope2D) }
                == "RotaryEmbedding: head width 6 must be a positive multiple of 4 for 2-D rotary embeddings")
    }

    @Test func layersNameTheInputShape() throws {
        let pass = ForwardPass()
        let linear = try Linear(inputs: 4, outputs: 2)
        #expect(message { try linear(Variable(Tensor.zeros([2, 3])), in: pass) }
                == "Linear: input of shape [2, 3] does not end in 4 features (expected [..., 4])")
        #expect(message { try LayerNorm(features: 5)(Variable(Tensor.zeros([])), in: pass) }
                == "LayerNorm: input of shape [] does not end in 5 features (expected [..., 5])")
        #expect(message { try Conv2d(channels: 3, outputs: 2, kernel: (2, 2))(Variable(Tensor.zeros([1, 4, 4, 3])),
                                                                              in: pass) }
                == "Conv2d: input of shape [1, 4, 4, 3] is not [n, 3, height, width]")
        #expect(message { try Conv2d(channels: 1, outputs: 2, kernel: (5, 5))(Variable(Tensor.zeros([1, 1, 4, 4])),
                                                                              in: pass) }
                == "Conv2d: kernel 5×5 is larger than the padded image 4×4 of input [1, 1, 4, 4]")
        #expect(message { try MultiHeadSelfAttention(features: 8, heads: 2)(Variable(Tensor.zeros([3, 8])), in: pass) }
                == "MultiHeadSelfAttention: input of shape [3, 8] is not [n, tokens, 8]")
        #expect(message { try MultiHeadSelfAttention(features: 8, heads: 3) }
                == "MultiHeadSelfAttention: features 8 must be a positive multiple of heads 3")
        #expect(message { try BatchNorm(features: 3)(Variable(Tensor.zeros([2, 4])), in: pass) }
                == "BatchNorm: input of shape [2, 4] is not [n, 3, ...]")
        #expect(message { try BatchNorm(features: 3)(Variable(Tensor.zeros([1, 3])), in: pass) }
                == "BatchNorm: input of shape [1, 3] has one value per feature: batch statistics need more than one")
        #expect(message { try Dropout(probability: 1) } == "Dropout: probability must be in [0, 1), got 1.0")
        #expect(message { try Embedding(count: 3, width: 2)(Tensor(shape: [2], scalars: [Int64(1), 3]), in: pass) }
                == "Embedding: index 3 is out of range for a table of 3 rows")
        #expect(message { try Pool2d(.maximum, kernel: (2, 2))(Variable(Tensor.zeros([4, 4])), in: pass) }
                == "Pool2d: input of shape [4, 4] is not [n, channels, height, width]")
    }

    @Test func loadingAndGradientsNameWhatIsWrong() throws {
        let linear = try Linear(inputs: 3, outputs: 2)
        #expect(message { try linear.load(["weight": Tensor.zeros([2, 3])]) } == "Module.load: missing tensor \"bias\"")
        #expect(message { try linear.load(["weight": Tensor.zeros([3, 2]), "bias": Tensor.zeros([2])]) }
                == "Module.load: \"weight\" has shape [3, 2], expected [2, 3]")
        #expect(message { try linear.load(["weight": Tensor.zeros([2, 3]), "bias": Tensor.zeros([2]),
                                           "scale": Tensor.zeros([2])]) }
                == "Module.load: unexpected tensor \"scale\"")
        // Every problem of a checkpoint is listed at once, and nothing is loaded.
        let before = linear.weight.value
        #expect(message { try linear.load(["weight": Tensor.zeros([3, 3]), "scale": Tensor.zeros([2]),
                                           "shift": Tensor.zeros([2])]) }
                == "Module.load: unexpected tensors \"scale\", \"shift\"; missing tensor \"bias\"; \"weight\" has shape "
                + "[3, 3], expected [2, 3]")
        #expect(message { try linear.load(["weight": Tensor.zeros([3, 3]), "bias": Tensor.zeros([5])]) }
                == "Module.load: \"weight\" has shape [3, 3], expected [2, 3]; \"bias\" has shape [5], expected [2]")
        #expect(linear.weight.value.astype(.float64).scalars(as: Double.self) == before.astype(.float64).scalars(as: Double.self))
        let pass = ForwardPass()
        let output = try linear(Variable(Tensor.ones([1, 3], dtype: .float32)), in: pass).sum()
        #expect(message { try pass.gradients(of: output, for: linear) }
                == "gradients: this forward pass does not record gradients: create it with "
                + "ForwardPass(recordsGradients: true)")
    }
}
