import Datasets
import Foundation
import Tensors

/// A training checkpoint in one safetensors file, replaced atomically: a failed or interrupted save leaves the
/// previous checkpoint intact, never a partial one.
///
/// Tensors: "model.<name>" for the module's state (parameters and buffers, PyTorch's `state_dict` names) and
/// "optimizer.<name>" for the optimiser state ("optimizer.exp_avg.blocks.0.attn.qkv.weight", …). The header's
/// metadata "bm.checkpoint" holds JSON: the step, the optimiser's kind, learning rate, weight decay and step count,
/// the random seed of the training stream and the caller's extra strings (schedule position, data order, …).
/// Tensors are stored bit for bit, so resuming from a checkpoint continues exactly as if training had not stopped.
public enum Checkpoint {
    /// What a checkpoint records besides tensors.
    public struct Info: Codable, Equatable, Sendable {
        /// The training step the checkpoint was taken after (the position in the schedules).
        public var step: Int
        /// The seed of the training's random stream (ForwardPass seeds, data order) as decimal text.
        public var randomSeed: String
        public var optimizerKind: String
        public var learningRate: Double
        public var weightDecay: Double
        public var optimizerStepCount: Int
        /// Anything else the caller wants back.
        public var extra: [String: String]
    }

    static let metadataKey = "bm.checkpoint"

    /// Saves `model`'s state, `optimizer`'s state, `step`, `randomSeed` and `extra` to the file `path`
    /// (conventionally ending in ".safetensors"). The file is written to a temporary name and renamed over `path`.
    /// Throws `DataError` (operation "Checkpoint.save") for a missing folder or a failed write; the file at `path`,
    /// if any, is then unchanged.
    public static func save(_ path: String, model: any Module, optimizer: any Optimizer, step: Int,
                            randomSeed: UInt64 = 0, extra: [String: String] = [:]) throws {
        let operation = "Checkpoint.save"
        guard step >= 0 else { throw DataError(operation, path: path, "the step must be non-negative, got \(step)") }
        let info = Info(step: step, randomSeed: String(randomSeed), optimizerKind: optimizer.kind,
                        learningRate: optimizer.learningRate, weightDecay: optimizer.weightDecay,
                        optimizerStepCount: optimizer.stepCount, extra: extra)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(info), as: UTF8.self)
        let tensors = model.state.map { ("model." + $0.name, $0.value) }
            + optimizer.state.map { ("optimizer." + $0.name, $0.value) }
        try AtomicFile.write(to: path, operation: operation) { temporary in
            try Safetensors.save(temporary, tensors, metadata: [metadataKey: json])
        }
    }

    /// Restores `model` and `optimizer` from the checkpoint at `path` and returns what else it records.
    /// Nothing is changed unless everything fits.
    /// Throws `DataError` (operation "Checkpoint.load") for an unreadable file, a file that is not a bm checkpoint,
    /// or an optimiser of another kind; `TensorError` from `Module.load` ("Module.load: missing tensor \"name\"",
    /// shapes) and from the optimiser's `load(state:stepCount:)`.
    public static func load(_ path: String, model: any Module, optimizer: any Optimizer) throws -> Info {
        let operation = "Checkpoint.load"
        let contents = try Safetensors.load(path)
        guard let json = contents.metadata[metadataKey],
              let info = try? JSONDecoder().decode(Info.self, from: Data(json.utf8)) else {
            throw DataError(operation, path: path, "not a bm checkpoint: the metadata \"\(metadataKey)\" is missing "
                            + "or malformed")
        }
        guard info.optimizerKind == optimizer.kind else {
            throw DataError(operation, path: path, "the checkpoint holds \(info.optimizerKind) state, but the "
                            + "optimizer is \(optimizer.kind)")
        }
        var modelState: [String: Tensor] = [:]
        var optimizerState: [String: Tensor] = [:]
        for (name, tensor) in contents.tensors {
            if name.hasPrefix("model.") {
                modelState[String(name.dropFirst("model.".count))] = tensor.copy()
            } else if name.hasPrefix("optimizer.") {
                optimizerState[String(name.dropFirst("optimizer.".count))] = tensor.copy()
            } else {
                throw DataError(operation, path: path, "unexpected tensor \"\(name)\" (neither model. nor optimizer.)")
            }
        }
        // Validate the optimiser state before touching the model, so that a mismatch changes nothing.
        let previousModel = Dictionary(uniqueKeysWithValues: model.state.map { ($0.name, $0.value) })
        try model.load(modelState)
        do {
            try optimizer.load(state: optimizerState, stepCount: info.optimizerStepCount)
        } catch {
            try model.load(previousModel)
            throw error
        }
        optimizer.learningRate = info.learningRate
        optimizer.weightDecay = info.weightDecay
        return info
    }
}
