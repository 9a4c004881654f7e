import Datasets
import Foundation
import Tensors

extension Trainer {
    /// The file of the checkpoint after `step` steps: "checkpoint-00000120.safetensors" (sorts by step).
    static func checkpointName(step: Int) -> String { "checkpoint-" + String(format: "%08d", step) + ".safetensors" }

    /// The steps of the checkpoints in `directory` (files named as `checkpointName`), ascending; none when the
    /// folder does not exist.
    static func checkpointSteps(in directory: String) -> [Int] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("checkpoint-"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst("checkpoint-".count).dropLast(".safetensors".count))
        }.sorted()
    }

    /// Writes the checkpoint after `step` steps (atomically; see `Checkpoint.save`) and returns its path.
    func saveCheckpoint(directory: String, step: Int) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(Trainer.checkpointName(step: step))
        var extra = settings
        // Double's description is the shortest text that reads back as the same number.
        extra["losses"] = losses.map { $0.description }.joined(separator: ",")
        try Checkpoint.save(path, model: state, optimizer: optimizer, step: step, randomSeed: seed, extra: extra)
        lastCheckpoint = path
        return path
    }

    /// Loads the latest checkpoint of `directory`, if any, and returns its path. A directory holds one run: a
    /// checkpoint written with other settings (another step count included) is refused rather than overwritten.
    /// Throws `TrainingError` for a checkpoint of another run (naming the settings that differ), and what
    /// `Checkpoint.load` throws; nothing is changed when it throws.
    func resume() throws -> String? {
        guard let directory, let step = Trainer.checkpointSteps(in: directory).last else { return nil }
        let path = (directory as NSString).appendingPathComponent(Trainer.checkpointName(step: step))
        let previous = Dictionary(uniqueKeysWithValues: state.state.map { ($0.name, $0.value) })
        let info = try Checkpoint.load(path, model: state, optimizer: optimizer)
        do {
            var saved = info.extra
            let lossText = saved.removeValue(forKey: "losses") ?? ""
            let differences = Set(saved.keys).union(settings.keys).sorted().compactMap { key -> String? in
                let old = saved[key] ?? "-", new = settings[key] ?? "-"
                return old == new ? nil : "\(key) \(old) vs \(new)"
            }
            guard differences.isEmpty else {
                throw TrainingError("\(path) is a checkpoint of another run (\(differences.joined(separator: "; "))): "
                                    + "use another directory or the same settings")
            }
            let history = lossText.isEmpty ? [] : lossText.split(separator: ",").compactMap { Double(String($0)) }
            guard history.count == info.step else {
                throw TrainingError("\(path) records \(history.count) losses for \(info.step) steps")
            }
            losses = history
            lastCheckpoint = path
            return path
        } catch {
            try state.load(previous)
            try optimizer.load(state: [:], stepCount: 0)
            throw error
        }
    }
}
