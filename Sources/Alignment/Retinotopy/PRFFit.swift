import Dispatch
import Foundation
import Tensors

/// The fitted population receptive fields of V vertices; every field is a float64 tensor [V]. A vertex whose
/// response is constant has no defined fit: all its fields are NaN.
public struct PRFFitResult: Sendable {
    /// Centre in degrees (x right, y up, fixation at 0).
    public let x: Tensor, y: Tensor
    /// Size σ of the isotropic Gaussian in degrees.
    public let sigma: Tensor
    /// Polar angle `atan2(y, x)` in degrees, in (−180, 180], counter-clockwise from the right horizontal meridian.
    public let angle: Tensor
    /// Eccentricity `√(x² + y²)` in degrees.
    public let eccentricity: Tensor
    /// Variance explained by the fitted time course `gain · prediction + offset`: r² = 1 − RSS / TSS, which equals
    /// the squared correlation for a positive gain (0 when no candidate correlates positively).
    public let r2: Tensor
    /// Linear fit `response ≈ gain · prediction + offset` (least squares, gain ≥ 0).
    public let gain: Tensor, offset: Tensor
}

/// Population receptive field mapping (Dumoulin & Wandell 2008): each vertex's response is modelled as the overlap
/// of the stimulus aperture with an isotropic 2-D Gaussian, `p(t) = Σ_pixels a(t, pixel) · G(pixel; x0, y0, σ)`
/// (the aperture optionally convolved with an HRF), scaled by a gain and shifted by an offset.
public enum PopulationReceptiveField {
    /// Pearson correlations of every prediction with every response, as one GEMM of unit-norm centred columns:
    /// `C = Ẑ_pᵀ Ẑ_y` with `Ẑ = (X − mean) / ‖X − mean‖` per column.
    /// - Parameters: `predictions` [T, G], `responses` [T, V].
    /// - Returns: [G, V] float64; a constant column (in either input) correlates 0 with everything.
    /// - Throws: `AlignmentError` (`prf_fit`) when either is not 2-d or their row counts differ (shapes named).
    public static func gridCorrelations(predictions: Tensor, responses: Tensor) throws -> Tensor {
        let operation = "prf_fit"
        let p = try Inputs.matrix(predictions, "predictions", operation)
        let r = try Inputs.matrix(responses, "responses", operation)
        guard p.rows == r.rows else {
            throw AlignmentError(operation, "predictions \(formatShape(predictions.shape)) and responses "
                                 + "\(formatShape(responses.shape)) have different numbers of frames")
        }
        let zp = unitColumns(p).matrix, zr = unitColumns(r).matrix
        return try Tensor.matmul(zp.tensor.transposed(), zr.tensor)
    }

    /// Columns centred and scaled to unit Euclidean norm, so that dot products are correlations; constant
    /// columns become zero and are flagged.
    static func unitColumns(_ x: Matrix) -> (matrix: Matrix, constant: [Bool]) {
        var out = x
        var constant = [Bool](repeating: false, count: x.columns)
        for column in 0..<x.columns {
            var mean = 0.0
            for row in 0..<x.rows { mean += x[row, column] }
            mean /= Double(Swift.max(x.rows, 1))
            var norm = 0.0
            for row in 0..<x.rows { let d = x[row, column] - mean; norm += d * d }
            norm = norm.squareRoot()
            // A column this close to constant has no shape to correlate with (rounding noise only).
            var largest = 0.0
            for row in 0..<x.rows { largest = Swift.max(largest, Swift.abs(x[row, column])) }
            let flat = norm <= 1e-12 * largest * Double(x.rows).squareRoot()
            constant[column] = flat
            for row in 0..<x.rows { out[row, column] = flat ? 0 : (x[row, column] - mean) / norm }
        }
        return (out, constant)
    }

    /// Fits one pRF per vertex: a coarse grid search maximising the correlation (all candidates against all vertices
    /// by GEMM, in chunks that bound memory), then, with `refine`, Nelder–Mead on (x, y, log σ) from the best grid
    /// point (first simplex of half a grid step; σ kept in [pixel/4, 4 · extent], centres within ±2 · extent), then a
    /// least-squares gain ≥ 0 and offset.
    /// - Parameters:
    ///   - stimulus: the apertures and their pixel coordinates (`PRFStimulus`), HRF already applied.
    ///   - responses: [T, V], one time course per vertex.
    ///   - grid: candidate centres and sizes; nil for `PRFGrid.standard` (17 × 17 positions × 8 sizes).
    ///   - refine: run the local search after the grid.
    /// - Throws: `AlignmentError` (`prf_fit`) when responses are not [T, V] with T the stimulus' frames (shapes named)
    ///   or hold non-finite values; `TensorError` (`cancelled`) on interruption.
    public static func fit(_ stimulus: PRFStimulus, responses: Tensor, grid: PRFGrid? = nil,
                           refine: Bool = true) throws -> PRFFitResult {
        let operation = "prf_fit"
        guard responses.rank == 2 else {
            throw AlignmentError(operation, "responses must be [frames, vertices], got shape \(formatShape(responses.shape))")
        }
        guard responses.shape[0] == stimulus.frames else {
            throw AlignmentError(operation, "apertures have \(stimulus.frames) frames but responses \(formatShape(responses.shape)) "
                                 + "have \(responses.shape[0]) rows")
        }
        let data = try Inputs.matrix(responses, "responses", operation)
        guard data.values.allSatisfy(\.isFinite) else { throw AlignmentError(operation, "responses hold NaN or infinite values") }
        let grid = try grid ?? PRFGrid.standard(extent: stimulus.extent, pixelSize: stimulus.pixelSize)
        let (targets, constant) = unitColumns(data)
        let vertices = data.columns

        // Coarse search: correlations of a chunk of candidates with every vertex in one GEMM.
        var bestCorrelation = [Double](repeating: -.infinity, count: vertices)
        var bestIndex = [Int](repeating: 0, count: vertices)
        let targetTensor = targets.tensor
        let chunk = Swift.max(1, Swift.min(grid.count, (1 << 22) / Swift.max(stimulus.pixels, stimulus.frames)))
        for start in stride(from: 0, to: grid.count, by: chunk) {
            try Cancellation.check(operation)
            let indices = start..<Swift.min(grid.count, start + chunk)
            let predictions = try stimulus.predictions(indices.map { grid.candidate($0) })
            let units = unitColumns(try Inputs.matrix(predictions, "predictions", operation)).matrix
            let correlations = Inputs.values(try Tensor.matmul(units.tensor.transposed(), targetTensor))
            for (row, index) in indices.enumerated() {
                for vertex in 0..<vertices where correlations[row * vertices + vertex] > bestCorrelation[vertex] {
                    bestCorrelation[vertex] = correlations[row * vertices + vertex]
                    bestIndex[vertex] = index
                }
            }
        }

        // Local refinement and the linear fit, vertex by vertex on all threads.
        let fields = 6
        var output = [Double](repeating: .nan, count: vertices * fields)
        let steps = grid.steps(fallbackPosition: stimulus.extent / 10)
        let bounds = PRFBounds(limit: 2 * stimulus.extent, smallest: stimulus.pixelSize / 4, largest: 4 * stimulus.extent)
        try output.withUnsafeMutableBufferPointer { buffer in
            let shared = PRFSharedPointer(buffer.baseAddress!)
            let responseColumns = targets, starts = bestIndex
            try PRFParallel.forRanges(vertices) { range in
                for vertex in range where !constant[vertex] {
                    if Cancellation.isRequested { return }
                    let column = responseColumns.column(vertex)
                    var candidate = grid.candidate(starts[vertex])
                    if refine {
                        candidate = PRFRefinement.nelderMead(stimulus, target: column, start: candidate,
                                                             steps: steps, bounds: bounds)
                    }
                    let line = linearFit(stimulus.prediction(x: candidate.x, y: candidate.y, sigma: candidate.sigma),
                                         response: data.column(vertex))
                    let base = shared.base + vertex * fields
                    base[0] = candidate.x; base[1] = candidate.y; base[2] = candidate.sigma
                    base[3] = line.r2; base[4] = line.gain; base[5] = line.offset
                }
            }
        }
        try Cancellation.check(operation)
        func field(_ index: Int) -> Tensor { Tensor((0..<vertices).map { output[$0 * fields + index] }) }
        let xs = (0..<vertices).map { output[$0 * fields] }, ys = (0..<vertices).map { output[$0 * fields + 1] }
        return PRFFitResult(x: field(0), y: field(1), sigma: field(2),
                            angle: Tensor(zip(xs, ys).map { Foundation.atan2($1, $0) * 180 / .pi }),
                            eccentricity: Tensor(zip(xs, ys).map { ($0 * $0 + $1 * $1).squareRoot() }),
                            r2: field(3), gain: field(4), offset: field(5))
    }

    /// `fit` from raw apertures: `PRFStimulus(apertures:extent:hrf:)` then `fit(_:responses:grid:refine:)`.
    public static func fit(apertures: Tensor, responses: Tensor, extent: Double, hrf: Tensor? = nil,
                           grid: PRFGrid? = nil, refine: Bool = true) throws -> PRFFitResult {
        try fit(try PRFStimulus(apertures: apertures, extent: extent, hrf: hrf), responses: responses, grid: grid, refine: refine)
    }

    /// Least squares `response ≈ gain · prediction + offset` with gain ≥ 0, and its r² = 1 − RSS / TSS.
    static func linearFit(_ prediction: [Double], response: [Double]) -> (gain: Double, offset: Double, r2: Double) {
        let n = Double(prediction.count)
        let meanP = prediction.reduce(0, +) / n, meanY = response.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (p, y) in zip(prediction, response) {
            sxy += (p - meanP) * (y - meanY); sxx += (p - meanP) * (p - meanP); syy += (y - meanY) * (y - meanY)
        }
        let gain = sxx > 0 ? Swift.max(0, sxy / sxx) : 0
        let offset = meanY - gain * meanP
        var rss = 0.0
        for (p, y) in zip(prediction, response) { let e = y - gain * p - offset; rss += e * e }
        return (gain, offset, syy > 0 ? Swift.max(0, 1 - rss / syy) : .nan)
    }
}

/// The search box of the refinement.
struct PRFBounds: Sendable {
    var limit: Double, smallest: Double, largest: Double

    func contains(_ candidate: PRFCandidate) -> Bool {
        Swift.abs(candidate.x) <= limit && Swift.abs(candidate.y) <= limit
            && candidate.sigma >= smallest && candidate.sigma <= largest
    }
}

/// A pointer the refinement threads write disjoint rows of.
struct PRFSharedPointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    init(_ base: UnsafeMutablePointer<Double>) { self.base = base }
}

enum PRFParallel {
    /// Calls `body` on disjoint ranges covering `0..<count`, on `Threads.count` threads.
    static func forRanges(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) throws {
        let threads = Swift.max(1, Threads.count)
        if threads == 1 || count < 2 {
            body(0..<count)
            return
        }
        let chunks = Swift.min(count, threads * 4)
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * size
            if start < count { body(start..<Swift.min(count, start + size)) }
        }
    }
}
