import Autodiff
import Foundation
import Networks
import Tensors
import Testing

/// MultilayerPerceptron against plain loops over its weights, finite differences, names, dropout and errors.
@Suite struct MLPModelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: [Int]
        let hidden: [Int]
        let classes: Int?
        let activation: MultilayerPerceptron.Activation
        var testDescription: String {
            "\(input) hidden \(hidden) classes \(classes.map(String.init) ?? "none") \(activation)"
        }
    }

    static let cases = [
        Case(input: [2, 3, 4, 4], hidden: [5], classes: 3, activation: .relu),
        Case(input: [1, 6], hidden: [4, 3], classes: nil, activation: .gelu),
        Case(input: [3, 2, 5], hidden: [], classes: 2, activation: .relu),
        Case(input: [4, 1, 2, 2], hidden: [3, 3, 2], classes: 4, activation: .tanh),
        Case(input: [2, 7], hidden: [6], classes: 1, activation: .silu),
        Case(input: [0, 3, 2, 2], hidden: [4], classes: 2, activation: .relu),
    ]

    /// The model applied by plain loops: per example, y_j = b_j + Σ_k W_jk x_k, then the activation (not after the
    /// classifier).
    static func naive(_ model: MultilayerPerceptron, _ input: Tensor) -> [[Double]] {
        let n = input.shape[0]
        let values = input.contiguous().scalars(as: Double.self)
        let layers = model.hiddenLayers.map { ($0, true) } + (model.head.map { [($0, false)] } ?? [])
        return (0..<n).map { example in
            var x = Array(values[example * model.inputs..<(example + 1) * model.inputs])
            for (layer, activated) in layers {
                let w = layer.weight.value.scalars(as: Double.self)
                let b = layer.bias!.value.scalars(as: Double.self)
                x = (0..<layer.outputs).map { j in
                    var sum = b[j]
                    for k in 0..<layer.inputs { sum += w[j * layer.inputs + k] * x[k] }
                    guard activated else { return sum }
                    switch model.activation {
                    case .relu: return Swift.max(sum, 0)
                    case .gelu: return 0.5 * sum * (1 + Foundation.erf(sum / 2.0.squareRoot()))
                    case .silu: return sum / (1 + Foundation.exp(-sum))
                    case .tanh: return Foundation.tanh(sum)
                    }
                }
            }
            return x
        }
    }

    static func model(_ test: Case, dtype: DType = .float64) throws -> MultilayerPerceptron {
        let model = try MultilayerPerceptron(exampleShape: Array(test.input.dropFirst()), hidden: test.hidden,
                                             classes: test.classes, activation: test.activation, dtype: dtype,
                                             seed: 7)
        // Biases start at zero: give them values so that the loops check them too.
        for (name, parameter) in model.namedParameters where name.hasSuffix("bias") {
            parameter.value = try Tensor.randomNormal(parameter.value.shape, seed: 11, dtype: dtype)
        }
        return model
    }

    @Test(arguments: cases) func forwardMatchesLoops(_ test: Case) throws {
        let model = try Self.model(test)
        let input = try Tensor.randomNormal(test.input, seed: 3)
        let pass = ForwardPass()
        let output = try model(input, in: pass).value
        let expected = Self.naive(model, input)
        #expect(output.shape == [test.input[0], model.outputs])
        let flat = output.contiguous().scalars(as: Double.self)
        let reference = expected.flatMap { $0 }
        #expect(flat.count == reference.count)
        #expect(zip(flat, reference).allSatisfy { Swift.abs($0 - $1) <= 1e-12 * Swift.max(1, Swift.abs($1)) })
        #expect(pass.activations.map(\.name) == model.activationNames)
        // Float32 model on float64 input: the input is converted, the result is float32 and close.
        let single = try Self.model(test, dtype: .float32)
        let singleOutput = try single(input, in: ForwardPass()).value
        #expect(singleOutput.dtype == .float32)
        let naiveSingle = Self.naive(single, input.astype(.float32).astype(.float64)).flatMap { $0 }
        #expect(zip(singleOutput.astype(.float64).scalars(as: Double.self), naiveSingle)
            .allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) })
    }

    @Test(arguments: cases.filter { $0.input[0] > 0 }) func gradientsMatchFiniteDifferences(_ test: Case) throws {
        let checked = try checkGradients(.layer("MultilayerPerceptron \(test)", input: test.input) {
            try Self.model(test)
        })
        #expect(checked > 0)
    }

    @Test func namesShapesAndInitialisation() throws {
        let model = try MultilayerPerceptron(exampleShape: [3, 8, 8], hidden: [64, 32], classes: 10, seed: 1)
        #expect(model.namedParameters.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                                       "head.weight", "head.bias"])
        #expect(model.namedParameters.map(\.parameter.value.shape) == [[64, 192], [64], [32, 64], [32], [10, 32], [10]])
        #expect(model.parameterCount == 192 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10)
        // PyTorch's default bound 1/√fanIn, and the draw fills it (not a narrower distribution).
        let weights = model.hiddenLayers[0].weight.value.astype(.float64)
        let bound = 1 / 192.0.squareRoot()
        #expect(try weights.abs().max().item() <= bound)
        #expect(try weights.abs().max().item() > 0.9 * bound)
        #expect(model.activationNames == ["fc1", "fc2", "head"])
        let same = try MultilayerPerceptron(exampleShape: [3, 8, 8], hidden: [64, 32], classes: 10, seed: 1)
        #expect(zip(same.state, model.state).allSatisfy { networkReferenceRelativeError($0.value, $1.value) == 0 })
    }

    @Test func dropoutActsOnlyInTraining() throws {
        let model = try MultilayerPerceptron(exampleShape: [20], hidden: [200], classes: 3, dropout: 0.5,
                                             dtype: .float64, seed: 2)
        let input = try Tensor.randomNormal([4, 20], seed: 5)
        model.setTraining(false)
        let first = try model(input, in: ForwardPass(seed: 1)).value
        let second = try model(input, in: ForwardPass(seed: 2)).value
        #expect(networkReferenceRelativeError(first, second) == 0)
        model.setTraining(true)
        let pass = ForwardPass(seed: 1)
        let dropped = try model(input, in: pass).value
        #expect(networkReferenceRelativeError(dropped, first) > 1e-3)
        // The recorded hidden activation is before dropout: the same as in evaluation.
        let evaluationPass = ForwardPass()
        model.setTraining(false)
        _ = try model(input, in: evaluationPass)
        let trainingHidden = try #require(pass.activation("fc1")).value
        let evaluationHidden = try #require(evaluationPass.activation("fc1")).value
        #expect(networkReferenceRelativeError(trainingHidden, evaluationHidden) == 0)
    }

    @Test func errorsNameTheShapes() throws {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        let model = try MultilayerPerceptron(exampleShape: [3, 4, 4], hidden: [8], classes: 2)
        #expect(message { try model(Tensor.zeros([2, 1, 4, 4]), in: ForwardPass()) }
                == "MultilayerPerceptron: input of shape [2, 1, 4, 4] does not have 48 values per example: "
                + "expected [n, 3, 4, 4] or [n, 48]")
        #expect(message { try model(Tensor.zeros([48]), in: ForwardPass()) }
                == "MultilayerPerceptron: input of shape [48] does not have 48 values per example: "
                + "expected [n, 3, 4, 4] or [n, 48]")
        #expect(message { try model(Tensor.zeros([2, 48]), in: ForwardPass()) } == "no error")
        #expect(message { try MultilayerPerceptron(exampleShape: [4], hidden: [], classes: nil) }
                == "MultilayerPerceptron: example shape [4], hidden widths [] and classes none must be positive, "
                + "with at least one layer")
        #expect(message { try MultilayerPerceptron(exampleShape: [4, 0], hidden: [2]) }
                .hasPrefix("MultilayerPerceptron: example shape [4, 0]"))
        #expect(message { try MultilayerPerceptron(exampleShape: [4], hidden: [2], dropout: 1) }
                == "Dropout: probability must be in [0, 1), got 1.0")
    }
}
