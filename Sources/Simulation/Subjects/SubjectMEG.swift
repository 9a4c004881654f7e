import Foundation
import Tensors

/// Simulated MEG: evoked responses of region sources mixed to sensors, with repeats.
public struct MEGData: Sendable {
    /// Sensor data `[repeats, n, sensors, times]` float32, its repeat average `[n, sensors, times]` and the
    /// noiseless sensor signal `[n, sensors, times]` float32.
    public let data: Tensor, mean: Tensor, signal: Tensor
    /// Sample times (seconds from image onset) `[times]` float64.
    public let times: Tensor
    /// Noiseless source time courses `[n, sources, times]` float32.
    public let sources: Tensor
    /// Region and hemisphere of each source.
    public let sourceRegions: [CorticalRegion], sourceHemispheres: [CorticalHemisphere]
    /// Source positions and unit dipole orientations `[sources, 3]` float64 (centimetres, x right, y anterior,
    /// z up), sensor positions `[sensors, 3]` and the lead field `[sensors, sources]` float64.
    public let sourcePositions: Tensor, sourceOrientations: Tensor, sensorPositions: Tensor, leadField: Tensor
    /// Peak latency of each region's sources (seconds), in `CorticalRegion.allCases` order.
    public let regionLatency: [Double]
    /// Sensor noise standard deviation (the same for every sensor).
    public let noiseStandardDeviation: Double
    /// Samples per second.
    public let samplingRate: Double
}

extension VirtualSubject {
    /// MEG responses to `images` `[n, h, w, c]`.
    ///
    /// Sources: each region of each hemisphere is cut into patches of about `verticesPerSource` neighbouring vertices
    /// (at least two): `⌈√m⌉` strips along y, each cut along x, m = round(vertices / verticesPerSource); a source's
    /// amplitude for image i is the mean noiseless response `r_v(i)` of its patch's vertices. Patches, not whole
    /// regions, because a region's mean averages its retinotopic detail away: early regions' image-specific signal
    /// reaches the sensors through the different orientations of their patches, as real V1's does through cortical
    /// folding. Each patch's dipole orientation is drawn for (region, hemisphere, patch), so a cohort shares it
    /// wherever subjects share the patch, and is perturbed per subject. Its time course is
    /// `a_i · k(t)`, `k(t) = ((t − t₀)/τ) · exp(1 − (t − t₀)/τ)` for t > t₀ (an alpha function peaking at 1 at the
    /// region's latency `t₀ + τ = regionLatency`, τ = `CorticalRegion.sourceRiseTime`). Positions: sheet (x, y) of
    /// hemisphere h maps to `(±(2 + 4y/60), −7 + 0.12x, 1 + 3 sin(πx/100))` cm, a source sitting at the mean of its
    /// vertices; orientations are random unit vectors (shared by the cohort, perturbed per subject). Sensors: a
    /// Fibonacci lattice on a 12 cm sphere from the top down to z = −1.2 cm. Lead field (dipole-like falloff)
    /// `L[k, s] = q_s · (p_k − r_s) / |p_k − r_s|³`, divided by its root mean square. Signal `L @ sources`; noise:
    /// white, `σ = noise · s · rms(signal)`, s the subject's sensor-noise multiplier.
    /// Sample times `start + j / samplingRate` up to `end`.
    /// Throws `SimulationError("VirtualSubject.meg", …)` for repeats < 1, negative noise, samplingRate ≤ 0,
    /// end ≤ start, fewer than 3 sensors, and as `responses(to:labels:)`.
    public func meg(_ images: Tensor, repeats: Int = 1, noise: Double = 1, seed: UInt64 = 0,
                    labels: [SelectivityCategory?]? = nil, samplingRate: Double = 200, start: Double = -0.1,
                    end: Double = 0.5, sensors: Int = 102) throws -> MEGData {
        let operation = "VirtualSubject.meg"
        guard repeats >= 1 else { throw SimulationError(operation, "repeats must be >= 1, got \(repeats)") }
        try VirtualSubject.checkNoise(noise, operation)
        guard samplingRate > 0, samplingRate.isFinite else {
            throw SimulationError(operation, "samplingRate must be > 0, got \(samplingRate)")
        }
        guard start.isFinite, end.isFinite, end > start else {
            throw SimulationError(operation, "end (\(end)) must be after start (\(start))")
        }
        guard sensors >= 3 else { throw SimulationError(operation, "needs at least 3 sensors, got \(sensors)") }
        let stages = try responses(to: images, labels: labels, operation: operation)
        let n = stages.total.shape[0], count = cortex.vertexCount
        let timeCount = Int(((end - start) * samplingRate + 1e-9).rounded(.down)) + 1
        let times = (0..<timeCount).map { start + Double($0) / samplingRate }

        // Sources: patches of each region and hemisphere, `patchKeys` naming them for the orientations.
        var members = [[Int]](), regions = [CorticalRegion](), sides = [CorticalHemisphere](), patchKeys = [UInt64]()
        for side in CorticalHemisphere.allCases {
            for region in CorticalRegion.allCases {
                let patches = VirtualSubject.patches(of: cortex.vertices(in: region, hemisphere: side), cortex: cortex,
                                                     verticesPerSource: VirtualSubject.megVerticesPerSource)
                for (number, patch) in patches.enumerated() {
                    members.append(patch); regions.append(region); sides.append(side)
                    patchKeys.append((UInt64(side == .left ? 0 : 1) << 40) | (UInt64(region.order) << 20) | UInt64(number))
                }
            }
        }
        let sourceCount = members.count
        let response = stages.total.contiguous().scalars(as: Float.self)
        var courses = [Float](repeating: 0, count: n * sourceCount * timeCount)
        for source in 0..<sourceCount {
            let region = regions[source]
            let rise = region.sourceRiseTime, onset = regionLatency[region.order] - rise
            let kernel = times.map { t -> Double in
                t > onset ? (t - onset) / rise * Foundation.exp(1 - (t - onset) / rise) : 0
            }
            for image in 0..<n {
                var amplitude = 0.0
                for vertex in members[source] { amplitude += Double(response[image * count + vertex]) }
                amplitude /= Double(members[source].count)
                for (time, value) in kernel.enumerated() {
                    courses[(image * sourceCount + source) * timeCount + time] = Float(amplitude * value)
                }
            }
        }
        let sourceTensor = try Tensor(shape: [n, sourceCount, timeCount], scalars: courses)

        // Geometry and lead field.
        var positions = [Double](), orientations = [Double]()
        for source in 0..<sourceCount {
            // Subject keys are index + 1 (< 2⁴⁰); patch keys have bit 41 set, so the two never meet.
            var shared = SeededRandom(seed: self.seed, stream: RandomStream.sourceOrientations.rawValue,
                                      subject: (1 << 41) | patchKeys[source])
            var own = SeededRandom(seed: self.seed, stream: RandomStream.sourceOrientations.rawValue,
                                   subject: (UInt64(index) &+ 1) &* 0x1_0000_0001 ^ patchKeys[source])
            var point = [0.0, 0.0, 0.0]
            for vertex in members[source] {
                let x = cortex.x[vertex], y = cortex.y[vertex]
                let side = cortex.hemisphere[vertex] == .left ? -1.0 : 1.0
                point[0] += side * (2 + 4 * y / VirtualCortex.sheetHeight)
                point[1] += -7 + 0.12 * x
                point[2] += 1 + 3 * Foundation.sin(Double.pi * x / VirtualCortex.sheetWidth)
            }
            positions += point.map { $0 / Double(members[source].count) }
            var direction = (0..<3).map { _ in shared.normal() + 0.3 * own.normal() }
            let length = Swift.max(1e-12, direction.reduce(0) { $0 + $1 * $1 }.squareRoot())
            direction = direction.map { $0 / length }
            orientations += direction
        }
        var sensorPositions = [Double]()
        let golden = Double.pi * (3 - 5.0.squareRoot())
        for sensor in 0..<sensors {
            let z = 1 - 1.1 * (Double(sensor) + 0.5) / Double(sensors)
            let radius = Swift.max(0, 1 - z * z).squareRoot(), angle = golden * Double(sensor)
            sensorPositions += [12 * radius * Foundation.cos(angle), 12 * radius * Foundation.sin(angle), 12 * z]
        }
        var lead = [Double](repeating: 0, count: sensors * sourceCount)
        for sensor in 0..<sensors {
            for source in 0..<sourceCount {
                let d = (0..<3).map { sensorPositions[sensor * 3 + $0] - positions[source * 3 + $0] }
                let distance = Swift.max(0.5, d.reduce(0) { $0 + $1 * $1 }.squareRoot())
                let projection = (0..<3).reduce(0.0) { $0 + orientations[source * 3 + $1] * d[$1] }
                lead[sensor * sourceCount + source] = projection / (distance * distance * distance)
            }
        }
        let rms = (lead.reduce(0) { $0 + $1 * $1 } / Double(lead.count)).squareRoot()
        lead = lead.map { $0 / Swift.max(rms, 1e-30) }
        let leadField = try Tensor(shape: [sensors, sourceCount], scalars: lead)
        let signal = try Tensor.matmul(leadField.astype(.float32), sourceTensor)

        let signalValues = signal.scalars(as: Float.self)
        let power = signalValues.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(Swift.max(signalValues.count, 1))
        let deviation = noise * sensorNoiseScale * (power > 0 ? power.squareRoot() : 1)
        let standardNormal = try Tensor.randomNormal([repeats, n, sensors, timeCount], seed: measurementSeed(.megNoise, seed),
                                                     dtype: .float32)
        let data = try (try standardNormal * deviation) + signal
        return MEGData(data: data, mean: try data.mean(axes: [0]), signal: signal, times: Tensor(times),
                       sources: sourceTensor, sourceRegions: regions, sourceHemispheres: sides,
                       sourcePositions: try Tensor(shape: [sourceCount, 3], scalars: positions),
                       sourceOrientations: try Tensor(shape: [sourceCount, 3], scalars: orientations),
                       sensorPositions: try Tensor(shape: [sensors, 3], scalars: sensorPositions), leadField: leadField,
                       regionLatency: regionLatency, noiseStandardDeviation: deviation, samplingRate: samplingRate)
    }

    /// Vertices per MEG source patch (`meg`): about 25, so that a 2000-vertex subject has about 80 sources.
    static let megVerticesPerSource = 25

    /// `vertices` cut into about `count / verticesPerSource` patches (at least two when there are two vertices) of
    /// neighbours on the sheet: equal-count strips along y, each cut into equal-count pieces along x.
    static func patches(of vertices: [Int], cortex: VirtualCortex, verticesPerSource: Int) -> [[Int]] {
        guard vertices.count > 1 else { return vertices.isEmpty ? [] : [vertices] }
        let wanted = Swift.min(vertices.count,
                               Swift.max(2, Int((Double(vertices.count) / Double(verticesPerSource)).rounded())))
        let stripCount = Int(Double(wanted).squareRoot().rounded(.up))
        let byY = vertices.sorted { (cortex.y[$0], $0) < (cortex.y[$1], $1) }
        var patches = [[Int]]()
        var piecesLeft = wanted
        for strip in 0..<stripCount {
            let rows = byY[(strip * byY.count / stripCount)..<((strip + 1) * byY.count / stripCount)]
            let pieces = Swift.max(1, Swift.min(rows.count, piecesLeft / (stripCount - strip)))
            piecesLeft -= pieces
            let byX = rows.sorted { (cortex.x[$0], $0) < (cortex.x[$1], $1) }
            for piece in 0..<pieces {
                let patch = byX[(piece * byX.count / pieces)..<((piece + 1) * byX.count / pieces)]
                if !patch.isEmpty { patches.append(patch.sorted()) }
            }
        }
        return patches
    }
}
