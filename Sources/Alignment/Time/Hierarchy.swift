import Foundation
import Tensors

/// A correlation with a null distribution.
public struct CorrelationTest: Sendable {
    /// Spearman's ρ of the two maps.
    public let rho: Double
    /// `(1 + #{|ρ_null| ≥ |ρ|}) / (1 + draws)`; NaN when no null was drawn.
    public let pValue: Double
    /// The null correlations [draws].
    public let null: Tensor
}

/// The temporal score of model layers against MEG latencies (`Hierarchy.temporalScore`).
public struct TemporalScore: Sendable {
    /// Spearman's ρ of peak time with depth; NaN when every layer peaks at the same time.
    public let rho: Double
    /// Two-sided permutation p-value of ρ over orderings of the depths (exact up to `Hierarchy.exactLayers`).
    public let pValue: Double
    /// Each layer's peak time [layers] (seconds).
    public let peakTimes: Tensor
}

/// The summary scores of model–brain hierarchy studies, each one documented call.
public enum Hierarchy {
    /// How a voxel's (or region's) preferred layer is read from its encoding scores.
    public enum LayerSummary: String, Sendable, CaseIterable {
        /// `argmax_l score[l, v]` (ties: the first layer).
        case best
        /// `Σ_l l · s⁺[l, v] / Σ_l s⁺[l, v]` with `s⁺ = max(score, 0)`: robust to near-equal layers.
        case weightedMean = "weighted_mean"
    }

    /// Each voxel's preferred layer index (0-based) from scores [layers, voxels].
    /// - Throws: `AlignmentError` for `scores` not 2-D, no layers, non-finite scores (voxel named).
    public static func preferredLayer(_ scores: Tensor, summary: LayerSummary = .best) throws -> Tensor {
        let operation = "preferred_layer"
        let s = try Inputs.matrix(scores, "scores", operation)
        guard s.rows >= 1 else { throw AlignmentError(operation, "scores has no layers") }
        let checked = try Inputs.finiteColumns(s, "scores", operation, policy: .refuse)
        var result = [Double]()
        for voxel in 0..<checked.columns {
            switch summary {
            case .best:
                var best = 0
                for layer in 1..<checked.rows where checked[layer, voxel] > checked[best, voxel] { best = layer }
                result.append(Double(best))
            case .weightedMean:
                var weighted = 0.0, total = 0.0
                for layer in 0..<checked.rows {
                    let w = Swift.max(0, checked[layer, voxel])
                    weighted += Double(layer) * w; total += w
                }
                result.append(total > 0 ? weighted / total : .nan)
            }
        }
        return Tensor(result)
    }

    /// The spatial score: Spearman's ρ between each voxel's (or region's) preferred layer and its position in the
    /// cortical hierarchy (e.g. geodesic distance from V1, or a region's rank), with a spin-test null when sphere
    /// coordinates are given, a permutation null otherwise (`draws` = 0 skips the null).
    /// - Parameters: `scores` [layers, voxels] (encoding scores per layer); `hierarchy` [voxels]; `coordinates`
    ///   [voxels, 3] points on a sphere (e.g. FreeSurfer `?h.sphere` vertices or parcel centroids), or nil.
    /// - Throws: `AlignmentError` for mismatched sizes (shapes named), and as `preferredLayer` and `spinTest`.
    public static func spatialScore(scores: Tensor, hierarchy: Tensor, summary: LayerSummary = .best,
                                    coordinates: Tensor? = nil, draws: Int = 1_000, seed: UInt64 = 0) throws -> CorrelationTest {
        let operation = "spatial_score"
        guard scores.rank == 2, hierarchy.shape == [scores.shape[1]] else {
            throw AlignmentError(operation, "scores \(formatShape(scores.shape)) must be [layers, voxels] and hierarchy \(formatShape(hierarchy.shape)) [voxels]")
        }
        return try correlateMaps(preferredLayer(scores, summary: summary), hierarchy, coordinates: coordinates,
                                 draws: draws, seed: seed, operation: operation)
    }

    /// The temporal score: Spearman's ρ between each layer's peak time and its depth, with a permutation p-value.
    ///
    /// p = #{orderings with |ρ_perm| ≥ |ρ|} / #orderings, two-sided, over the orderings of the depths: all L! of
    /// them (exact, the observed one included) when L ≤ `exactLayers`, else `draws` random ones,
    /// `(1 + #{|ρ_null| ≥ |ρ|}) / (1 + draws)`. With the few layers of a network the null is coarse: at L = 3 the
    /// smallest p is 2/6, at L = 6 it is 2/720, so a ρ of 1 over three layers is no evidence on its own.
    /// When every layer peaks at the same time ρ is undefined: NaN, and so is p.
    /// - Parameters: `curves` [layers, times] (e.g. each layer's MEG encoding or RSA curve); `times` [times] in
    ///   seconds; `depths` [layers] (nil: 0, 1, 2, …); `draws` ≥ 0 (used beyond `exactLayers` layers; 0 gives p NaN);
    ///   `seed` for those draws.
    /// - Returns: ρ, its p-value and the peak times [layers] (first maximum).
    /// - Throws: `AlignmentError` for mismatched sizes (shapes named), fewer than 2 layers, non-finite values,
    ///   `draws` < 0.
    public static func temporalScore(curves: Tensor, times: Tensor, depths: Tensor? = nil, draws: Int = 10_000,
                                     seed: UInt64 = 0) throws -> TemporalScore {
        let operation = "temporal_score"
        let c = try Inputs.matrix(curves, "curves", operation)
        let t = try Inputs.vector(times, "times", operation)
        guard t.count == c.columns else {
            throw AlignmentError(operation, "times \(formatShape(times.shape)) must have one entry per column of curves \(formatShape(curves.shape))")
        }
        guard c.rows >= 2 else { throw AlignmentError(operation, "needs at least 2 layers, got \(c.rows)") }
        guard draws >= 0 else { throw AlignmentError(operation, "draws must be >= 0, got \(draws)") }
        let depth = try depths.map { try Inputs.vector($0, "depths", operation) } ?? (0..<c.rows).map(Double.init)
        guard depth.count == c.rows else {
            throw AlignmentError(operation, "depths \(formatShape(depths?.shape ?? [])) must have one entry per layer of curves \(formatShape(curves.shape))")
        }
        try Inputs.requireFinite(depth, "depths", operation)
        _ = try Inputs.finiteColumns(c, "curves", operation, policy: .refuse)
        let peaks = (0..<c.rows).map { layer -> Double in
            var best = 0
            for time in 1..<Swift.max(1, c.columns) where c[layer, time] > c[layer, best] { best = time }
            return t[best]
        }
        let rho = spearman(peaks, depth)
        guard rho.isFinite else { return TemporalScore(rho: rho, pValue: .nan, peakTimes: Tensor(peaks)) }
        guard c.rows <= exactLayers else {
            // The maps' permutation null (ρ under shuffled peak times, the same null as shuffled depths).
            let test = try correlateMaps(Tensor(peaks), Tensor(depth), coordinates: nil, draws: draws, seed: seed,
                                         operation: operation)
            return TemporalScore(rho: rho, pValue: test.pValue, peakTimes: Tensor(peaks))
        }
        var exceed = 0, total = 0
        forEachPermutation(of: depth) { ordering in
            total += 1
            if abs(spearman(peaks, ordering)) >= abs(rho) - 1e-12 { exceed += 1 }
        }
        return TemporalScore(rho: rho, pValue: Double(exceed) / Double(total), peakTimes: Tensor(peaks))
    }

    /// Up to this many layers the temporal score's null is every ordering (8! = 40 320), beyond it random draws.
    public static let exactLayers = 8

    /// Calls `body` with every ordering of `values` (Heap's algorithm, iterative).
    static func forEachPermutation(of values: [Double], _ body: ([Double]) -> Void) {
        var items = values, counters = [Int](repeating: 0, count: values.count)
        body(items)
        var index = 1
        while index < items.count {
            if counters[index] < index {
                items.swapAt(index % 2 == 0 ? 0 : counters[index], index)
                body(items)
                counters[index] += 1
                index = 1
            } else {
                counters[index] = 0
                index += 1
            }
        }
    }

    /// Half-time of learning curves: for each voxel the training step at which its score first reaches half of
    /// its final value, interpolated linearly in log(step) between the two checkpoints that bracket it.
    /// A voxel whose final score is ≤ 0 has no half-time (NaN); one already above half at the first checkpoint
    /// gets the first step.
    /// Its relation to a cortical map (myelin, thickness, expansion, timescales) is
    /// `spinTest(halfTime(curves:steps:), map, coordinates:)`, which keeps the maps' spatial autocorrelation.
    /// - Parameters: `curves` [checkpoints, voxels]; `steps` [checkpoints], increasing and > 0.
    /// - Returns: float64 [voxels].
    /// - Throws: `AlignmentError` for mismatched sizes (shapes named), steps not increasing or ≤ 0, non-finite
    ///   scores.
    public static func halfTime(curves: Tensor, steps: Tensor) throws -> Tensor {
        let operation = "half_time"
        let c = try Inputs.matrix(curves, "curves", operation)
        let s = try Inputs.vector(steps, "steps", operation)
        guard s.count == c.rows else {
            throw AlignmentError(operation, "steps \(formatShape(steps.shape)) must have one entry per row of curves \(formatShape(curves.shape))")
        }
        guard s.allSatisfy({ $0 > 0 }), zip(s, s.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw AlignmentError(operation, "steps must be positive and strictly increasing (they are interpolated on a log scale)")
        }
        _ = try Inputs.finiteColumns(c, "curves", operation, policy: .refuse)
        let logSteps = s.map { Foundation.log($0) }
        return Tensor((0..<c.columns).map { voxel -> Double in
            guard let final = (c.rows > 0 ? c[c.rows - 1, voxel] : nil), final > 0 else { return .nan }
            let half = final / 2
            if c[0, voxel] >= half { return s[0] }
            for k in 1..<c.rows where c[k, voxel] >= half {
                let (y0, y1) = (c[k - 1, voxel], c[k, voxel])
                let fraction = (half - y0) / (y1 - y0)
                return Foundation.exp(logSteps[k - 1] + fraction * (logSteps[k] - logSteps[k - 1]))
            }
            return s[s.count - 1]
        })
    }

    /// Spearman's ρ between two cortical maps with a null that preserves spatial autocorrelation: the spin test
    /// (Alexander-Bloch et al. 2018) when `coordinates` are given, otherwise a plain permutation of `x`.
    ///
    /// Each spin draws a uniformly random rotation of the sphere (a random unit quaternion, Shoemake 1992), rotates
    /// the coordinates and gives every vertex the value of `x` at the original vertex nearest to its rotated
    /// position (Váša et al. 2018's nearest-neighbour reassignment); ρ of the rotated `x` with `y` forms the null.
    /// Both hemispheres on one sphere: spin each hemisphere separately (call per hemisphere) to keep them apart.
    /// - Parameters: `x`, `y` [vertices]; `coordinates` [vertices, 3] (any radius; centred at the origin), or nil;
    ///   `draws` ≥ 0 null draws; `seed`.
    /// - Throws: `AlignmentError` for mismatched sizes (shapes named), fewer than 3 vertices, non-finite values,
    ///   `draws` < 0, a coordinate at the origin.
    public static func spinTest(_ x: Tensor, _ y: Tensor, coordinates: Tensor?, draws: Int = 1_000,
                                seed: UInt64 = 0) throws -> CorrelationTest {
        try correlateMaps(x, y, coordinates: coordinates, draws: draws, seed: seed, operation: "spin_test")
    }

    static func correlateMaps(_ xTensor: Tensor, _ yTensor: Tensor, coordinates: Tensor?, draws: Int, seed: UInt64,
                              operation: String) throws -> CorrelationTest {
        let x = try Inputs.vector(xTensor, "x", operation), y = try Inputs.vector(yTensor, "y", operation)
        guard x.count == y.count else {
            throw AlignmentError(operation, "x \(formatShape(xTensor.shape)) and y \(formatShape(yTensor.shape)) must have the same length")
        }
        guard x.count >= 3 else { throw AlignmentError(operation, "needs at least 3 vertices, got \(x.count)") }
        guard draws >= 0 else { throw AlignmentError(operation, "draws must be >= 0, got \(draws)") }
        try Inputs.requireFinite(x, "x", operation)
        try Inputs.requireFinite(y, "y", operation)
        let rho = spearman(x, y)
        var generator = RandomGenerator(seed: seed)
        var null = [Double]()
        if let coordinates {
            guard coordinates.shape == [x.count, 3] else {
                throw AlignmentError(operation, "coordinates \(formatShape(coordinates.shape)) must be [\(x.count), 3] for \(x.count) vertices")
            }
            var points = Matrix(rows: x.count, columns: 3, values: Inputs.values(coordinates))
            try Inputs.requireFinite(points.values, "coordinates", operation)
            for vertex in 0..<points.rows {
                let norm = (points[vertex, 0] * points[vertex, 0] + points[vertex, 1] * points[vertex, 1]
                            + points[vertex, 2] * points[vertex, 2]).squareRoot()
                guard norm > 0 else { throw AlignmentError(operation, "coordinates of vertex \(vertex) are at the origin") }
                for axis in 0..<3 { points[vertex, axis] /= norm }
            }
            let uniforms = try generator.uniform([draws, 3]).scalars(as: Double.self)
            let pointsTensor = points.tensor
            for draw in 0..<draws {
                try Cancellation.check(operation)
                let rotation = randomRotation(uniforms[(draw * 3)..<(draw * 3 + 3)].map { $0 })
                let rotated = try Tensor.matmul(pointsTensor, rotation.tensor.transposed())
                // Cosine similarity of each rotated vertex with every original vertex: the nearest has the largest.
                let similarity = Matrix(rows: x.count, columns: x.count,
                                        values: Inputs.values(try Tensor.matmul(rotated, pointsTensor.transposed())))
                let spun = (0..<x.count).map { vertex -> Double in
                    var best = 0
                    for other in 1..<x.count where similarity[vertex, other] > similarity[vertex, best] { best = other }
                    return x[best]
                }
                null.append(spearman(spun, y))
            }
        } else {
            for _ in 0..<draws {
                try Cancellation.check(operation)
                let order = try generator.permutation(x.count).scalars(as: Int64.self)
                null.append(spearman(order.map { x[Int($0)] }, y))
            }
        }
        let exceed = null.filter { abs($0) >= abs(rho) - 1e-12 }.count
        return CorrelationTest(rho: rho, pValue: draws == 0 ? .nan : Double(exceed + 1) / Double(draws + 1), null: Tensor(null))
    }

    /// The rotation matrix of the unit quaternion built from three uniforms (Shoemake 1992): uniform on SO(3).
    static func randomRotation(_ u: [Double]) -> Matrix {
        let (a, b) = ((1 - u[0]).squareRoot(), u[0].squareRoot())
        let (w, x, y, z) = (a * sin(2 * .pi * u[1]), a * cos(2 * .pi * u[1]), b * sin(2 * .pi * u[2]), b * cos(2 * .pi * u[2]))
        return Matrix(rows: 3, columns: 3, values: [
            1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
            2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
        ])
    }
}
