/// The regions of the virtual cortex, in hierarchical order: early visual (V1, V2), mid-level (V4, LO), the
/// category-selective regions of ventral and lateral occipitotemporal cortex (FFA, PPA, EBA, VWFA) and two frontal
/// regions (IFJ, inferior frontal junction; PFC, lateral prefrontal cortex). The numbers below are the planted ground
/// truth of every virtual subject; they are chosen to resemble the literature, not fitted to any data
/// (docs/simulation.md lists their sources and what they cannot tell).
public enum CorticalRegion: String, CaseIterable, Sendable, Comparable {
    case v1 = "V1", v2 = "V2", v4 = "V4", lo = "LO", ffa = "FFA", ppa = "PPA", eba = "EBA", vwfa = "VWFA"
    case ifj = "IFJ", pfc = "PFC"

    /// The region named `name` (case-insensitive). Throws `SimulationError` naming the valid names.
    public static func named(_ name: String, operation: String = "VirtualCortex.region") throws -> CorticalRegion {
        guard let region = allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            throw SimulationError(operation, "unknown region \"\(name)\": use "
                                  + allCases.map(\.rawValue).joined(separator: ", "))
        }
        return region
    }

    /// Regions order as `allCases`, V1 first.
    public static func < (a: CorticalRegion, b: CorticalRegion) -> Bool { a.order < b.order }

    /// Position in `allCases`.
    public var order: Int { CorticalRegion.allCases.firstIndex(of: self)! }

    /// Ordinal level in the hierarchy: V1 0, V2 1, V4 2, LO 3, the four category regions 4, IFJ 5, PFC 6.
    public var hierarchyLevel: Int {
        switch self {
        case .v1: return 0
        case .v2: return 1
        case .v4: return 2
        case .lo: return 3
        case .ffa, .ppa, .eba, .vwfa: return 4
        case .ifj: return 5
        case .pfc: return 6
        }
    }

    /// Centre of the region on the template sheet of one hemisphere (millimetres; the sheet is 100 × 60 mm, the
    /// occipital pole at x = 0, frontal cortex at x = 100). Regions are the Voronoi cells of these centres.
    var templateCentre: (x: Double, y: Double) {
        switch self {
        case .v1: return (8, 30)
        case .v2: return (20, 30)
        case .v4: return (32, 30)
        case .lo: return (44, 46)
        case .vwfa: return (47, 30)
        case .ffa: return (52, 14)
        case .eba: return (57, 52)
        case .ppa: return (62, 28)
        case .ifj: return (78, 40)
        case .pfc: return (92, 22)
        }
    }

    /// How much of the region's response comes from each stage of the feature bank: (early, middle, category),
    /// summing to 1.
    public var stageWeights: (early: Double, middle: Double, category: Double) {
        switch self {
        case .v1: return (1, 0, 0)
        case .v2: return (0.85, 0.15, 0)
        case .v4: return (0.35, 0.65, 0)
        case .lo: return (0.1, 0.75, 0.15)
        case .ffa, .ppa, .eba, .vwfa: return (0, 0.3, 0.7)
        case .ifj: return (0, 0.2, 0.8)
        case .pfc: return (0, 0.1, 0.9)
        }
    }

    /// The stage with the largest weight.
    public var dominantStage: FeatureStage {
        let weights = stageWeights
        if weights.early >= weights.middle && weights.early >= weights.category { return .early }
        return weights.middle >= weights.category ? .middle : .category
    }

    /// The category the region prefers (LO: objects); nil for early regions and for the frontal regions, whose
    /// vertices mix all categories.
    public var preferredCategory: SelectivityCategory? {
        switch self {
        case .lo: return .objects
        case .ffa: return .faces
        case .ppa: return .places
        case .eba: return .bodies
        case .vwfa: return .words
        default: return nil
        }
    }

    /// Peak latency of the region's evoked MEG source (seconds) before individual jitter, rising along the
    /// hierarchy from 60 ms in V1 to 200 ms in PFC.
    public var templateLatency: Double {
        switch self {
        case .v1: return 0.060
        case .v2: return 0.075
        case .v4: return 0.095
        case .lo: return 0.115
        case .ffa: return 0.140
        case .eba: return 0.145
        case .ppa, .vwfa: return 0.150
        case .ifj: return 0.180
        case .pfc: return 0.200
        }
    }

    /// Rise time of the source's alpha-function kernel (seconds): 15 ms in V1 growing to 43 ms in PFC, so later
    /// regions respond both later and more slowly.
    public var sourceRiseTime: Double { 0.015 + 0.2 * (templateLatency - 0.060) }

    /// pRF size law `σ = intercept + slope · eccentricity` (degrees), growing along the hierarchy (Dumoulin &
    /// Wandell 2008; Kay et al. 2013 for the category regions).
    var prfSizeLaw: (intercept: Double, slope: Double) {
        switch self {
        case .v1: return (0.15, 0.08)
        case .v2: return (0.2, 0.15)
        case .v4: return (0.3, 0.3)
        case .lo: return (0.6, 0.5)
        case .ffa, .vwfa, .eba, .ppa: return (1.0, 0.6)
        case .ifj, .pfc: return (2.5, 0.8)
        }
    }

    /// Eccentricity range as fractions of the maximal eccentricity: foveal for FFA and VWFA, peripheral for PPA
    /// (Levy et al. 2001; Hasson et al. 2002).
    var eccentricityRange: (low: Double, high: Double) {
        switch self {
        case .v1, .v2, .v4: return (0.04, 1)
        case .lo: return (0.06, 0.8)
        case .ffa, .vwfa: return (0.04, 0.4)
        case .eba: return (0.1, 0.6)
        case .ppa: return (0.3, 1)
        case .ifj, .pfc: return (0, 0.2)
        }
    }

    /// V2's polar-angle map is mirrored relative to V1's and V4's, so that the angle reverses at both of its borders.
    var mirroredAngle: Bool { self == .v2 }
}

/// The stages of the fixed feature bank a region's response is built from.
public enum FeatureStage: String, CaseIterable, Sendable {
    /// Oriented local-contrast energy (Gabor quadrature pairs) pooled over the vertex's pRF.
    case early
    /// Second-order texture statistics: pooled products of energies across orientations and scales.
    case middle
    /// Category evidence: hand-designed image statistics, or the stimulus labels when given.
    case category
}

/// The categories of the category-selective regions and of the localiser stimuli.
public enum SelectivityCategory: String, CaseIterable, Sendable {
    case faces, places, bodies, words, objects

    /// The category named `name` (case-insensitive; singular forms accepted). Throws `SimulationError` naming the
    /// valid names.
    public static func named(_ name: String, operation: String) throws -> SelectivityCategory {
        let lowered = name.lowercased()
        if let found = allCases.first(where: { $0.rawValue == lowered || $0.rawValue.dropLast() == lowered }) {
            return found
        }
        if lowered == "scenes" || lowered == "scene" { return .places }
        throw SimulationError(operation, "unknown category \"\(name)\": use "
                              + allCases.map(\.rawValue).joined(separator: ", "))
    }

    /// Column of the category in evidence and preference matrices (`allCases` order).
    public var index: Int { SelectivityCategory.allCases.firstIndex(of: self)! }
}

/// Which hemisphere a vertex lies in; the left hemisphere represents the right visual field.
public enum CorticalHemisphere: Int, CaseIterable, Sendable {
    case left = 0, right = 1
}
