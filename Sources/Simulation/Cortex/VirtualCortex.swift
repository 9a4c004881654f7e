import Foundation

/// A virtual cortex: vertices on a flat 100 × 60 mm sheet per hemisphere, each in one region of the visual hierarchy
/// (`CorticalRegion`), with its hierarchy position, a population receptive field (pRF) and synthetic cortical maps.
///
/// Layout. Vertex positions are a scrambled Halton sequence (bases 2 and 3) on the sheet, fixed by the cohort seed,
/// so vertex i sits at the same place in every subject of a cohort. Each vertex belongs to the region whose centre is
/// nearest (Voronoi cells of `CorticalRegion.templateCentre`, each centre jittered per subject by a normal of
/// `regionJitter` mm). Hierarchy position = Euclidean distance (mm) on the sheet from the subject's V1 centre.
///
/// Retinotopy. With `u ∈ [0, 1]` the vertex's position across its region's extent along x, and `v ∈ [0, 1]` its
/// position along y (the whole sheet's height in V1, V2 and V4, so that eccentricity is continuous across their
/// borders; the region's extent elsewhere): eccentricity `e = e_max · (lo + (hi − lo) · (exp(2v) − 1) / (exp(2) − 1))`
/// (more cortex for the fovea, range per region), polar angle `θ = −90° + 180° · u` (`1 − u` in V2, so that the angle
/// reverses at the V1/V2 and V2/V4 borders, as the field sign does), in the contralateral hemifield
/// (left hemisphere: −90…90°, right: 90…270°, 0° = right horizontal meridian, counter-clockwise), and pRF size
/// `σ = a + b · e` from `CorticalRegion.prfSizeLaw`; e_max = fieldOfView / 2. Angle, eccentricity and size carry
/// small individual jitter (2°, 3 %, 5 %).
///
/// Maps (synthetic, documented as such): `myelin = 1 − 0.6 · h + 0.06 · n₁` and
/// `timescale = 20 ms · exp(2.3 · h + 0.1 · n₂)`, with h the hierarchy position divided by its maximum and n₁, n₂
/// smooth unit-variance noise fields (sums of random plane waves of 10–40 mm wavelength). They follow the hierarchy as
/// T1w/T2w myelin and intrinsic timescales do (Glasser & Van Essen 2011; Murray et al. 2014) but are not measurements.
public struct VirtualCortex: Sendable {
    /// Sheet size of one hemisphere (millimetres).
    public static let sheetWidth = 100.0, sheetHeight = 60.0
    /// Fewest vertices accepted: every region must hold vertices in both hemispheres.
    public static let minimumVertices = 200

    /// Number of vertices over both hemispheres (left: `0 ..< ⌈V/2⌉`).
    public let vertexCount: Int
    /// Sheet coordinates (mm) and hemisphere of each vertex, `[vertexCount]`.
    public let x: [Double], y: [Double]
    public let hemisphere: [CorticalHemisphere]
    public let region: [CorticalRegion]
    /// Distance (mm) from the vertex's hemisphere's V1 centre along the sheet.
    public let hierarchyPosition: [Double]
    /// pRF centre in polar coordinates (degrees), its size σ (degrees) and its Cartesian centre (degrees; x right,
    /// y up, 0 at fixation).
    public let polarAngle: [Double], eccentricity: [Double], prfSize: [Double]
    public let prfX: [Double], prfY: [Double]
    /// Synthetic cortical maps (see the type's documentation).
    public let myelin: [Double], timescale: [Double]
    /// Region centres per hemisphere after individual jitter: `centres[hemisphere.rawValue][region.order]`.
    public let centres: [[(x: Double, y: Double)]]
    /// Visual angle (degrees) spanned by the width and height of every image presented.
    public let fieldOfView: Double

    /// Builds the cortex of subject `subject` of the cohort `seed`.
    /// Throws `SimulationError` ("VirtualCortex") for fewer than `minimumVertices` vertices, a field of view outside
    /// (0, 180) or a negative jitter.
    public init(vertices: Int, seed: UInt64, subject: Int = 0, regionJitter: Double = 2.5,
                fieldOfView: Double = 10) throws {
        let operation = "VirtualCortex"
        guard vertices >= VirtualCortex.minimumVertices else {
            throw SimulationError(operation, "needs at least \(VirtualCortex.minimumVertices) vertices (every region "
                                  + "in both hemispheres), got \(vertices)")
        }
        guard fieldOfView > 0, fieldOfView < 180 else {
            throw SimulationError(operation, "fieldOfView must be in (0, 180) degrees, got \(fieldOfView)")
        }
        guard regionJitter >= 0, regionJitter.isFinite else {
            throw SimulationError(operation, "regionJitter must be >= 0, got \(regionJitter)")
        }
        vertexCount = vertices
        self.fieldOfView = fieldOfView
        let subjectKey = UInt64(bitPattern: Int64(subject))

        // Layout: shared by the cohort.
        var layout = SeededRandom(seed: seed, stream: RandomStream.vertexLayout.rawValue)
        let offsets = (0..<2).map { _ in (layout.uniform(), layout.uniform()) }
        var xs = [Double](), ys = [Double](), hemispheres = [CorticalHemisphere]()
        let leftCount = (vertices + 1) / 2
        for index in 0..<vertices {
            let side: CorticalHemisphere = index < leftCount ? .left : .right
            let k = side == .left ? index + 1 : index - leftCount + 1
            let offset = offsets[side.rawValue]
            xs.append((VirtualCortex.halton(k, base: 2) + offset.0).truncatingRemainder(dividingBy: 1)
                      * VirtualCortex.sheetWidth)
            ys.append((VirtualCortex.halton(k, base: 3) + offset.1).truncatingRemainder(dividingBy: 1)
                      * VirtualCortex.sheetHeight)
            hemispheres.append(side)
        }
        x = xs; y = ys; hemisphere = hemispheres

        // Regions: individual centres.
        var jitter = SeededRandom(seed: seed, stream: RandomStream.regionJitter.rawValue, subject: subjectKey)
        let centres = (0..<2).map { _ in
            CorticalRegion.allCases.map { region -> (x: Double, y: Double) in
                let centre = region.templateCentre
                return (centre.x + regionJitter * jitter.normal(), centre.y + regionJitter * jitter.normal())
            }
        }
        self.centres = centres
        var regions = [CorticalRegion](), positions = [Double]()
        for index in 0..<vertices {
            let own = centres[hemispheres[index].rawValue]
            var best = 0, bestDistance = Double.infinity
            for (order, centre) in own.enumerated() {
                let distance = (xs[index] - centre.x) * (xs[index] - centre.x) + (ys[index] - centre.y) * (ys[index] - centre.y)
                if distance < bestDistance { bestDistance = distance; best = order }
            }
            regions.append(CorticalRegion.allCases[best])
            let v1 = own[CorticalRegion.v1.order]
            positions.append(((xs[index] - v1.x) * (xs[index] - v1.x) + (ys[index] - v1.y) * (ys[index] - v1.y)).squareRoot())
        }
        for side in CorticalHemisphere.allCases {
            for candidate in CorticalRegion.allCases where !(0..<vertices).contains(where: {
                hemispheres[$0] == side && regions[$0] == candidate
            }) {
                throw SimulationError(operation, "\(vertices) vertices leave region \(candidate.rawValue) empty in the "
                                      + "\(side == .left ? "left" : "right") hemisphere; use more vertices or less jitter")
            }
        }
        region = regions
        hierarchyPosition = positions

        // Retinotopy.
        let maximumEccentricity = fieldOfView / 2
        var retinotopyJitter = SeededRandom(seed: seed, stream: RandomStream.retinotopyJitter.rawValue, subject: subjectKey)
        var angles = [Double](repeating: 0, count: vertices), eccentricities = angles, sizes = angles
        for side in CorticalHemisphere.allCases {
            for candidate in CorticalRegion.allCases {
                let members = (0..<vertices).filter { hemispheres[$0] == side && regions[$0] == candidate }
                let lowX = members.map { xs[$0] }.min()!, highX = members.map { xs[$0] }.max()!
                let lowY = members.map { ys[$0] }.min()!, highY = members.map { ys[$0] }.max()!
                let range = candidate.eccentricityRange, law = candidate.prfSizeLaw
                // Early regions share one eccentricity axis (the sheet's y), so that eccentricity runs continuously
                // across their borders while the polar angle reverses there, as in V1/V2/V4.
                let early = candidate.hierarchyLevel <= 2
                for member in members {
                    var u = highX > lowX ? (xs[member] - lowX) / (highX - lowX) : 0.5
                    if candidate.mirroredAngle { u = 1 - u }
                    let v = early ? ys[member] / VirtualCortex.sheetHeight
                        : (highY > lowY ? (ys[member] - lowY) / (highY - lowY) : 0.5)
                    let fraction = range.low + (range.high - range.low) * (Foundation.exp(2 * v) - 1) / (Foundation.exp(2) - 1)
                    let eccentricity = maximumEccentricity * fraction * (1 + 0.03 * retinotopyJitter.normal())
                    var angle = -90 + 180 * u + 2 * retinotopyJitter.normal()
                    if side == .right { angle = 180 - angle }
                    angles[member] = angle
                    eccentricities[member] = Swift.max(0, eccentricity)
                    sizes[member] = (law.intercept + law.slope * eccentricities[member])
                        * (1 + 0.05 * retinotopyJitter.normal())
                }
            }
        }
        polarAngle = angles; eccentricity = eccentricities; prfSize = sizes
        prfX = (0..<vertices).map { eccentricities[$0] * Foundation.cos(angles[$0] * .pi / 180) }
        prfY = (0..<vertices).map { eccentricities[$0] * Foundation.sin(angles[$0] * .pi / 180) }

        // Maps.
        let highest = Swift.max(positions.max() ?? 1, 1e-9)
        let myelinField = VirtualCortex.smoothField(seed: seed, subject: subjectKey, salt: 1)
        let timescaleField = VirtualCortex.smoothField(seed: seed, subject: subjectKey, salt: 2)
        myelin = (0..<vertices).map { 1 - 0.6 * positions[$0] / highest + 0.06 * myelinField(xs[$0], ys[$0]) }
        timescale = (0..<vertices).map {
            0.020 * Foundation.exp(2.3 * positions[$0] / highest + 0.1 * timescaleField(xs[$0], ys[$0]))
        }
    }

    /// The radical inverse of `index` in `base` (the Halton sequence).
    static func halton(_ index: Int, base: Int) -> Double {
        var result = 0.0, fraction = 1.0 / Double(base), remaining = index
        while remaining > 0 {
            result += Double(remaining % base) * fraction
            remaining /= base
            fraction /= Double(base)
        }
        return result
    }

    /// A smooth field of unit variance on the sheet: `Σ_k cos(k_k · p + φ_k) / √(K/2)` over K = 12 plane waves of
    /// 10–40 mm wavelength, half shared by the cohort and half individual.
    static func smoothField(seed: UInt64, subject: UInt64, salt: UInt64) -> @Sendable (Double, Double) -> Double {
        var shared = SeededRandom(seed: seed, stream: RandomStream.maps.rawValue &+ 100 &* salt)
        var own = SeededRandom(seed: seed, stream: RandomStream.maps.rawValue &+ 100 &* salt, subject: subject &+ 1)
        var waves = [(Double, Double, Double)]()
        for k in 0..<12 {
            let wavelength = k < 6 ? shared.uniform(10, 40) : own.uniform(10, 40)
            let direction = k < 6 ? shared.uniform(0, 2 * .pi) : own.uniform(0, 2 * .pi)
            let phase = k < 6 ? shared.uniform(0, 2 * .pi) : own.uniform(0, 2 * .pi)
            let frequency = 2 * Double.pi / wavelength
            waves.append((frequency * Foundation.cos(direction), frequency * Foundation.sin(direction), phase))
        }
        let scale = 1 / (Double(waves.count) / 2).squareRoot()
        let fixedWaves = waves
        return { x, y in fixedWaves.reduce(0) { $0 + Foundation.cos($1.0 * x + $1.1 * y + $1.2) } * scale }
    }

    /// Indices of the vertices of region `name`, optionally in one hemisphere.
    /// Throws `SimulationError` ("VirtualCortex.region") for an unknown name.
    public func vertices(in name: String, hemisphere side: CorticalHemisphere? = nil) throws -> [Int] {
        vertices(in: try CorticalRegion.named(name), hemisphere: side)
    }

    /// Indices of the vertices of region `wanted`, optionally in one hemisphere, in increasing order.
    public func vertices(in wanted: CorticalRegion, hemisphere side: CorticalHemisphere? = nil) -> [Int] {
        (0..<vertexCount).filter { region[$0] == wanted && (side == nil || hemisphere[$0] == side) }
    }

    /// Coordinates for a flat map with both hemispheres side by side, occipital poles meeting in the middle:
    /// left hemisphere at `(−x − 5, y)`, right at `(x + 5, y)` (millimetres).
    public var flatMapX: [Double] { (0..<vertexCount).map { hemisphere[$0] == .left ? -x[$0] - 5 : x[$0] + 5 } }
}
