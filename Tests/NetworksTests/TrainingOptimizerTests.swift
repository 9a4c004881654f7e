import Autodiff
import Foundation
import Networks
import Tensors
import Testing

/// A module with freely named parameters, to exercise parameter groups and name checks.
final class TrainingTestModule: Module {
    var entries: [(name: String, parameter: Parameter)]
    var isTraining = true
    init(_ entries: [(String, Tensor)]) {
        self.entries = entries.map { ($0.0, Parameter($0.1, initialization: .zeros)) }
    }
    var localParameters: [(name: String, parameter: Parameter)] { entries }
}

/// w [[1, 2], [3, 4]] (decays) and b [0.5, -1] (a bias: no decay), with two steps of gradients.
func trainingTinyParameters(dtype: DType = .float64) throws -> TrainingTestModule {
    TrainingTestModule([("layer.weight", try Tensor([[1.0, 2], [3, 4]]).astype(dtype)),
                     ("layer.bias", Tensor([0.5, -1.0]).astype(dtype))])
}

let trainingTinyGradients: [[(name: String, gradient: Tensor)]] = [
    [("layer.weight", try! Tensor([[0.5, -0.5], [1, 0]])), ("layer.bias", Tensor([1.0, -2]))],
    [("layer.weight", try! Tensor([[0.25, 0.25], [-1, 2]])), ("layer.bias", Tensor([0.5, 0.5]))],
]

func parameterValues(_ module: TrainingTestModule, _ name: String) -> [Double] {
    module.entries.first { $0.name == name }!.parameter.value.scalars(as: Double.self)
}

func trainingClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance * Swift.max(1, Swift.abs($1)) }
}

/// A plain-loop transcription of PyTorch's SGD step (torch/optim/sgd.py), for one parameter.
func referenceSGD(_ p: inout [Double], _ gradient: [Double], _ buffer: inout [Double]?, learningRate: Double,
                  momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool) {
    var g = gradient
    for i in g.indices { g[i] += weightDecay * p[i] }
    if momentum != 0 {
        if var b = buffer {
            for i in b.indices { b[i] = momentum * b[i] + (1 - dampening) * g[i] }
            buffer = b
        } else { buffer = g }
        for i in g.indices { g[i] = nesterov ? g[i] + momentum * buffer![i] : buffer![i] }
    }
    for i in p.indices { p[i] -= learningRate * g[i] }
}

@Suite struct TrainingOptimizerTests {
    @Test func sgdWithMomentumMatchesPyTorchsFormulaWrittenOut() throws {
        // Expected numbers: PyTorch's documented update (g += wd·p; b = 0.9 b + g; p -= lr·b) worked in numpy.
        let module = try trainingTinyParameters()
        let optimizer = try SGD(module, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        for gradients in trainingTinyGradients { try optimizer.step(gradients) }
        #expect(trainingClose(parameterValues(module, "layer.weight"), [0.8771509999999999, 2.064152, 2.9014029999999997, 3.788404]))
        #expect(trainingClose(parameterValues(module, "layer.bias"), [0.26, -0.67]))
        #expect(optimizer.stepCount == 2)
        #expect(optimizer.state.map(\.name) == ["momentum_buffer.layer.bias", "momentum_buffer.layer.weight"])

        let nesterovModule = try trainingTinyParameters()
        let nesterov = try SGD(nesterovModule, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        for gradients in trainingTinyGradients { try nesterov.step(gradients) }
        #expect(trainingClose(parameterValues(nesterovModule, "layer.weight"), [0.81257411, 2.07860672, 2.90554183, 3.60157444]))
        #expect(trainingClose(parameterValues(nesterovModule, "layer.bias"), [0.134, -0.553]))
    }

    @Test(arguments: [(0.0, 0.0, 0.0, false), (0.9, 0.0, 0.0, false), (0.9, 0.1, 0.05, false),
                      (0.5, 0.0, 0.2, true), (0.99, 0.0, 0.0, true)])
    func sgdMatchesAPlainLoopReference(momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool) throws {
        let module = TrainingTestModule([("a.weight", try Tensor.randomNormal([3, 4], seed: 1)),
                                      ("a.bias", try Tensor.randomNormal([4], seed: 2))])
        var expected = module.entries.map { $0.parameter.value.scalars(as: Double.self) }
        var buffers: [[Double]?] = [nil, nil]
        let optimizer = try SGD(module, learningRate: 0.05, momentum: momentum, dampening: dampening,
                                weightDecay: weightDecay, nesterov: nesterov)
        for step in 0..<4 {
            let gradients = try module.entries.enumerated().map { index, entry in
                (entry.name, try Tensor.randomNormal(entry.parameter.value.shape, seed: UInt64(10 * step + index)))
            }
            try optimizer.step(gradients)
            for index in 0..<2 {
                referenceSGD(&expected[index], gradients[index].1.scalars(as: Double.self), &buffers[index],
                             learningRate: 0.05, momentum: momentum, dampening: dampening,
                             weightDecay: index == 0 ? weightDecay : 0, nesterov: nesterov)
            }
        }
        for index in 0..<2 {
            #expect(trainingClose(module.entries[index].parameter.value.scalars(as: Double.self), expected[index]))
        }
    }

    @Test func adamWMatchesPyTorchsFormulaWrittenOut() throws {
        // Expected numbers: PyTorch's AdamW (p *= 1 - lr·wd; m, v moments; p -= lr/bc1 · m / (√v/√bc2 + ε)) in numpy.
        let module = try trainingTinyParameters()
        let optimizer = try AdamW(module, learningRate: 0.01, weightDecay: 0.1)
        for gradients in trainingTinyGradients { try optimizer.step(gradients) }
        #expect(trainingClose(parameterValues(module, "layer.weight"),
                      [0.9786892040475462, 2.008655370129415, 2.9845393158841103, 3.9845626318169356]))
        #expect(trainingClose(parameterValues(module, "layer.bias"), [0.4806782038298161, -0.9853053183701335]))
        let state = Dictionary(uniqueKeysWithValues: optimizer.state.map { ($0.name, $0.value) })
        #expect(optimizer.state.map(\.name) == ["exp_avg.layer.bias", "exp_avg.layer.weight", "exp_avg_sq.layer.bias",
                                               "exp_avg_sq.layer.weight"])
        #expect(trainingClose(state["exp_avg.layer.weight"]!.scalars(as: Double.self), [0.07, -0.02, -0.01, 0.2]))
        #expect(trainingClose(state["exp_avg_sq.layer.weight"]!.scalars(as: Double.self),
                      [0.00031225, 0.00031225, 0.001999, 0.004]))
    }

    @Test func float32ParametersKeepTheirDtypeAndStayCloseToTheDoubleUpdate() throws {
        let single = try trainingTinyParameters(dtype: .float32), double = try trainingTinyParameters()
        let a = try AdamW(single, learningRate: 0.01, weightDecay: 0.1), b = try AdamW(double, learningRate: 0.01, weightDecay: 0.1)
        for gradients in trainingTinyGradients {
            try a.step(gradients.map { ($0.name, $0.gradient.astype(.float32)) })
            try b.step(gradients)
        }
        #expect(single.entries.allSatisfy { $0.parameter.value.dtype == .float32 })
        #expect(a.state.allSatisfy { $0.value.dtype == .float32 })
        #expect(trainingClose(parameterValues(single, "layer.weight"), parameterValues(double, "layer.weight"), tolerance: 1e-6))
    }

    @Test func dinoParameterGroupsDoNotDecayBiasesNormsAndTokens() throws {
        let module = TrainingTestModule([
            ("cls_token", try Tensor.zeros([1, 1, 4])), ("pos_embed", try Tensor.zeros([1, 5, 4])),
            ("register_tokens", try Tensor.zeros([1, 2, 4])), ("mask_token", try Tensor.zeros([1, 4])),
            ("blocks.0.norm1.weight", try Tensor.ones([4])), ("blocks.0.ls1.gamma", try Tensor.ones([4])),
            ("blocks.0.attn.qkv.bias", try Tensor.zeros([12])), ("blocks.0.attn.qkv.weight", try Tensor.ones([12, 4])),
            ("patch_embed.proj.weight", try Tensor.ones([4, 3, 2, 2])),
        ])
        let decaying = module.entries.filter { decaysByDefault(name: $0.name, parameter: $0.parameter) }.map(\.name)
        #expect(decaying == ["blocks.0.attn.qkv.weight", "patch_embed.proj.weight"])
        // With zero gradients, only decaying parameters move: p ← p (1 − lr·wd).
        let optimizer = try AdamW(module, learningRate: 0.5, weightDecay: 0.1)
        try optimizer.step(module.entries.map { ($0.name, try Tensor.zeros($0.parameter.value.shape)) })
        #expect(parameterValues(module, "blocks.0.attn.qkv.weight").allSatisfy { $0 == 0.95 })
        #expect(parameterValues(module, "blocks.0.norm1.weight").allSatisfy { $0 == 1 })
    }

    @Test func errorsNameTheParameterAndShapes() throws {
        let module = try trainingTinyParameters()
        let optimizer = try AdamW(module, learningRate: 0.01)
        let weight = trainingTinyGradients[0][0], bias = trainingTinyGradients[0][1]
        #expect(throws: TensorError(.invalidArgument, "AdamW.step", "missing gradient for \"layer.bias\"")) {
            try optimizer.step([weight])
        }
        #expect(throws: TensorError(.invalidArgument, "AdamW.step", "gradient \"other\" names no parameter")) {
            try optimizer.step([weight, bias, ("other", Tensor([1.0]))])
        }
        #expect(throws: TensorError(.invalidArgument, "AdamW.step", "gradient \"layer.bias\" is given twice")) {
            try optimizer.step([weight, bias, bias])
        }
        #expect(throws: TensorError(.shapeMismatch, "SGD.step",
                                    "gradient \"layer.bias\" has shape [3], parameter has [2]")) {
            try SGD(module, learningRate: 0.1).step([weight, ("layer.bias", Tensor([1.0, 2, 3]))])
        }
        #expect(throws: TensorError(.invalidArgument, "SGD", "Nesterov momentum requires a momentum and zero dampening")) {
            try SGD(module, learningRate: 0.1, nesterov: true)
        }
        #expect(throws: TensorError(.invalidArgument, "AdamW", "betas must lie in [0, 1), got 1.0, 0.999")) {
            try AdamW(module, learningRate: 0.1, beta1: 1)
        }
        #expect(throws: TensorError(.invalidArgument, "SGD", "learning rate, momentum and weight decay must be "
                                    + "non-negative, got -1.0, 0.0, 0.0")) {
            try SGD(module, learningRate: -1)
        }
        try optimizer.step(trainingTinyGradients[0])
        var state = Dictionary(uniqueKeysWithValues: optimizer.state.map { ($0.name, $0.value) })
        state["exp_avg.layer.bias"] = nil
        #expect(throws: TensorError(.invalidArgument, "AdamW.load", "missing state tensor \"exp_avg.layer.bias\"")) {
            try optimizer.load(state: state, stepCount: 1)
        }
        state["exp_avg.layer.bias"] = Tensor([1.0])
        #expect(throws: TensorError(.shapeMismatch, "AdamW.load",
                                    "state tensor \"exp_avg.layer.bias\" has shape [1], expected [2]")) {
            try optimizer.load(state: state, stepCount: 1)
        }
        state["extra"] = Tensor([1.0])
        #expect(throws: TensorError(.invalidArgument, "AdamW.load", "unexpected state tensor \"extra\"")) {
            try optimizer.load(state: state, stepCount: 1)
        }
    }
}
