import Tensors

/// Everything planted in a virtual subject, for tests and analyses to check what they recover.
public struct GroundTruth: Sendable {
    /// Per vertex `[V]`: region name, region index (`CorticalRegion.allCases` order), hemisphere (0 left, 1 right),
    /// hierarchy position (mm from V1's centre) and level (0 V1 … 6 PFC).
    public let regions: [String]
    public let regionIndex: Tensor, hemisphere: Tensor, hierarchyPosition: Tensor, hierarchyLevel: Tensor
    /// Sheet coordinates `[V]` (mm) and flat-map x with both hemispheres side by side.
    public let x: Tensor, y: Tensor, flatMapX: Tensor
    /// Stage weights `[V, 3]` (early, middle, category) before gains; the dominant stage's name per vertex.
    public let stageWeights: Tensor
    public let stages: [String]
    /// pRF per vertex `[V]`: polar angle and eccentricity (degrees), size σ (degrees), Cartesian centre (degrees).
    public let polarAngle: Tensor, eccentricity: Tensor, prfSize: Tensor, prfX: Tensor, prfY: Tensor
    /// Early tuning per vertex `[V]`: preferred orientation (degrees) and scale (0 finest … 2 coarsest).
    public let orientationPreference: Tensor, scalePreference: Tensor
    /// Category preferences `[V, 5]` in `categories` order, and the preferred category per vertex ("" for none).
    public let categoryPreference: Tensor
    public let preferredCategory: [String]
    public let categories: [String]
    /// Gain and noise multiplier `[V]`.
    public let gain: Tensor, noiseScale: Tensor
    /// Synthetic cortical maps `[V]`: myelin-like and intrinsic timescale (seconds).
    public let myelin: Tensor, timescale: Tensor
    /// Per region, in `regionNames` order: MEG peak latency (seconds), dominant stage, preferred category ("" for
    /// none), hierarchy level.
    public let regionNames: [String]
    public let regionLatency: Tensor
    public let regionStage: [String], regionCategory: [String]
    public let regionLevel: Tensor
}

extension VirtualSubject {
    /// The subject's planted ground truth.
    public var truth: GroundTruth {
        let c = cortex, count = c.vertexCount
        func vector(_ values: [Double]) -> Tensor { Tensor(values) }
        let weights = (0..<count).flatMap { vertex -> [Double] in
            let w = c.region[vertex].stageWeights
            return [w.early, w.middle, w.category]
        }
        return GroundTruth(
            regions: c.region.map(\.rawValue),
            regionIndex: Tensor(c.region.map { Int64($0.order) }),
            hemisphere: Tensor(c.hemisphere.map { Int64($0.rawValue) }),
            hierarchyPosition: vector(c.hierarchyPosition),
            hierarchyLevel: Tensor(c.region.map { Int64($0.hierarchyLevel) }),
            x: vector(c.x), y: vector(c.y), flatMapX: vector(c.flatMapX),
            stageWeights: try! Tensor(shape: [count, 3], scalars: weights),
            stages: c.region.map(\.dominantStage.rawValue),
            polarAngle: vector(c.polarAngle), eccentricity: vector(c.eccentricity), prfSize: vector(c.prfSize),
            prfX: vector(c.prfX), prfY: vector(c.prfY),
            orientationPreference: vector(orientationPreference), scalePreference: vector(scalePreference),
            categoryPreference: try! Tensor(shape: [count, SelectivityCategory.allCases.count],
                                            scalars: categoryPreference.flatMap { $0 }),
            preferredCategory: c.region.map { $0.preferredCategory?.rawValue ?? "" },
            categories: SelectivityCategory.allCases.map(\.rawValue),
            gain: vector(gain), noiseScale: vector(noiseScale),
            myelin: vector(c.myelin), timescale: vector(c.timescale),
            regionNames: CorticalRegion.allCases.map(\.rawValue),
            regionLatency: vector(regionLatency),
            regionStage: CorticalRegion.allCases.map(\.dominantStage.rawValue),
            regionCategory: CorticalRegion.allCases.map { $0.preferredCategory?.rawValue ?? "" },
            regionLevel: Tensor(CorticalRegion.allCases.map { Int64($0.hierarchyLevel) }))
    }
}
