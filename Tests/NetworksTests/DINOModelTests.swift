import Autodiff
import Foundation
import Networks
import Tensors
import Testing

/// The Keys cubic convolution kernel (a = −0.75) in its textbook form, |x| piecewise.
func dinoCubicKernel(_ x: Double) -> Double {
    let a = -0.75, d = abs(x)
    if d <= 1 { return (a + 2) * d * d * d - (a + 3) * d * d + 1 }
    if d < 2 { return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a }
    return 0
}

@Suite struct DINOModelTests {
    @Test func headHasDINOsNamesAndUnitPrototypes() throws {
        let head = try DINOHead(inputs: 8, prototypes: 10, hidden: 12, bottleneck: 6, seed: 3)
        #expect(head.namedParameters.map(\.name) == ["mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias",
                                                     "mlp.4.weight", "mlp.4.bias", "last_layer.weight_v"])
        #expect(head.namedBuffers.map(\.name) == ["last_layer.weight_g"])
        #expect(head.lastLayer.scale.value.shape == [10, 1])
        let input = Variable(try Tensor.randomNormal([5, 8], seed: 1).astype(.float32))
        let pass = ForwardPass()
        let embedding = try head.embedding(input, in: pass)
        for row in dinoRows(embedding.value) {
            #expect(abs(row.map { $0 * $0 }.reduce(0, +) - 1) < 1e-5)
        }
        // logits = embedding · (v / ‖v‖)ᵀ, computed with loops.
        let logits = try head(input, in: pass)
        #expect(logits.shape == [5, 10])
        let v = dinoRows(head.lastLayer.directions.value), z = dinoRows(embedding.value)
        let computed = dinoRows(logits.value)
        for i in 0..<5 {
            for k in 0..<10 {
                let norm = v[k].map { $0 * $0 }.reduce(0, +).squareRoot()
                let expected = zip(z[i], v[k]).map { $0 * $1 }.reduce(0, +) / norm
                #expect(abs(computed[i][k] - expected) < 1e-5)
                #expect(abs(computed[i][k]) <= 1 + 1e-5)   // cosine between unit vectors
            }
        }
        // A trainable scale is a parameter instead.
        let free = try DINOHead(inputs: 8, prototypes: 10, hidden: 12, bottleneck: 6, normalizesLastLayer: false)
        #expect(free.namedParameters.map(\.name).contains("last_layer.weight_g") && free.namedBuffers.isEmpty)
        #expect(try DINOHead(inputs: 4, prototypes: 3, hidden: 5, bottleneck: 2, layers: 1).namedParameters.map(\.name)
            == ["mlp.0.weight", "mlp.0.bias", "last_layer.weight_v"])
    }

    @Test func bicubicWeightsMatchTheKeysKernelAndHandValues() throws {
        // Upsampling 2 → 4, output 0: source −0.25, taps −2…1 clamped to 0, 0, 0, 1.
        let weights = try PositionInterpolation.bicubicWeights(inputs: 2, outputs: 4)
        #expect(weights[0] == [1.10546875, -0.10546875])
        for inputs in [1, 2, 3, 5, 8] {
            for outputs in [1, 2, 4, 7, 16] {
                let computed = try PositionInterpolation.bicubicWeights(inputs: inputs, outputs: outputs)
                for i in 0..<outputs {
                    let x = (Double(i) + 0.5) * Double(inputs) / Double(outputs) - 0.5
                    var expected = [Double](repeating: 0, count: inputs)
                    let base = Int(x.rounded(.down))
                    for j in (base - 1)...(base + 2) {
                        expected[Swift.min(Swift.max(j, 0), inputs - 1)] += dinoCubicKernel(x - Double(j))
                    }
                    for (a, b) in zip(computed[i], expected) { #expect(abs(a - b) < 1e-12) }
                    #expect(abs(computed[i].reduce(0, +) - 1) < 1e-12)
                }
            }
        }
        // The same size is the identity.
        #expect(try PositionInterpolation.bicubicWeights(inputs: 3, outputs: 3) == [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        // A 2-D matrix is the Kronecker product: a constant grid stays constant.
        let matrix = try PositionInterpolation.bicubicMatrix(from: (4, 4), to: (2, 3))
        #expect(matrix.shape == [6, 16])
        for row in dinoRows(matrix) { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
    }

    @Test func transformerTakesOtherSizesWithInterpolatedPositions() throws {
        let model = try VisionTransformer(imageSize: 8, patchSize: 4, width: 8, depth: 1, heads: 2, registers: 1,
                                          seed: 5)
        let images = try Tensor.randomUniform([2, 3, 8, 8], seed: 1).astype(.float32)
        let fixed = try model(images, in: ForwardPass())
        let interpolated = try model(images, in: ForwardPass(), interpolatingPositions: true)
        #expect(fixed.value.scalars(as: Float.self) == interpolated.value.scalars(as: Float.self))

        let small = try Tensor.randomUniform([2, 3, 4, 12], seed: 2).astype(.float32)
        let pass = ForwardPass(recordsGradients: true)
        let tokens = try model(small, in: pass, interpolatingPositions: true)
        #expect(tokens.shape == [2, 1 + 1 + 3, 8])
        let gradients = try pass.gradients(of: tokens.square().sum(), for: model)
        let position = gradients.first { $0.name == "pos_embed" }!.gradient
        #expect(try position.abs().sum().item() > 0)

        // A 1×3 grid from the 2×2 one, through a network without blocks whose patch projection is zero: the output
        // patch tokens are LayerNorm(the bicubically resampled positions), computed here with loops.
        let shallow = try VisionTransformer(imageSize: 8, patchSize: 4, width: 8, depth: 0, heads: 2, seed: 5)
        shallow.patchEmbedding.weight.value = try shallow.patchEmbedding.weight.value * 0.0
        if let bias = shallow.patchEmbedding.bias { bias.value = try bias.value * 0.0 }
        let table = dinoRows(try shallow.positionEmbedding!.value.reshaped([5, 8]))
        let rows = try PositionInterpolation.bicubicWeights(inputs: 2, outputs: 1)
        let columns = try PositionInterpolation.bicubicWeights(inputs: 2, outputs: 3)
        let output = try shallow(try Tensor.zeros([1, 3, 4, 12], dtype: .float32), in: ForwardPass(),
                                 interpolatingPositions: true)
        let outputRows = dinoRows(try output.value.reshaped([4, 8]))
        for j in 0..<3 {
            let raw = (0..<8).map { channel in
                var total = 0.0
                for a in 0..<2 { for b in 0..<2 { total += rows[0][a] * columns[j][b] * table[1 + a * 2 + b][channel] } }
                return total
            }
            let mean = raw.reduce(0, +) / 8
            let variance = raw.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
            let normalized = raw.map { ($0 - mean) / (variance + 1e-6).squareRoot() }
            for (a, b) in zip(outputRows[1 + j], normalized) { #expect(abs(a - b) < 1e-4) }
        }

        #expect(dinoErrorText { _ = try model(try Tensor.zeros([1, 3, 10, 8], dtype: .float32), in: ForwardPass(),
                                              interpolatingPositions: true) }
            == "VisionTransformer: images of shape [1, 3, 10, 8] have sides 10×8 that are not positive multiples of "
            + "the patch size 4")
        #expect(dinoErrorText { _ = try model(small, in: ForwardPass()) }
            == "VisionTransformer: images of shape [2, 3, 4, 12] are not 8×8: expected [n, 3, 8, 8]")
    }

    @Test func rotaryTransformerTakesOtherSizes() throws {
        let model = try VisionTransformer(imageSize: 8, patchSize: 4, width: 16, depth: 1, heads: 2,
                                          positional: .rope2D, seed: 5)
        let tokens = try model(try Tensor.randomUniform([1, 3, 12, 4], seed: 3).astype(.float32), in: ForwardPass(),
                               interpolatingPositions: true)
        #expect(tokens.shape == [1, 4, 16])
        #expect(tokens.value.scalars(as: Float.self).allSatisfy { $0.isFinite })
    }

    @Test func replicaCopiesTheStateAndDropsStochasticDepth() throws {
        let backbone = try VisionTransformer(imageSize: 8, patchSize: 4, width: 8, depth: 2, heads: 2, registers: 2,
                                             feedForward: .swiGLU, dropPath: 0.3, seed: 4)
        let model = DINOModel(backbone: backbone, head: try DINOHead(inputs: 8, prototypes: 6, hidden: 10,
                                                                     bottleneck: 4),
                              patchHead: try DINOHead(inputs: 8, prototypes: 5, hidden: 10, bottleneck: 4))
        let copy = try model.replica()
        #expect(copy.state.map(\.name) == model.state.map(\.name))
        for (a, b) in zip(copy.state, model.state) {
            #expect(a.value.scalars(as: Float.self) == b.value.scalars(as: Float.self), "\(a.name)")
        }
        #expect(copy.backbone.blocks.allSatisfy { $0.dropPath.probability == 0 } && !copy.isTraining)
        #expect(model.namedParameters.contains { $0.name.hasPrefix("ibot_head.") })
    }

    @Test func patchLossMatchesNaiveLoops() throws {
        let loss = try IBOTPatchLoss(prototypes: 3, dtype: .float64)
        loss.center.value = try Tensor([[0.1, -0.2, 0.3]])
        let masks = try Tensor(shape: [3, 4], scalars: [true, false, true, true, false, false, false, false,
                                                        false, true, false, false])
        let student = try Tensor.randomNormal([4, 3], seed: 1)
        let teacher = try Tensor.randomNormal([4, 3], seed: 2)
        let value = try loss(studentPatchOutput: Variable(student), teacherPatchOutput: teacher, masks: masks,
                             teacherTemperature: 0.05).value.item() as Double
        // Patches 0-2 belong to image 0 (3 masked), patch 3 to image 2 (1 masked); 3 images.
        let owners = [3.0, 3, 3, 1]
        let s = dinoRows(student), t = dinoRows(teacher), c = [0.1, -0.2, 0.3]
        var total = 0.0
        for p in 0..<4 {
            let tl = zip(t[p], c).map { ($0 - $1) / 0.05 }, sl = s[p].map { $0 / 0.1 }
            let tm = tl.max()!, sm = sl.max()!
            let tz = tl.map { Foundation.exp($0 - tm) }.reduce(0, +)
            let sz = sm + Foundation.log(sl.map { Foundation.exp($0 - sm) }.reduce(0, +))
            for k in 0..<3 { total -= Foundation.exp(tl[k] - tm) / tz * (sl[k] - sz) / owners[p] }
        }
        #expect(abs(value - total / 3) < 1e-10)
        try loss.updateCenter(teacher)
        let mean = (0..<3).map { k in t.map { $0[k] }.reduce(0, +) / 4 }
        for (a, b) in zip(loss.center.value.scalars(as: Double.self), zip(c, mean).map { 0.9 * $0 + 0.1 * $1 }) {
            #expect(abs(a - b) < 1e-12)
        }
        #expect(dinoErrorText {
            _ = try loss(studentPatchOutput: Variable(student), teacherPatchOutput: teacher,
                         masks: masks.astype(.int64), teacherTemperature: 0.05)
        } == "IBOTPatchLoss: masks must be bool [n, patches], got int64 [3, 4]")
    }

    @Test func patchMasksFollowTheRatios() throws {
        var generator = RandomGenerator(seed: 4)
        let masks = try randomPatchMasks(images: 8, patches: 64, probability: 0.5, ratio: 0.1...0.5,
                                         generator: &generator)
        #expect(masks.shape == [8, 64] && masks.dtype == .bool)
        let counts = dinoRows(masks.astype(.float64)).map { Int($0.reduce(0, +)) }
        #expect(counts.filter { $0 == 0 }.count == 4)
        for count in counts where count > 0 { #expect(count >= 6 && count <= 32) }
        var again = RandomGenerator(seed: 4)
        #expect(try randomPatchMasks(images: 8, patches: 64, generator: &again).scalars(as: Bool.self)
            == masks.scalars(as: Bool.self))
    }

    @Test func syntheticShapesAreBalancedAndSeeded() throws {
        let (images, labels) = try SyntheticShapes.generate(count: 12, size: 16, classes: 6, seed: 3)
        #expect(images.shape == [12, 3, 16, 16] && images.dtype == .float32)
        #expect(labels.scalars(as: Int64.self) == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5])
        #expect(images.scalars(as: Float.self).allSatisfy { $0 >= 0 && $0 <= 1 })
        let again = try SyntheticShapes.generate(count: 12, size: 16, classes: 6, seed: 3).images
        #expect(again.scalars(as: Float.self) == images.scalars(as: Float.self))
        // Grey: equal channels, the same draws as in colour (the background level is the red one), the shape
        // still at least ~0.3 away from the background.
        let grey = try SyntheticShapes.generate(count: 12, size: 16, classes: 6, seed: 3, grey: true).images
        let plane = 16 * 16
        let greyValues = grey.scalars(as: Float.self), colourValues = images.scalars(as: Float.self)
        for image in 0..<12 {
            let red = Array(greyValues[(image * 3) * plane ..< (image * 3 + 1) * plane])
            #expect(Array(greyValues[(image * 3 + 1) * plane ..< (image * 3 + 2) * plane]) == red)
            #expect(Array(greyValues[(image * 3 + 2) * plane ..< (image * 3 + 3) * plane]) == red)
            // The corner pixel is background in both (shapes stay inside a margin of their radius).
            let corner = (image * 3) * plane
            #expect(greyValues[corner] == colourValues[corner])
            let sorted = red.sorted()
            #expect(sorted[plane - 8] - sorted[8] > 0.2)
        }
        let colourChannelsDiffer = (0..<12).contains { image in
            colourValues[(image * 3) * plane] != colourValues[(image * 3 + 1) * plane]
        }
        #expect(colourChannelsDiffer)
        // Light on dark: the corner (background) lies in the darker of the two levels of every image, at least ~0.3
        // below the shape; without it, some images have dark shapes.
        func cornerIsDark(_ values: [Float], _ image: Int) -> Bool {
            let red = Array(values[(image * 3) * plane ..< (image * 3 + 1) * plane]).sorted()
            return values[(image * 3) * plane] < red[plane - 8] - 0.2
        }
        let light = try SyntheticShapes.generate(count: 24, size: 16, classes: 6, seed: 3, grey: true,
                                                 lightOnDark: true).images.scalars(as: Float.self)
        let either = try SyntheticShapes.generate(count: 24, size: 16, classes: 6, seed: 3, grey: true)
            .images.scalars(as: Float.self)
        #expect((0..<24).allSatisfy { cornerIsDark(light, $0) })
        #expect(!(0..<24).allSatisfy { cornerIsDark(either, $0) })
        #expect(dinoErrorText { _ = try SyntheticShapes.generate(count: 1, size: 4, seed: 0) }
            == "SyntheticShapes: need 1…6 classes, a size of at least 8 and a non-negative count, got 6, 4, 1")
    }
}
