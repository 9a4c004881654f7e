import Autodiff
import Datasets
import Foundation
import Tensors

extension DINOReadingObjective {
    /// The objective of the DINO run saved in the training checkpoint at `path` (written by `train` with
    /// `.dino`): its student head ("model.student.head.…"), its EMA teacher ("model.teacher.backbone.…",
    /// "model.teacher.head.…"), its centre ("model.dino_loss.center") and its student temperature τs, for a model
    /// that takes the student backbone's place (see `DINOReadingObjective`).
    ///
    /// `backbone` gives the architecture (the checkpoint stores tensors, not the configuration): the teacher
    /// backbone is a copy of it holding the checkpoint's teacher weights, in `backbone`'s dtype, as the heads and
    /// the centre. The checkpoint's student backbone must have `backbone`'s tensor names and shapes; its weights
    /// are not used (the model read supplies them; for the training objective itself, that is the student of this
    /// checkpoint). τt is `teacherTemperature`, by default the one the run's schedule gave the checkpoint's last
    /// step (DINO's warm-up from 0.04 to 0.07).
    ///
    /// Throws `DataError` (operation "gradients") for a missing or unreadable file and for a file that is not a
    /// DINO training checkpoint (a model file without training state, a checkpoint of supervised training, one
    /// lacking a teacher, head or centre); `TensorError` `shapeMismatch` naming every tensor of the checkpoint's
    /// backbones that does not fit `backbone` (unexpected, missing, other shapes), and what `init` throws.
    public init(checkpoint path: String, backbone: VisionTransformer, teacherTemperature: Double? = nil) throws {
        let operation = "gradients"
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(operation, path: path, "no such DINO training checkpoint")
        }
        let contents = try Safetensors.load(path)
        func notDINO(_ reason: String) -> DataError {
            DataError(operation, path: path, "not a DINO training checkpoint: " + reason)
        }
        guard let json = contents.metadata[Checkpoint.metadataKey],
              let info = try? JSONDecoder().decode(Checkpoint.Info.self, from: Data(json.utf8)) else {
            throw notDINO("it holds no training state (metadata \"\(Checkpoint.metadataKey)\"): a model's weights, "
                          + "not a training checkpoint")
        }
        guard info.extra["objective"] == "dino" else {
            throw notDINO("it was written by training with objective \"\(info.extra["objective"] ?? "unknown")\"")
        }
        let temperatures = (info.extra["dino.temperatures"] ?? "").split(separator: " ").compactMap { Double($0) }
        guard temperatures.count == 4 else {
            throw notDINO("its temperatures (\"dino.temperatures\") are missing or malformed")
        }
        func tensors(_ prefix: String) throws -> [String: Tensor] {
            var state: [String: Tensor] = [:]
            for (name, tensor) in contents.tensors where name.hasPrefix(prefix) {
                state[String(name.dropFirst(prefix.count))] = tensor.copy()
            }
            guard !state.isEmpty else { throw notDINO("it holds no tensors \"\(prefix)…\"") }
            return state
        }
        let dtype = backbone.patchEmbedding.weight.value.dtype
        let teacherBackbone = try backbone.replica()
        try Self.fit(tensors("model.student.backbone."), into: teacherBackbone, what: "student backbone", path: path)
        try Self.fit(tensors("model.teacher.backbone."), into: teacherBackbone, what: "teacher backbone", path: path)
        let studentHead = try Self.head(tensors("model.student.head."), dtype: dtype, what: "student head", path: path)
        let teacherHead = try Self.head(tensors("model.teacher.head."), dtype: dtype, what: "teacher head", path: path)
        guard let center = try tensors("model.dino_loss.")["center"], center.rank == 2, center.shape[0] == 1 else {
            throw notDINO("it holds no centre \"model.dino_loss.center\" [1, K]")
        }
        let loss = try DINOLoss(prototypes: center.shape[1], studentTemperature: temperatures[0], dtype: dtype)
        try loss.load(["center": center])
        let schedule = try TeacherTemperatureSchedule(start: temperatures[1], final: temperatures[2],
                                                      warmupSteps: Int(temperatures[3]))
        let temperature = try teacherTemperature ?? schedule.value(at: Swift.max(info.step - 1, 0))
        try self.init(studentHead: studentHead, teacher: DINOModel(backbone: teacherBackbone, head: teacherHead),
                      loss: loss, teacherTemperature: temperature)
    }

    /// Loads `state` into `module`, rethrowing a mismatch as "the checkpoint's <what> does not fit this model".
    static func fit(_ state: [String: Tensor], into module: any Module, what: String, path: String) throws {
        do {
            try module.load(state)
        } catch let error as TensorError {
            throw TensorError(.shapeMismatch, "gradients", "\(path): the checkpoint's \(what) does not fit this "
                              + "model: \(error.message)")
        }
    }

    /// A DINO head of the shapes `state` holds ("mlp.0.weight" `[hidden, inputs]` … "mlp.2(L−1).weight"
    /// `[bottleneck, hidden]`, "last_layer.weight_v" `[K, bottleneck]`), holding those tensors.
    static func head(_ state: [String: Tensor], dtype: DType, what: String, path: String) throws -> DINOHead {
        var weights: [Tensor] = []
        while let weight = state["mlp.\(2 * weights.count).weight"], weight.rank == 2 { weights.append(weight) }
        guard let first = weights.first, let last = weights.last, let prototypes = state["last_layer.weight_v"],
              prototypes.rank == 2 else {
            throw DataError("gradients", path: path, "not a DINO training checkpoint: its \(what) lacks "
                            + "\"mlp.0.weight\" or \"last_layer.weight_v\"")
        }
        let head = try DINOHead(inputs: first.shape[1], prototypes: prototypes.shape[0], hidden: first.shape[0],
                                bottleneck: last.shape[0], layers: weights.count, dtype: dtype)
        try fit(state, into: head, what: what, path: path)
        return head
    }
}
