import Foundation
import Tensors

/// One virtual subject: a `VirtualCortex` whose vertices respond to images through the fixed `FeatureBank`.
///
/// Response of vertex v to image i (arbitrary units, 0 for a uniform grey image without labels):
/// `r_v(i) = g_v · (w_e E'_v(i) + w_m M'_v(i) + w_c C'_v(i))`, with the stage weights `(w_e, w_m, w_c)` of the
/// vertex's region (`CorticalRegion.stageWeights`), gain `g_v ~ logNormal(0, 0.25)` (individual), and
/// - early `E'_v = log(1 + E_v / 0.05)`, `E_v = Σ_c t_vc · P_v[e_c]`: the 12 Gabor energies pooled by the vertex's
///   Gaussian pRF `P_v` (σ² + (pixel/2)², weights `pixel area / 2πσ²`, so that a pRF partly off the image gets less),
///   tuned by `t_vc ∝ exp(1.5 (cos 2(θ_c − φ_v) − 1)) · exp(−(s_c − s_v)² / 0.72)` — preferred orientation φ_v
///   (shared by the cohort at each vertex, plus 15° individual jitter) and preferred scale s_v = log₂(2σ / λ₀)
///   clamped to [0, 2], λ₀ the finest wavelength in degrees; the log is a compressive contrast response;
/// - middle `M'_v = log(1 + M_v / 0.05)`, `M_v = Σ_k u_vk · √(P'_v[m_k])`: the 30 texture products pooled by a pRF
///   1.5 times wider, weights `u_v` on the simplex (70 % shared by the cohort, 30 % individual);
/// - category `C'_v = 2 · Σ_c p_vc · x_c(i)`, with x(i) the category evidence of the image (labels when given:
///   one-hot, zero for an unlabelled category such as scrambled) and preferences p_v: 1 for the region's category,
///   0.3 for faces↔bodies, 0.2 for the others in LO, 0.1 otherwise, plus individual jitter of 0.05;
///   frontal vertices mix all five with random weights.
public struct VirtualSubject: Sendable {
    /// Index within the cohort and the cohort's seed.
    public let index: Int
    public let seed: UInt64
    /// The subject's cortex and the (shared, fixed) feature bank.
    public let cortex: VirtualCortex
    public let bank: FeatureBank
    /// Preferred orientation (degrees) and scale (0 finest … 2 coarsest) of each vertex's early tuning.
    public let orientationPreference: [Double], scalePreference: [Double]
    /// Response gain and noise multiplier of each vertex (individual).
    public let gain: [Double], noiseScale: [Double]
    /// Category preferences `[V, 5]` (columns in `SelectivityCategory` order).
    public let categoryPreference: [[Double]]
    /// Peak latency (seconds) of each region's MEG sources, in `CorticalRegion.allCases` order (template plus
    /// individual jitter of 4 ms, kept increasing along the hierarchy levels).
    public let regionLatency: [Double]
    /// Multiplier of the MEG sensor noise (individual).
    public let sensorNoiseScale: Double

    let earlyTuning: Tensor, middleTuning: Tensor, categoryWeights: Tensor   // [12, V], [30, V], [5, V] float32
    let earlyPooling: Tensor, middlePooling: Tensor                        // [(R/2)², V], [(R/4)², V] float32
    let stageWeights: Tensor                                                // [3, V] float32, gains folded in

    /// Subject `index` of the cohort `seed`, with `vertices` vertices over both hemispheres, images spanning
    /// `fieldOfView` degrees, resampled to `resolution` pixels. Throws as `VirtualCortex` and `FeatureBank`, and for a
    /// negative index.
    public init(index: Int = 0, seed: UInt64 = 0, vertices: Int = 2000, fieldOfView: Double = 10,
                resolution: Int = 64, regionJitter: Double = 2.5) throws {
        guard index >= 0 else { throw SimulationError("VirtualSubject", "index must be >= 0, got \(index)") }
        self.index = index
        self.seed = seed
        let cortex = try VirtualCortex(vertices: vertices, seed: seed, subject: index, regionJitter: regionJitter,
                                       fieldOfView: fieldOfView)
        self.cortex = cortex
        let bank = try FeatureBank(resolution: resolution)
        self.bank = bank
        let subject = UInt64(index) &+ 1
        let count = vertices

        // Early tuning.
        var shared = SeededRandom(seed: seed, stream: RandomStream.orientationMap.rawValue)
        var own = SeededRandom(seed: seed, stream: RandomStream.orientationMap.rawValue, subject: subject)
        let orientations = (0..<count).map { _ in
            let value = shared.uniform(0, 180) + 15 * own.normal()
            return (value.truncatingRemainder(dividingBy: 180) + 180).truncatingRemainder(dividingBy: 180)
        }
        let finest = fieldOfView / 16
        let scales = cortex.prfSize.map { Swift.min(2, Swift.max(0, Foundation.log2(2 * $0 / finest))) }
        orientationPreference = orientations
        scalePreference = scales
        var early = [Float](repeating: 0, count: FeatureBank.earlyChannelCount * count)
        for vertex in 0..<count {
            var weights = [Double]()
            for scale in 0..<FeatureBank.scaleCount {
                for orientation in FeatureBank.orientations {
                    let difference = 2 * (orientation - orientations[vertex]) * Double.pi / 180
                    let scaleDifference = Double(scale) - scales[vertex]
                    weights.append(Foundation.exp(1.5 * (Foundation.cos(difference) - 1))
                                   * Foundation.exp(-scaleDifference * scaleDifference / 0.72))
                }
            }
            let total = weights.reduce(0, +)
            for (channel, weight) in weights.enumerated() { early[channel * count + vertex] = Float(weight / total) }
        }
        earlyTuning = try Tensor(shape: [FeatureBank.earlyChannelCount, count], scalars: early)

        // Middle tuning.
        var middleShared = SeededRandom(seed: seed, stream: RandomStream.middleTuning.rawValue)
        var middleOwn = SeededRandom(seed: seed, stream: RandomStream.middleTuning.rawValue, subject: subject)
        var middle = [Float](repeating: 0, count: FeatureBank.middleChannelCount * count)
        for vertex in 0..<count {
            let weights = (0..<FeatureBank.middleChannelCount).map { _ in
                0.7 * -Foundation.log(1 - middleShared.uniform()) + 0.3 * -Foundation.log(1 - middleOwn.uniform())
            }
            let total = weights.reduce(0, +)
            for (channel, weight) in weights.enumerated() { middle[channel * count + vertex] = Float(weight / total) }
        }
        middleTuning = try Tensor(shape: [FeatureBank.middleChannelCount, count], scalars: middle)

        // Category preferences.
        var categoryShared = SeededRandom(seed: seed, stream: RandomStream.categoryTuning.rawValue)
        var categoryOwn = SeededRandom(seed: seed, stream: RandomStream.categoryTuning.rawValue, subject: subject)
        var preferences = [[Double]]()
        for vertex in 0..<count {
            let region = cortex.region[vertex]
            var row = [Double](repeating: 0.1, count: SelectivityCategory.allCases.count)
            let sharedDraws = (0..<row.count).map { _ in categoryShared.uniform() }
            switch region.preferredCategory {
            case .some(let category):
                if category == .objects { row = row.map { _ in 0.2 } }
                if category == .faces { row[SelectivityCategory.bodies.index] = 0.3 }
                if category == .bodies { row[SelectivityCategory.faces.index] = 0.3 }
                row[category.index] = 1
            case .none:
                if region.hierarchyLevel >= 5 { row = sharedDraws.map { 0.2 + 0.8 * $0 } }
            }
            preferences.append(row.map { Swift.max(0, $0 + 0.05 * categoryOwn.normal()) })
        }
        categoryPreference = preferences
        categoryWeights = try Tensor(shape: [count, SelectivityCategory.allCases.count],
                                     scalars: preferences.flatMap { $0.map { Float($0) } }).transposed().contiguous()

        // Gains, noise, latencies.
        var gains = SeededRandom(seed: seed, stream: RandomStream.gains.rawValue, subject: subject)
        gain = (0..<count).map { _ in Foundation.exp(0.25 * gains.normal()) }
        var noises = SeededRandom(seed: seed, stream: RandomStream.noiseScales.rawValue, subject: subject)
        noiseScale = (0..<count).map { _ in Foundation.exp(0.3 * noises.normal()) }
        sensorNoiseScale = Foundation.exp(0.2 * noises.normal())
        var latencies = SeededRandom(seed: seed, stream: RandomStream.latencies.rawValue, subject: subject)
        var latency = CorticalRegion.allCases.map { $0.templateLatency + 0.004 * latencies.normal() }
        for region in CorticalRegion.allCases {   // keep the order of hierarchy levels with at least 5 ms between them
            let below = CorticalRegion.allCases.filter { $0.hierarchyLevel < region.hierarchyLevel }.map { latency[$0.order] }
            if let highest = below.max() { latency[region.order] = Swift.max(latency[region.order], highest + 0.005) }
        }
        regionLatency = latency

        var stages = [Float](repeating: 0, count: 3 * count)
        for vertex in 0..<count {
            let weights = cortex.region[vertex].stageWeights
            stages[vertex] = Float(gain[vertex] * weights.early)
            stages[count + vertex] = Float(gain[vertex] * weights.middle)
            stages[2 * count + vertex] = Float(gain[vertex] * weights.category)
        }
        stageWeights = try Tensor(shape: [3, count], scalars: stages)
        earlyPooling = try VirtualSubject.pooling(cortex, grid: resolution / 2, widening: 1)
        middlePooling = try VirtualSubject.pooling(cortex, grid: resolution / 4, widening: 1.5)
    }

    /// Gaussian pRF weights `[grid², V]` float32 on a grid × grid image spanning the field of view.
    static func pooling(_ cortex: VirtualCortex, grid: Int, widening: Double) throws -> Tensor {
        let pixel = cortex.fieldOfView / Double(grid), count = cortex.vertexCount
        var weights = [Float](repeating: 0, count: grid * grid * count)
        for vertex in 0..<count {
            let sigma = widening * cortex.prfSize[vertex]
            let variance = sigma * sigma + pixel * pixel / 4
            let scale = pixel * pixel / (2 * Double.pi * variance)
            for row in 0..<grid {
                let dy = (0.5 - (Double(row) + 0.5) / Double(grid)) * cortex.fieldOfView - cortex.prfY[vertex]
                for column in 0..<grid {
                    let dx = ((Double(column) + 0.5) / Double(grid) - 0.5) * cortex.fieldOfView - cortex.prfX[vertex]
                    let distance = dx * dx + dy * dy
                    guard distance < 25 * variance else { continue }
                    weights[(row * grid + column) * count + vertex] = Float(scale * Foundation.exp(-distance / (2 * variance)))
                }
            }
        }
        return try Tensor(shape: [grid * grid, count], scalars: weights)
    }

    /// The subjects `0..<count` of the cohort `seed` (same vertex layout and shared tunings, individual regions,
    /// gains, noise and latencies). Throws as `init`, and for count < 1.
    public static func cohort(_ count: Int, seed: UInt64 = 0, vertices: Int = 2000, fieldOfView: Double = 10,
                              resolution: Int = 64) throws -> [VirtualSubject] {
        guard count >= 1 else { throw SimulationError("VirtualSubject.cohort", "count must be >= 1, got \(count)") }
        return try (0..<count).map {
            try VirtualSubject(index: $0, seed: seed, vertices: vertices, fieldOfView: fieldOfView, resolution: resolution)
        }
    }
}
