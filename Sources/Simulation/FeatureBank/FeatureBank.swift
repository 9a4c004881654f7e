import Foundation
import Tensors

/// The fixed feature bank behind every virtual subject's responses: hand-built image features, independent of any
/// network under test, so that scoring a network against virtual brains never scores it against itself.
///
/// Images are resampled to `resolution × resolution` (R) and their luminance, minus its mean, goes through:
/// - early: complex Gabor filters `g(x, y) = exp(−(x² + y²) / 2σ²) · exp(i (k_x x + k_y y))` at 4 orientations
///   (0°, 45°, 90°, 135°) and 3 wavelengths `λ = R/16 · 2^s` pixels (σ = 0.56 λ, about one octave), each separable
///   into two 1-d complex filters and applied as matrix products; energy `|I ∗ g| / (Σ g_env / 2)` (a grating of
///   amplitude A at the preferred frequency gives about A), averaged over 2 × 2 pixels → 12 maps of (R/2)².
/// - middle: second-order texture statistics, the products `E_o · E_o'` of energies of orientations o ≤ o' within
///   each scale (10 per scale, 30 maps), averaged over 2 × 2 → 30 maps of (R/4)². Pooled over a pRF and square-
///   rooted they are correlations of filter magnitudes (as in Portilla & Simoncelli's texture model).
/// - category: evidence in [0, 1] for faces, places, bodies, words and objects from hand-designed image statistics of
///   the colour image (foreground shape against the border colour, skin colour, gradient periphery;
///   `CategoryStatistics`) — or, when stimulus labels are given, the labels themselves (see `VirtualSubject`).
/// Vertices pool the maps over their pRFs (`PopulationReceptiveFields`).
public struct FeatureBank: Sendable {
    /// Filter orientations (degrees counter-clockwise from the image's x axis; 0° responds to vertical stripes) and
    /// the number of scales.
    public static let orientations: [Double] = [0, 45, 90, 135]
    public static let scaleCount = 3
    /// Early channels (scale-major: channel = scale · 4 + orientation) and middle channels.
    public static var earlyChannelCount: Int { orientations.count * scaleCount }
    public static var middleChannelCount: Int { scaleCount * orientations.count * (orientations.count + 1) / 2 }

    /// Side of the square image the bank works on (pixels).
    public let resolution: Int

    /// Throws `SimulationError("FeatureBank", …)` unless resolution is a multiple of 4 in 48…256 (below 48 the finest
    /// wavelength, R/16, would come within 1.5 of the Nyquist limit of 2 pixels, where a real grating aliases onto
    /// both halves of the complex filter).
    public init(resolution: Int = 64) throws {
        guard resolution >= 48, resolution <= 256, resolution % 4 == 0 else {
            throw SimulationError("FeatureBank", "resolution must be a multiple of 4 in 48...256, got \(resolution)")
        }
        self.resolution = resolution
    }

    /// Wavelengths of the three scales, in pixels of the resampled image.
    public var wavelengths: [Double] { (0..<FeatureBank.scaleCount).map { Double(resolution) / 16 * Double(1 << $0) } }

    /// The bank's maps of `images` `[n, h, w, c]`. Throws as `PreparedImages`.
    func features(_ images: Tensor, operation: String) throws -> ImageFeatures {
        let prepared = try PreparedImages(images, resolution: resolution, operation: operation)
        let n = prepared.count, size = resolution
        let centred = try prepared.luminance - (try prepared.luminance.mean(axes: [1, 2], keepDims: true))
        var energies = [Tensor]()
        for wavelength in wavelengths {
            let sigma = 0.56 * wavelength, wavenumber = 2 * Double.pi / wavelength
            let envelope = (-Int(3 * sigma)...Int(3 * sigma)).reduce(0.0) { $0 + Foundation.exp(-Double($1 * $1) / (2 * sigma * sigma)) }
            let normaliser = envelope * envelope / 2
            for orientation in FeatureBank.orientations {
                let angle = orientation * Double.pi / 180
                // Rows run downwards, so the vertical wavenumber is negated for counter-clockwise orientations.
                let horizontal = try FeatureBank.filterMatrices(size: size, sigma: sigma, wavenumber: wavenumber * Foundation.cos(angle), rightHand: true)
                let vertical = try FeatureBank.filterMatrices(size: size, sigma: sigma, wavenumber: -wavenumber * Foundation.sin(angle), rightHand: false)
                let realRows = try Tensor.matmul(centred, horizontal.real)
                let imaginaryRows = try Tensor.matmul(centred, horizontal.imaginary)
                let real = try Tensor.matmul(vertical.real, realRows) - (try Tensor.matmul(vertical.imaginary, imaginaryRows))
                let imaginary = try Tensor.matmul(vertical.real, imaginaryRows) + (try Tensor.matmul(vertical.imaginary, realRows))
                let energy = try (try (try real * real) + (try imaginary * imaginary)).sqrt() / normaliser
                energies.append(try FeatureBank.halve(energy))
            }
        }
        let half = size / 2
        let early = try Tensor.stack(energies, axis: 1).reshaped([n, FeatureBank.earlyChannelCount, half * half])
        var products = [Tensor]()
        let perScale = FeatureBank.orientations.count
        for scale in 0..<FeatureBank.scaleCount {
            for first in 0..<perScale {
                for second in first..<perScale {
                    products.append(try FeatureBank.halve(try energies[scale * perScale + first] * energies[scale * perScale + second]))
                }
            }
        }
        let quarter = size / 4
        let middle = try Tensor.stack(products, axis: 1).reshaped([n, FeatureBank.middleChannelCount, quarter * quarter])
        let evidence = try CategoryStatistics.evidence(prepared)
        return ImageFeatures(count: n, early: early, middle: middle, categoryEvidence: evidence)
    }

    /// The real and imaginary parts of the 1-d complex Gabor `exp(−d² / 2σ²) · exp(i k d)` as a `[size, size]`
    /// convolution matrix (zero beyond 3σ and outside the image): for the right-hand product `X @ M`,
    /// `M[j, i] = g(i − j)`; for the left-hand product `M @ X`, `M[i, j] = g(i − j)`.
    static func filterMatrices(size: Int, sigma: Double, wavenumber: Double, rightHand: Bool) throws
        -> (real: Tensor, imaginary: Tensor)
    {
        var real = [Float](repeating: 0, count: size * size), imaginary = real
        let reach = Int(3 * sigma)
        for output in 0..<size {
            for input in Swift.max(0, output - reach)...Swift.min(size - 1, output + reach) {
                let distance = Double(output - input)
                let envelope = Foundation.exp(-distance * distance / (2 * sigma * sigma))
                let position = rightHand ? input * size + output : output * size + input
                real[position] = Float(envelope * Foundation.cos(wavenumber * distance))
                imaginary[position] = Float(envelope * Foundation.sin(wavenumber * distance))
            }
        }
        return (try Tensor(shape: [size, size], scalars: real), try Tensor(shape: [size, size], scalars: imaginary))
    }

    /// `[n, s, s]` averaged over 2 × 2 blocks → `[n, s/2, s/2]`.
    static func halve(_ maps: Tensor) throws -> Tensor {
        let n = maps.shape[0], size = maps.shape[1]
        return try maps.contiguous().reshaped([n, size / 2, 2, size / 2, 2]).mean(axes: [2, 4])
    }
}

/// The bank's output for n images.
struct ImageFeatures {
    let count: Int
    /// Early energies `[n, 12, (R/2)²]` float32, pixel-major rows from the top.
    let early: Tensor
    /// Middle products `[n, 30, (R/4)²]` float32.
    let middle: Tensor
    /// Category evidence from image statistics, `[n, 5]` float64 in [0, 1] (columns in `SelectivityCategory` order).
    let categoryEvidence: Tensor
}
