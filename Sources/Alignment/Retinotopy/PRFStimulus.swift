import Foundation
import Tensors

/// The stimulus of a population receptive field (pRF) experiment in the form the model needs: which pixel of the
/// visual field is stimulated in which frame, already convolved with the haemodynamic response when one is given,
/// and where each pixel sits in degrees of visual angle.
///
/// Visual-field coordinates (as `stimuli.wedges/rings/bars`): pixel (row i, column j) of an `h × w` aperture has its
/// centre at `x = ((j + 0.5) / w · 2 − 1) · extent`, `y = (1 − (i + 0.5) / h · 2) · extent · h / w` degrees — x right,
/// y up, fixation at the centre, square pixels, `extent` the eccentricity of the frame's left and right edges.
public struct PRFStimulus: Sendable {
    /// Number of frames (time points) T.
    public let frames: Int
    /// Pixels P = h · w, in row-major order.
    public let pixels: Int
    /// The apertures as a row-major [T, P] matrix, each pixel's time course convolved causally with the HRF.
    let drive: [Double]
    /// The same drive pixel by pixel ([P, T]), so that one pRF's prediction adds up only the pixels its Gaussian
    /// reaches, each a contiguous time course.
    let driveByPixel: [Double]
    /// Pixel centres in degrees, [P] each.
    public let pixelX: [Double], pixelY: [Double]
    /// Width of one pixel in degrees: `2 · extent / w`.
    public let pixelSize: Double
    /// `extent` as given: degrees from fixation to the left and right edges.
    public let extent: Double

    /// Prepares `apertures` for fitting.
    /// - Parameters:
    ///   - apertures: [T, h, w], any real dtype; 1 (or a fraction in [0, 1], contrast) where the field is
    ///     stimulated in that frame, 0 elsewhere.
    ///   - extent: degrees of visual angle from fixation to the frame's left/right edge (> 0).
    ///   - hrf: nil (no convolution: responses are taken to follow the stimulus instantly), or a kernel [K]
    ///     sampled once per frame (e.g. `HRF.kernel(tr: tr, oversampling: 1)`); the drive becomes
    ///     `d[t] = Σ_k hrf[k] · a[t − k]` (zero before the first frame, same length).
    /// - Throws: `AlignmentError` (`prf_fit`) when apertures are not 3-d or have no pixels or fewer than 3 frames,
    ///   hold non-finite values, never stimulate any pixel; when extent is not finite and > 0; when hrf is not a
    ///   non-empty finite 1-d kernel.
    public init(apertures: Tensor, extent: Double, hrf: Tensor? = nil) throws {
        let operation = "prf_fit"
        guard apertures.rank == 3 else {
            throw AlignmentError(operation, "apertures must be [frames, height, width], got shape \(formatShape(apertures.shape))")
        }
        let (t, h, w) = (apertures.shape[0], apertures.shape[1], apertures.shape[2])
        guard h > 0, w > 0 else {
            throw AlignmentError(operation, "apertures \(formatShape(apertures.shape)) have no pixels")
        }
        guard t >= 3 else {
            throw AlignmentError(operation, "apertures \(formatShape(apertures.shape)) need at least 3 frames, got \(t)")
        }
        guard extent.isFinite, extent > 0 else {
            throw AlignmentError(operation, "extent must be a finite number of degrees > 0, got \(extent)")
        }
        var values = Inputs.values(apertures)
        guard values.allSatisfy(\.isFinite) else { throw AlignmentError(operation, "apertures hold NaN or infinite values") }
        guard values.contains(where: { $0 != 0 }) else {
            throw AlignmentError(operation, "apertures \(formatShape(apertures.shape)) are all zero: no frame stimulates any pixel")
        }
        if let hrf {
            guard hrf.rank == 1, hrf.count > 0 else {
                throw AlignmentError(operation, "hrf must be a 1-d kernel [taps] sampled once per frame, got shape \(formatShape(hrf.shape))")
            }
            let kernel = Inputs.values(hrf)
            guard kernel.allSatisfy(\.isFinite) else { throw AlignmentError(operation, "hrf holds NaN or infinite values") }
            values = try PRFStimulus.convolve(values, frames: t, columns: h * w, kernel: kernel)
        }
        frames = t
        pixels = h * w
        drive = values
        var transposed = [Double](repeating: 0, count: values.count)
        let pixelCount = h * w
        for frame in 0..<t {
            for pixel in 0..<pixelCount { transposed[pixel * t + frame] = values[frame * pixelCount + pixel] }
        }
        driveByPixel = transposed
        self.extent = extent
        pixelSize = 2 * extent / Double(w)
        var xs = [Double](), ys = [Double]()
        xs.reserveCapacity(pixels); ys.reserveCapacity(pixels)
        let heightExtent = extent * Double(h) / Double(w)
        for i in 0..<h {
            for j in 0..<w {
                xs.append(((Double(j) + 0.5) / Double(w) * 2 - 1) * extent)
                ys.append((1 - (Double(i) + 0.5) / Double(h) * 2) * heightExtent)
            }
        }
        pixelX = xs
        pixelY = ys
    }

    /// The drive as a [T, P] float64 tensor.
    public var driveMatrix: Tensor { try! Tensor(shape: [frames, pixels], scalars: drive) }

    /// Causal convolution of each column of a row-major [frames, columns] matrix with `kernel`, as one product with
    /// the lower-triangular Toeplitz matrix H[t, s] = kernel[t − s] (BLAS does the work, whatever the kernel length).
    static func convolve(_ values: [Double], frames: Int, columns: Int, kernel: [Double]) throws -> [Double] {
        var toeplitz = [Double](repeating: 0, count: frames * frames)
        for t in 0..<frames {
            for s in Swift.max(0, t - kernel.count + 1)...t { toeplitz[t * frames + s] = kernel[t - s] }
        }
        let product = try Tensor.matmul(try Tensor(shape: [frames, frames], scalars: toeplitz),
                                        try Tensor(shape: [frames, columns], scalars: values))
        return Inputs.values(product)
    }

    /// The isotropic Gaussian pRF sampled at every pixel, `g(p) = exp(−((x_p − x0)² + (y_p − y0)²) / (2σ²))`
    /// (peak 1, not normalised to unit area: the gain of the linear fit absorbs the scale).
    public func gaussian(x x0: Double, y y0: Double, sigma: Double) -> [Double] {
        let scale = -1 / (2 * sigma * sigma)
        return (0..<pixels).map { p in
            let dx = pixelX[p] - x0, dy = pixelY[p] - y0
            return Foundation.exp((dx * dx + dy * dy) * scale)
        }
    }

    /// The predicted time course of one pRF, `r(t) = Σ_p drive[t, p] · g(p)` [T]. Pixels farther than √70 σ from the
    /// centre (weight below e⁻³⁵ ≈ 6 · 10⁻¹⁶) are skipped, which makes small pRFs cheap in the refinement.
    public func prediction(x x0: Double, y y0: Double, sigma: Double) -> [Double] {
        let scale = -1 / (2 * sigma * sigma), cutoff = 70 * sigma * sigma
        var out = [Double](repeating: 0, count: frames)
        let frames = self.frames
        driveByPixel.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                for p in 0..<pixels {
                    let dx = pixelX[p] - x0, dy = pixelY[p] - y0
                    let squared = dx * dx + dy * dy
                    if squared > cutoff { continue }
                    let weight = Foundation.exp(squared * scale)
                    let base = p * frames
                    for t in 0..<frames { o[t] += weight * d[base + t] }
                }
            }
        }
        return out
    }

    /// The predictions of many pRFs at once, one GEMM: drive [T, P] @ gaussians [P, G] → [T, G] float64.
    public func predictions(_ candidates: [PRFCandidate]) throws -> Tensor {
        var gaussians = [Double](repeating: 0, count: pixels * candidates.count)
        for (column, candidate) in candidates.enumerated() {
            let g = gaussian(x: candidate.x, y: candidate.y, sigma: candidate.sigma)
            for p in 0..<pixels { gaussians[p * candidates.count + column] = g[p] }
        }
        return try Tensor.matmul(driveMatrix, try Tensor(shape: [pixels, candidates.count], scalars: gaussians))
    }
}
