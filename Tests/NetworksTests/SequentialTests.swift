import Autodiff
import Networks
import Tensors
import Testing

/// Sequential: composition, PyTorch names, recorded outputs, gradients, checkpoint loading and error messages.
@Suite struct SequentialTests {
    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    static func network(dtype: DType = .float64) throws -> Sequential {
        Sequential([try Conv2d(channels: 3, outputs: 4, kernel: (3, 3), padding: (1, 1), dtype: dtype, seed: 1),
                    ReLU(), try Pool2d(.average, kernel: (2, 2)),
                    try Conv2d(channels: 4, outputs: 2, kernel: (2, 2), dtype: dtype, seed: 2), GELU()])
    }

    /// The result is the layers applied one after the other, and each output is recorded under its name.
    @Test(arguments: [[1, 3, 4, 4], [2, 3, 6, 6], [3, 3, 5, 4]])
    func composesInOrderAndRecordsEachLayer(_ shape: [Int]) throws {
        let network = try Self.network()
        let input = Variable(try Tensor.randomNormal(shape, seed: 3))
        let pass = ForwardPass()
        let output = try network(input, in: pass)
        var manual = input
        for layer in network.layers { manual = try layer(manual, in: ForwardPass()) }
        #expect(networkReferenceRelativeError(output.value, manual.value) == 0)
        #expect(pass.activations.map(\.name) == ["0", "1", "2", "3", "4"])
        #expect(pass.activation("4") === output)
        #expect(try #require(pass.activation("2")).shape == [shape[0], 4, shape[2] / 2, shape[3] / 2])
    }

    @Test func namesAreTorchs() throws {
        let network = try Self.network()
        #expect(network.namedParameters.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias"])
        let named = try Sequential(named: [("features", try Linear(inputs: 3, outputs: 4, seed: 1)), ("act", ReLU()),
                                           ("head", try Linear(inputs: 4, outputs: 2, seed: 2))])
        #expect(named.namedParameters.map(\.name) == ["features.weight", "features.bias", "head.weight", "head.bias"])
        let pass = ForwardPass()
        _ = try named(Variable(Tensor.randomNormal([2, 3], seed: 1).astype(.float32)), in: pass)
        #expect(pass.activations.map(\.name) == ["features", "act", "head"])
        // Nested: the inner Sequential's names are prefixed by its position; its records can be switched off.
        let nested = Sequential([Sequential([try Linear(inputs: 2, outputs: 2)], recordsOutputs: false), GELU()])
        #expect(nested.namedParameters.map(\.name) == ["0.0.weight", "0.0.bias"])
        let nestedPass = ForwardPass()
        _ = try nested(Variable(Tensor.ones([1, 2], dtype: .float32)), in: nestedPass)
        #expect(nestedPass.activations.map(\.name) == ["0", "1"])
    }

    @Test func emptyIsTheIdentity() throws {
        let input = Variable(try Tensor.randomNormal([2, 3], seed: 1))
        let pass = ForwardPass()
        #expect(try Sequential([])(input, in: pass) === input)
        #expect(pass.activations.isEmpty)
    }

    /// Training flags reach every layer (Dropout, BatchNorm).
    @Test func trainingFlagReachesEveryLayer() throws {
        let network = Sequential([try Linear(inputs: 4, outputs: 4), try Dropout(probability: 0.5),
                                  try BatchNorm(features: 4)])
        network.setTraining(false)
        #expect(network.layers.allSatisfy { !$0.isTraining })
        network.setTraining(true)
        #expect(network.layers.allSatisfy { $0.isTraining })
    }

    @Test(arguments: [
        LayerCase.layer("Conv ReLU Pool Conv GELU", input: [2, 3, 4, 4]) { try SequentialTests.network() },
        LayerCase.layer("Linear BatchNorm SiLU Linear", input: [4, 3]) {
            Sequential([try Linear(inputs: 3, outputs: 5, seed: 4), try BatchNorm(features: 5), SiLU(),
                        try Linear(inputs: 5, outputs: 2, seed: 5)])
        },
    ])
    func gradientsMatchFiniteDifferences(_ testCase: LayerCase) throws {
        #expect(try checkGradients(testCase) > 0)
    }

    /// A failing layer is named with its position; the layer's own message (wrong channel count) follows.
    @Test func errorsNameTheFailingLayer() throws {
        let network = try Self.network()
        #expect(message { try network(Variable(Tensor.zeros([2, 1, 4, 4])), in: ForwardPass()) }
                == "Sequential: layer 0: Conv2d: input of shape [2, 1, 4, 4] is not [n, 3, height, width]")
        let named = try Sequential(named: [("features", try Linear(inputs: 3, outputs: 4)),
                                           ("head", try Linear(inputs: 5, outputs: 2))])
        #expect(message { try named(Variable(Tensor.zeros([2, 3], dtype: .float32)), in: ForwardPass()) }
                == "Sequential: layer 1 (\"head\"): Linear: input of shape [2, 4] does not end in 5 features "
                + "(expected [..., 5])")
        // The kind of the layer's error is kept.
        #expect(throws: TensorError(.shapeMismatch, "Sequential", "layer 0: Conv2d: input of shape [1, 3, 4] is not "
                                    + "[n, 3, height, width]")) {
            try network(Variable(Tensor.zeros([1, 3, 4])), in: ForwardPass())
        }
        #expect(message { try Sequential(named: [("a", ReLU()), ("a", GELU())]) }
                == "Sequential: layer name \"a\" is used twice")
        #expect(message { try Sequential(named: [("a.b", ReLU())]) }
                == "Sequential: layer name \"a.b\" must be non-empty and contain no dot")
        #expect(message { try Sequential(named: [("", ReLU())]) }
                == "Sequential: layer name \"\" must be non-empty and contain no dot")
    }

    /// Loading a state with a missing, an unexpected or a wrongly shaped tensor names it, and changes nothing.
    @Test func mismatchedCheckpointsNameTheTensor() throws {
        let network = try Self.network()
        let before = network.state
        var state = Dictionary(uniqueKeysWithValues: network.state.map { ($0.name, $0.value) })
        state["3.bias"] = nil
        #expect(message { try network.load(state) } == "Module.load: missing tensor \"3.bias\"")
        state["3.bias"] = try Tensor.zeros([2])
        state["5.weight"] = try Tensor.zeros([2])
        #expect(message { try network.load(state) } == "Module.load: unexpected tensor \"5.weight\"")
        state["5.weight"] = nil
        state["0.weight"] = try Tensor.zeros([4, 2, 3, 3])
        #expect(message { try network.load(state) }
                == "Module.load: \"0.weight\" has shape [4, 2, 3, 3], expected [4, 3, 3, 3]")
        #expect(zip(before, network.state).allSatisfy { networkReferenceRelativeError($0.value, $1.value) == 0 })
        state["0.weight"] = try Tensor.ones([4, 3, 3, 3])
        try network.load(state)
        #expect(try network.layers[0].namedParameters[0].parameter.value.sum().item() == 108)
    }
}
