import Tensors

/// Noiseless responses of every vertex to a set of images, stage by stage.
public struct StageResponses: Sendable {
    /// `E'`, `M'`, `C'` of `VirtualSubject` (before stage weights and gains) and the total response `r`, each
    /// `[n, V]` float32.
    public let early: Tensor, middle: Tensor, category: Tensor, total: Tensor
    /// The category evidence used, `[n, 5]` float64: image statistics, or one-hot labels.
    public let categoryEvidence: Tensor
    /// Whether `categoryEvidence` came from labels.
    public let fromLabels: Bool
}

extension VirtualSubject {
    /// Images processed at once by `responses(to:labels:)`.
    static let imagesPerChunk = 64

    /// Noiseless responses to `images` `[n, h, w, c]` (see the type's documentation for the formula).
    /// `labels`: nil to compute category evidence from image statistics, or one entry per image — a category, or
    /// nil for an image of none of the five (scrambled, gratings…) — to make category responses follow the labels
    /// exactly. Throws `SimulationError(operation, …)` for images that are not `[n, h, w, 1|3|4]`, non-finite
    /// values, or a label count other than n.
    public func responses(to images: Tensor, labels: [SelectivityCategory?]? = nil,
                          operation: String = "VirtualSubject.responses") throws -> StageResponses {
        // Images go through the bank in chunks, so that the pooled maps ([n, 30, V] floats) stay small for long
        // naturalistic sets; every image's response depends on that image alone, so chunking changes nothing.
        let chunk = VirtualSubject.imagesPerChunk
        if images.rank == 4, images.shape[0] > chunk {
            if let labels, labels.count != images.shape[0] {
                throw SimulationError(operation, "labels has \(labels.count) entries for \(images.shape[0]) images")
            }
            var parts = [StageResponses]()
            for start in stride(from: 0, to: images.shape[0], by: chunk) {
                let range = start..<Swift.min(start + chunk, images.shape[0])
                parts.append(try responses(to: try images.sliced(axis: 0, range), labels: labels.map { Array($0[range]) },
                                           operation: operation))
            }
            func joined(_ part: (StageResponses) -> Tensor) throws -> Tensor { try Tensor.concatenate(parts.map(part)) }
            return StageResponses(early: try joined(\.early), middle: try joined(\.middle), category: try joined(\.category),
                                  total: try joined(\.total), categoryEvidence: try joined(\.categoryEvidence),
                                  fromLabels: labels != nil)
        }
        let features = try bank.features(images, operation: operation)
        let n = features.count, count = cortex.vertexCount
        let evidence: Tensor
        if let labels {
            guard labels.count == n else {
                throw SimulationError(operation, "labels has \(labels.count) entries for \(n) images")
            }
            var oneHot = [Double](repeating: 0, count: n * SelectivityCategory.allCases.count)
            for (image, label) in labels.enumerated() {
                if let label { oneHot[image * SelectivityCategory.allCases.count + label.index] = 1 }
            }
            evidence = try Tensor(shape: [n, SelectivityCategory.allCases.count], scalars: oneHot)
        } else {
            evidence = features.categoryEvidence
        }

        let earlyChannels = FeatureBank.earlyChannelCount, middleChannels = FeatureBank.middleChannelCount
        let earlyPooled = try Tensor.matmul(try features.early.reshaped([n * earlyChannels, features.early.shape[2]]),
                                            earlyPooling).reshaped([n, earlyChannels, count])
        let earlyEnergy = try (try earlyPooled * earlyTuning).sum(axes: [1])
        let early = try (try earlyEnergy / 0.05).log1p()

        let middlePooled = try Tensor.matmul(try features.middle.reshaped([n * middleChannels, features.middle.shape[2]]),
                                             middlePooling).reshaped([n, middleChannels, count])
        let middleStatistics = try (try (try middlePooled.clipped(min: 0)).sqrt() * middleTuning).sum(axes: [1])
        let middle = try (try middleStatistics / 0.05).log1p()

        let category = try Tensor.matmul(evidence.astype(.float32), categoryWeights) * 2

        let weights = try stageWeights.reshaped([3, 1, count])
        let total = try (try (try early * weights.get([.index(0)])) + (try middle * weights.get([.index(1)])))
            + (try category * weights.get([.index(2)]))
        return StageResponses(early: early, middle: middle, category: category, total: total,
                              categoryEvidence: evidence, fromLabels: labels != nil)
    }
}
