import Foundation
import Tensors

/// One candidate population receptive field: centre (x, y) and size σ, in degrees of visual angle.
public struct PRFCandidate: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var sigma: Double

    public init(x: Double, y: Double, sigma: Double) {
        self.x = x
        self.y = y
        self.sigma = sigma
    }
}

/// The coarse grid of the pRF search: every combination of a horizontal position, a vertical position and a size
/// (degrees). Candidates are ordered with σ fastest, then y, then x.
public struct PRFGrid: Sendable, Equatable {
    public var xs: [Double]
    public var ys: [Double]
    public var sigmas: [Double]

    /// - Throws: `AlignmentError` (`prf_fit`) when a list is empty ("the grid is empty: 0 x positions × 17 y
    ///   positions × 8 sizes"), a value is not finite, or a size is ≤ 0.
    public init(xs: [Double], ys: [Double], sigmas: [Double]) throws {
        let operation = "prf_fit"
        guard !xs.isEmpty, !ys.isEmpty, !sigmas.isEmpty else {
            throw AlignmentError(operation, "the grid is empty: \(xs.count) x positions × \(ys.count) y positions × "
                                 + "\(sigmas.count) sizes")
        }
        guard (xs + ys + sigmas).allSatisfy(\.isFinite) else {
            throw AlignmentError(operation, "grid positions and sizes must be finite")
        }
        if let bad = sigmas.first(where: { $0 <= 0 }) {
            throw AlignmentError(operation, "grid sizes (sigma) must be > 0 degrees, got \(bad)")
        }
        self.xs = xs
        self.ys = ys
        self.sigmas = sigmas
    }

    /// The default search grid for a field of `extent` degrees: `positions` centres evenly from −extent to +extent
    /// on each axis (the Cartesian grid of Dumoulin & Wandell 2008 also covers centres just outside the stimulated
    /// disc), and `sizes` σ spaced geometrically from max(extent / 20, pixelSize / 2) to extent.
    public static func standard(extent: Double, pixelSize: Double, positions: Int = 17, sizes: Int = 8) throws -> PRFGrid {
        let operation = "prf_fit"
        guard positions >= 1, sizes >= 1 else {
            throw AlignmentError(operation, "the grid is empty: \(positions) positions per axis × \(sizes) sizes")
        }
        let centres = positions == 1 ? [0.0] : (0..<positions).map { -extent + 2 * extent * Double($0) / Double(positions - 1) }
        let smallest = Swift.max(extent / 20, pixelSize / 2), largest = extent
        let sigmas = sizes == 1 ? [smallest] : (0..<sizes).map {
            smallest * Foundation.pow(largest / smallest, Double($0) / Double(sizes - 1))
        }
        return try PRFGrid(xs: centres, ys: centres, sigmas: sigmas)
    }

    /// Number of candidates: `xs.count · ys.count · sigmas.count`.
    public var count: Int { xs.count * ys.count * sigmas.count }

    /// Candidate `index` (σ fastest, then y, then x).
    public func candidate(_ index: Int) -> PRFCandidate {
        let sigma = index % sigmas.count, rest = index / sigmas.count
        return PRFCandidate(x: xs[rest / ys.count], y: ys[rest % ys.count], sigma: sigmas[sigma])
    }

    /// Half the typical spacing of each axis, the size of the first simplex of the refinement: (Δx, Δy, Δ log σ).
    /// A single-valued axis steps by `fallbackPosition` degrees (positions) or by a factor e^0.25 (sizes).
    func steps(fallbackPosition: Double) -> (x: Double, y: Double, logSigma: Double) {
        func spacing(_ values: [Double], fallback: Double) -> Double {
            let sorted = values.sorted()
            guard sorted.count > 1, let first = sorted.first, let last = sorted.last, last > first else { return fallback }
            return (last - first) / Double(sorted.count - 1)
        }
        let logs = sigmas.map { Foundation.log($0) }
        return (spacing(xs, fallback: 2 * fallbackPosition) / 2, spacing(ys, fallback: 2 * fallbackPosition) / 2, spacing(logs, fallback: 0.5) / 2)
    }
}
