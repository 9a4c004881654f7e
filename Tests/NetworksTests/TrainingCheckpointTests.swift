import Autodiff
import Foundation
import Networks
import Tensors
import Testing

/// A tiny network with dropout (so the random stream matters), a LayerNorm (biases and norms in the no-decay group).
func trainingTinyNetwork() throws -> Sequential {
    Sequential([try Linear(inputs: 3, outputs: 6, seed: 1), try LayerNorm(features: 6), GELU(),
                try Dropout(probability: 0.25), try Linear(inputs: 6, outputs: 2, seed: 2)])
}

/// Steps `range` of a training loop: scheduled learning rate and weight decay, a pass seeded by the run's seed and
/// the step, mean squared error, global-norm clipping, then the optimiser's step.
func trainSteps(_ model: Sequential, _ optimizer: any Optimizer, steps range: Range<Int>, seed: UInt64) throws {
    let learningRate = try CosineSchedule(baseValue: 0.05, finalValue: 0.001, epochs: 4, stepsPerEpoch: 3,
                                          warmupEpochs: 1)
    let weightDecay = try CosineSchedule(baseValue: 0.04, finalValue: 0.4, epochs: 4, stepsPerEpoch: 3)
    let inputs = try Tensor.randomNormal([8, 3], seed: 5).astype(.float32)
    let targets = try Tensor.randomNormal([8, 2], seed: 6).astype(.float32)
    for step in range {
        optimizer.learningRate = try learningRate.value(at: step)
        optimizer.weightDecay = try weightDecay.value(at: step)
        let pass = ForwardPass(recordsGradients: true, seed: seed &+ UInt64(step))
        let output = try model(Variable(inputs), in: pass)
        let loss = try (output - Variable(targets)).square().mean()
        let gradients = try GradientClipping.clipByGlobalNorm(try pass.gradients(of: loss, for: model), maxNorm: 0.5)
        try optimizer.step(gradients.gradients)
    }
}

func trainingTemporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "bm-checkpoint-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func trainingErrorText(_ body: () throws -> Void) -> String {
    do { try body(); return "no error" } catch { return "\(error)" }
}

@Suite struct TrainingCheckpointTests {
    @Test(arguments: ["adamw", "sgd"])
    func resumingFromACheckpointIsBitIdenticalToNotStopping(kind: String) throws {
        func optimizer(for model: Sequential) throws -> any Optimizer {
            kind == "adamw" ? try AdamW(model, learningRate: 0, weightDecay: 0)
                : try SGD(model, learningRate: 0, momentum: 0.9, nesterov: true)
        }
        let folder = try trainingTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let straight = try trainingTinyNetwork()
        let straightOptimizer = try optimizer(for: straight)
        try trainSteps(straight, straightOptimizer, steps: 0..<12, seed: 77)

        let first = try trainingTinyNetwork()
        let firstOptimizer = try optimizer(for: first)
        try trainSteps(first, firstOptimizer, steps: 0..<6, seed: 77)
        let path = folder + "/step6.safetensors"
        try Checkpoint.save(path, model: first, optimizer: firstOptimizer, step: 6, randomSeed: 77,
                            extra: ["epoch": "2"])

        let resumed = try trainingTinyNetwork()
        try resumed.initializeParameters(seed: 999)  // fresh, different weights: all must come from the file
        let resumedOptimizer = try optimizer(for: resumed)
        let info = try Checkpoint.load(path, model: resumed, optimizer: resumedOptimizer)
        #expect(info.step == 6 && info.randomSeed == "77" && info.extra == ["epoch": "2"])
        #expect(resumedOptimizer.stepCount == 6)
        try trainSteps(resumed, resumedOptimizer, steps: info.step..<12, seed: UInt64(info.randomSeed)!)

        #expect(resumed.state.map(\.name) == straight.state.map(\.name))
        for (a, b) in zip(resumed.state, straight.state) {
            #expect(a.value.dtype == b.value.dtype)
            #expect(a.value.scalars(as: Float.self) == b.value.scalars(as: Float.self), "\(a.name)")
        }
        for (a, b) in zip(resumedOptimizer.state, straightOptimizer.state) {
            #expect(a.name == b.name && a.value.scalars(as: Float.self) == b.value.scalars(as: Float.self))
        }
        // Training changed the parameters (the comparison above is not between untouched copies).
        #expect(try trainingTinyNetwork().state[0].value.scalars(as: Float.self) != straight.state[0].value.scalars(as: Float.self))
    }

    @Test func aFailedSaveLeavesThePreviousCheckpointIntact() throws {
        let folder = try trainingTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = TrainingTestModule([("a.weight", try Tensor([[1.0, 2]])), ("b.weight", try Tensor([[3.0]]))])
        let optimizer = try AdamW(model, learningRate: 0.1)
        try optimizer.step([("a.weight", try Tensor([[1.0, 1]])), ("b.weight", try Tensor([[1.0]]))])
        let path = folder + "/checkpoint.safetensors"
        try Checkpoint.save(path, model: model, optimizer: optimizer, step: 1)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        // Two parameters with one name: the write fails inside the atomic save, after it started.
        model.entries[1].name = "a.weight"
        #expect(trainingErrorText { try Checkpoint.save(path, model: model, optimizer: optimizer, step: 2) }
                .contains("the name 'model.a.weight' is given twice"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["checkpoint.safetensors"])
        model.entries[1].name = "b.weight"
        #expect(try Checkpoint.load(path, model: model, optimizer: optimizer).step == 1)

        #expect(trainingErrorText { try Checkpoint.save(folder + "/missing/c.safetensors", model: model, optimizer: optimizer,
                                                step: 1) }.contains("does not exist"))
    }

    @Test func mismatchedCheckpointsNameWhatDiffers() throws {
        let folder = try trainingTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = TrainingTestModule([("a.weight", try Tensor([[1.0, 2]]))])
        let optimizer = try AdamW(model, learningRate: 0.1)
        try optimizer.step([("a.weight", try Tensor([[1.0, 1]]))])
        let path = folder + "/checkpoint.safetensors"
        try Checkpoint.save(path, model: model, optimizer: optimizer, step: 1)

        let renamed = TrainingTestModule([("c.weight", try Tensor([[1.0, 2]]))])
        #expect(throws: TensorError(.invalidArgument, "Module.load",
                                    "unexpected tensor \"a.weight\"; missing tensor \"c.weight\"")) {
            try Checkpoint.load(path, model: renamed, optimizer: try AdamW(renamed, learningRate: 0.1))
        }
        let reshaped = TrainingTestModule([("a.weight", try Tensor([[1.0, 2, 3]]))])
        #expect(throws: TensorError(.shapeMismatch, "Module.load", "\"a.weight\" has shape [1, 2], expected [1, 3]")) {
            try Checkpoint.load(path, model: reshaped, optimizer: try AdamW(reshaped, learningRate: 0.1))
        }
        let other = TrainingTestModule([("a.weight", try Tensor([[5.0, 6]]))])
        #expect(trainingErrorText { _ = try Checkpoint.load(path, model: other, optimizer: try SGD(other, learningRate: 0.1)) }
                .hasSuffix("the checkpoint holds adamw state, but the optimizer is sgd"))
        #expect(other.entries[0].parameter.value.scalars(as: Double.self) == [5, 6])  // untouched
        #expect(trainingErrorText { _ = try Checkpoint.load(folder + "/none.safetensors", model: model, optimizer: optimizer) }
                .hasPrefix("safetensors.load:"))
        // A valid safetensors file without bm's metadata: header length 8, header "{}" padded with spaces.
        let plain = folder + "/plain.safetensors"
        try Data([8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8)).write(to: URL(fileURLWithPath: plain))
        #expect(trainingErrorText { _ = try Checkpoint.load(plain, model: model, optimizer: optimizer) }
                == "Checkpoint.load: \(plain): not a bm checkpoint: the metadata \"bm.checkpoint\" is missing or malformed")
    }
}
