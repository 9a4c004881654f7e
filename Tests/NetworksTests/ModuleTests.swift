import Autodiff
import Foundation
import Networks
import Tensors
import Testing

@Suite struct ModuleTests {
    @Test func truncatedNormalStaysInsideItsBoundsWithTheTruncatedSpread() throws {
        let draws = try Initialization.truncatedNormal(std: 1, lower: -0.5, upper: 0.5).draw([20_000], seed: 3)
        let values = draws.scalars(as: Double.self)
        #expect(values.allSatisfy { $0 >= -0.5 && $0 <= 0.5 })
        // Var of N(0, 1) truncated to [-a, a] is 1 - 2aφ(a) / (2Φ(a) - 1).
        let a = 0.5, density = Foundation.exp(-a * a / 2) / (2 * Double.pi).squareRoot()
        let expected = (1 - 2 * a * density / Foundation.erf(a / 2.0.squareRoot())).squareRoot()
        let std = try draws.standardDeviation().item()
        #expect(Swift.abs(std - expected) < 0.005, "std \(std), expected \(expected)")
        #expect(try Initialization.truncatedNormal(std: 1, lower: -0.5, upper: 0.5).draw([20_000], seed: 3)
            .scalars(as: Double.self) == values)
        #expect(throws: TensorError(.invalidArgument, "truncated_normal", "lower bound 1.0 is not below 1.0")) {
            try Initialization.truncatedNormal(std: 1, lower: 1, upper: 1).draw([2], seed: 0)
        }
    }

    @Test func namesTrainingFlagsConversionAndCounts() throws {
        let network = Sequential([try Linear(inputs: 3, outputs: 4), ReLU(), try Dropout(probability: 0.5),
                                  try BatchNorm(features: 4)])
        #expect(network.namedParameters.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias"])
        #expect(network.namedBuffers.map(\.name) == ["3.running_mean", "3.running_var"])
        #expect(network.state.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "3.running_mean",
                                              "3.running_var"])
        #expect(network.parameterCount == 12 + 4 + 4 + 4)
        network.setTraining(false)
        #expect(network.layers.allSatisfy { !$0.isTraining })
        try network.convert(to: .float64)
        #expect(network.state.allSatisfy { $0.value.dtype == .float64 })
        #expect(throws: TensorError(.dtype, "Module.convert", "parameters must be float32 or float64, got int64")) {
            try network.convert(to: .int64)
        }
        // In evaluation mode the running statistics are used and not updated.
        let before = network.namedBuffers.map { $0.parameter.value.scalars(as: Double.self) }
        _ = try network(Variable(Tensor.randomNormal([5, 3], seed: 1)), in: ForwardPass())
        #expect(network.namedBuffers.map { $0.parameter.value.scalars(as: Double.self) } == before)
    }

    @Test func aForwardPassGivesOneLeafPerParameterAndGradientsByName() throws {
        let linear = try Linear(inputs: 2, outputs: 1, dtype: .float64)
        linear.weight.value = try Tensor([[2.0, -1.0]])
        let pass = ForwardPass(recordsGradients: true)
        #expect(pass.variable(for: linear.weight) === pass.variable(for: linear.weight))
        let input = Variable(try Tensor([[1.0, 3.0], [2.0, 5.0]]))
        // loss = Σ (x·wᵀ + b): ∂/∂w = Σ rows of x, ∂/∂b = number of rows.
        let loss = try linear(input, in: pass).sum()
        let gradients = try pass.gradients(of: loss, for: linear)
        #expect(gradients.map(\.name) == ["weight", "bias"])
        #expect(gradients[0].gradient.scalars(as: Double.self) == [3, 8])
        #expect(gradients[1].gradient.scalars(as: Double.self) == [2])
    }
}
