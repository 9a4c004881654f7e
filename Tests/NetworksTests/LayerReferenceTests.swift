import Autodiff
import Foundation
import Networks
import Tensors
import Testing

/// Forward values against naive loops written from the formulas (float64).
@Suite struct LayerReferenceTests {
    func maximumDifference(_ a: Tensor, _ b: [Double]) -> Double {
        zip(a.contiguous().scalars(as: Double.self), b).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    struct ConvolutionCase: Sendable, CustomTestStringConvertible {
        let input: [Int], outputs: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)
        var testDescription: String { "\(input) → \(outputs) kernel \(kernel) stride \(stride) padding \(padding)" }
    }

    @Test(arguments: [
        ConvolutionCase(input: [2, 3, 5, 6], outputs: 4, kernel: (3, 2), stride: (1, 2), padding: (1, 0)),
        ConvolutionCase(input: [1, 2, 8, 8], outputs: 3, kernel: (4, 4), stride: (4, 4), padding: (0, 0)),
        ConvolutionCase(input: [1, 1, 7, 7], outputs: 2, kernel: (3, 3), stride: (2, 2), padding: (2, 1)),
        ConvolutionCase(input: [3, 2, 1, 1], outputs: 2, kernel: (1, 1), stride: (1, 1), padding: (0, 0)),
        ConvolutionCase(input: [0, 2, 4, 4], outputs: 2, kernel: (2, 2), stride: (2, 2), padding: (0, 0)),
    ])
    func convolutionMatchesLoops(_ testCase: ConvolutionCase) throws {
        let convolution = try Conv2d(channels: testCase.input[1], outputs: testCase.outputs, kernel: testCase.kernel,
                                     stride: testCase.stride, padding: testCase.padding, dtype: .float64, seed: 3)
        convolution.bias!.value = try Tensor.randomNormal([testCase.outputs], seed: 4)
        let input = try Tensor.randomNormal(testCase.input, seed: 5)
        let output = try convolution(Variable(input), in: ForwardPass()).value
        let (n, c, h, w) = (testCase.input[0], testCase.input[1], testCase.input[2], testCase.input[3])
        let (kh, kw) = testCase.kernel, (sh, sw) = testCase.stride, (ph, pw) = testCase.padding
        let outHeight = (h + 2 * ph - kh) / sh + 1, outWidth = (w + 2 * pw - kw) / sw + 1
        #expect(output.shape == [n, testCase.outputs, outHeight, outWidth])
        let x = input.scalars(as: Double.self), weight = convolution.weight.value.scalars(as: Double.self)
        let bias = convolution.bias!.value.scalars(as: Double.self)
        var expected: [Double] = []
        for example in 0..<n {
            for o in 0..<testCase.outputs {
                for i in 0..<outHeight {
                    for j in 0..<outWidth {
                        var total = bias[o]
                        for channel in 0..<c {
                            for u in 0..<kh {
                                for v in 0..<kw {
                                    let row = i * sh + u - ph, column = j * sw + v - pw
                                    guard row >= 0, row < h, column >= 0, column < w else { continue }
                                    total += weight[((o * c + channel) * kh + u) * kw + v]
                                        * x[((example * c + channel) * h + row) * w + column]
                                }
                            }
                        }
                        expected.append(total)
                    }
                }
            }
        }
        #expect(maximumDifference(output, expected) < 1e-12)
    }

    @Test(arguments: [Pool2d.Kind.average, .maximum])
    func poolingMatchesLoops(_ kind: Pool2d.Kind) throws {
        let input = try Tensor.randomNormal([2, 3, 5, 4], seed: 6)
        let output = try Pool2d(kind, kernel: (3, 2), stride: (2, 1))(Variable(input), in: ForwardPass()).value
        #expect(output.shape == [2, 3, 2, 3])
        let x = input.scalars(as: Double.self)
        var expected: [Double] = []
        for plane in 0..<6 {
            for i in 0..<2 {
                for j in 0..<3 {
                    let window = (0..<3).flatMap { u in (0..<2).map { v in x[plane * 20 + (i * 2 + u) * 4 + j + v] } }
                    expected.append(kind == .average ? window.reduce(0, +) / 6 : window.max()!)
                }
            }
        }
        #expect(maximumDifference(output, expected) < 1e-12)
    }

    @Test(arguments: [(2, 3, 8, 2), (1, 1, 4, 1), (3, 4, 6, 3)])
    func attentionMatchesLoops(_ shape: (Int, Int, Int, Int)) throws {
        let (n, tokens, features, heads) = shape
        let attention = try MultiHeadSelfAttention(features: features, heads: heads, dtype: .float64, seed: 7)
        try attention.initializeParametersForTest(seed: 8)
        let input = try Tensor.randomNormal([n, tokens, features], seed: 9)
        let output = try attention(Variable(input), in: ForwardPass()).value
        let x = input.scalars(as: Double.self)
        func linear(_ layer: Linear, _ row: [Double]) -> [Double] {
            let weight = layer.weight.value.scalars(as: Double.self), bias = layer.bias!.value.scalars(as: Double.self)
            var result: [Double] = []
            for o in 0..<layer.outputs {
                var total = bias[o]
                for i in 0..<layer.inputs { total += weight[o * layer.inputs + i] * row[i] }
                result.append(total)
            }
            return result
        }
        let d = features / heads
        var expected: [Double] = []
        for example in 0..<n {
            let projected = (0..<tokens).map { t in
                let start = (example * tokens + t) * features
                return linear(attention.qkv, Array(x[start..<(start + features)]))
            }
            var merged = [[Double]](repeating: [Double](repeating: 0, count: features), count: tokens)
            for head in 0..<heads {
                for query in 0..<tokens {
                    let scores = (0..<tokens).map { key in
                        (0..<d).reduce(0.0) {
                            $0 + projected[query][head * d + $1] * projected[key][features + head * d + $1]
                        }
                            / Double(d).squareRoot()
                    }
                    let largest = scores.max()!
                    let weights = scores.map { Foundation.exp($0 - largest) }
                    let total = weights.reduce(0, +)
                    for channel in 0..<d {
                        merged[query][head * d + channel] = (0..<tokens).reduce(0.0) {
                            $0 + weights[$1] / total * projected[$1][2 * features + head * d + channel]
                        }
                    }
                }
            }
            expected += merged.flatMap { linear(attention.projection, $0) }
        }
        #expect(output.shape == [n, tokens, features])
        #expect(maximumDifference(output, expected) < 1e-12)
    }

    /// DINOv3's `RopePositionEmbedding` (normalize_coords "separate") and `rope_apply`, written out per channel pair.
    @Test(arguments: [(rows: 2, columns: 3, headWidth: 8), (rows: 4, columns: 4, headWidth: 16), (rows: 3, columns: 1, headWidth: 4)])
    func rotaryEmbeddingRotatesPairsAsDINOv3(rows: Int, columns: Int, headWidth: Int) throws {
        let rotation = try RotaryEmbedding(rows: rows, columns: columns, headWidth: headWidth, base: 100, dtype: .float64)
        let tokens = 1 + rows * columns, d = headWidth, q = d / 4
        let input = try Tensor.randomNormal([2, tokens, d], seed: 10)   // one prefix token, then the grid
        let output = try rotation.apply(Variable(input)).value
        let x = input.scalars(as: Double.self), y = output.scalars(as: Double.self)
        var worst = 0.0
        for image in 0..<2 {
            let first = image * tokens * d
            #expect(Array(y[first..<(first + d)]) == Array(x[first..<(first + d)]), "the prefix token is not rotated")
            for row in 0..<rows {
                for column in 0..<columns {
                    let token = first + (1 + row * columns + column) * d
                    let coordinates = [2 * (Double(row) + 0.5) / Double(rows) - 1,
                                       2 * (Double(column) + 0.5) / Double(columns) - 1]
                    for channel in 0..<(2 * q) {
                        let period = Foundation.pow(100, Double(channel % q) / Double(q))
                        let angle = 2 * Double.pi * coordinates[channel / q] / period
                        let a = x[token + channel], b = x[token + channel + 2 * q]
                        let expectedA = a * Foundation.cos(angle) - b * Foundation.sin(angle)
                        let expectedB = b * Foundation.cos(angle) + a * Foundation.sin(angle)
                        worst = Swift.max(worst, Swift.abs(y[token + channel] - expectedA),
                                          Swift.abs(y[token + channel + 2 * q] - expectedB))
                    }
                }
            }
        }
        #expect(worst < 1e-12)
    }

    @Test func layerNormAndLinearMatchTheirFormulas() throws {
        let norm = try LayerNorm(features: 4, epsilon: 1e-6, dtype: .float64)
        try norm.initializeParametersForTest(seed: 11)
        let input = try Tensor.randomNormal([3, 4], seed: 12)
        let output = try norm(Variable(input), in: ForwardPass()).value
        let x = input.scalars(as: Double.self), weight = norm.weight.value.scalars(as: Double.self)
        let bias = norm.bias.value.scalars(as: Double.self)
        var expected: [Double] = []
        for row in 0..<3 {
            let values = Array(x[(row * 4)..<(row * 4 + 4)])
            let mean = values.reduce(0, +) / 4
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            expected += (0..<4).map { (values[$0] - mean) / (variance + 1e-6).squareRoot() * weight[$0] + bias[$0] }
        }
        #expect(maximumDifference(output, expected) < 1e-12)

        let linear = try Linear(inputs: 4, outputs: 2, dtype: .float64, seed: 13)
        linear.bias!.value = Tensor([0.5, -1.5])
        let product = try linear(Variable(input), in: ForwardPass()).value
        let w = linear.weight.value.scalars(as: Double.self)
        let biases = [0.5, -1.5]
        var expectedProduct: [Double] = []
        for row in 0..<3 {
            for o in 0..<2 {
                var total = biases[o]
                for i in 0..<4 { total += w[o * 4 + i] * x[row * 4 + i] }
                expectedProduct.append(total)
            }
        }
        #expect(maximumDifference(product, expectedProduct) < 1e-12)
    }

    @Test func batchNormUpdatesRunningStatisticsAsPyTorch() throws {
        let norm = try BatchNorm(features: 2, momentum: 0.1, dtype: .float64)
        let input = try Tensor.randomNormal([3, 2, 2], seed: 14)
        let output = try norm(Variable(input), in: ForwardPass()).value
        let x = input.scalars(as: Double.self)
        for feature in 0..<2 {
            let values = (0..<3).flatMap { n in (0..<2).map { x[(n * 2 + feature) * 2 + $0] } }
            let mean = values.reduce(0, +) / 6
            let biased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6
            #expect(Swift.abs(try norm.runningMean.value.scalar(at: [feature]) - 0.1 * mean) < 1e-12)
            let runningVariance = try norm.runningVariance.value.scalar(at: [feature])
            #expect(Swift.abs(runningVariance - (0.9 + 0.1 * biased * 6 / 5)) < 1e-12)
            let first = try output.scalar(at: [0, feature, 0])
            #expect(Swift.abs(first - (values[0] - mean) / (biased + 1e-5).squareRoot()) < 1e-12)
        }
        norm.setTraining(false)
        let evaluated = try norm(Variable(input), in: ForwardPass()).value
        let runningMean = try norm.runningMean.value.scalar(at: [1])
        let runningVariance = try norm.runningVariance.value.scalar(at: [1])
        let expected = (x[11] - runningMean) / (runningVariance + 1e-5).squareRoot()
        #expect(Swift.abs(try evaluated.scalar(at: [2, 1, 1]) - expected) < 1e-12)
    }

    @Test func dropoutKeepsTheExpectationAndDropsTheRightFraction() throws {
        let dropout = try Dropout(probability: 0.25)
        let ones = Variable(try Tensor.ones([100, 100]))
        let output = try dropout(ones, in: ForwardPass(seed: 3)).value.scalars(as: Double.self)
        let dropped = Double(output.filter { $0 == 0 }.count) / 10_000
        #expect(Swift.abs(dropped - 0.25) < 0.02, "dropped fraction \(dropped)")
        #expect(output.allSatisfy { $0 == 0 || Swift.abs($0 - 4.0 / 3.0) < 1e-12 })
        dropout.isTraining = false
        #expect(try dropout(ones, in: ForwardPass(seed: 3)).value.scalars(as: Double.self).allSatisfy { $0 == 1 })

        let dropPath = try DropPath(probability: 0.5)
        let paths = try dropPath(Variable(try Tensor.ones([400, 3])), in: ForwardPass(seed: 4)).value
        let rows = (0..<400).map { row in (0..<3).map { try! paths.scalar(at: [row, $0]) } }
        #expect(rows.allSatisfy { Set($0).count == 1 }, "drop path drops whole examples")
        let keptRows = Double(rows.filter { $0[0] == 2 }.count) / 400
        #expect(Swift.abs(keptRows - 0.5) < 0.08, "kept fraction \(keptRows)")
    }

    @Test func embeddingReturnsRows() throws {
        let embedding = try Embedding(count: 4, width: 3, dtype: .float64, seed: 5)
        let rows = try embedding(Tensor(shape: [2, 2], scalars: [Int64(3), 0, 3, 1]), in: ForwardPass()).value
        #expect(rows.shape == [2, 2, 3])
        let table = embedding.weight.value.scalars(as: Double.self)
        let expected = [3, 0, 3, 1].flatMap { Array(table[($0 * 3)..<($0 * 3 + 3)]) }
        #expect(maximumDifference(rows, expected) == 0)
    }
}
