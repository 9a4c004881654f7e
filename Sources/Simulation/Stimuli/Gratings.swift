import Datasets
import Tensors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Stimuli {
    /// One sinusoidal grating.
    public struct Grating: Sendable, Equatable {
        /// Direction of the luminance modulation in degrees, counter-clockwise from rightward (0: vertical stripes,
        /// luminance changing from left to right; 90: horizontal stripes).
        public var orientation: Double
        /// Spatial frequency in cycles per image width.
        public var cyclesPerImage: Double
        /// Phase in degrees at the image centre (0: a bright stripe's peak on the centre).
        public var phase: Double
        /// Michelson contrast in [0, 1].
        public var contrast: Double

        public init(orientation: Double, cyclesPerImage: Double, phase: Double = 0, contrast: Double = 1) {
            self.orientation = orientation
            self.cyclesPerImage = cyclesPerImage
            self.phase = phase
            self.contrast = contrast
        }
    }

    /// The window a grating is seen through.
    public enum Aperture: Sendable, Equatable {
        /// The whole square image.
        case none
        /// A disc of `radius` (image units: 0.5 touches the image edges), with a one-pixel antialiased edge.
        case circle(radius: Double)
        /// A Gaussian window of standard deviation `sigma` (image units): a Gabor patch.
        case gaussian(sigma: Double)
    }

    /// Sinusoidal luminance gratings on a mean-gray (0.5) background:
    /// `L(x, y) = 0.5 + 0.5 · contrast · window(x, y) · cos(2π · f · (x cos θ + y sin θ) + phase)`, with (x, y) in
    /// image widths from the image centre (y upward), θ the orientation and f the cycles per image. Gray, so the
    /// three channels are equal.
    ///
    /// - Parameters: `gratings` (orientation and phase any finite degrees; cyclesPerImage in (0, size/2], the
    ///   Nyquist limit; contrast in [0, 1]); `size` 8…1024; `aperture` (radius or sigma positive).
    /// - Returns: images `[gratings.count, size, size, 3]` float32 in [0, 1]; metadata `category` ("grating"), `kind`
    ///   ("none", "circle" or "gaussian"), `orientation`, `cycles_per_image`, `phase`, `contrast`.
    /// - Throws: `SimulationError` (`stimuli.gratings`) naming the first grating with a parameter out of range, an
    ///   aperture with a non-positive size, or a size outside 8…1024.
    public static func gratings(_ gratings: [Grating], size: Int = 64, aperture: Aperture = .none) throws -> StimulusSet {
        let operation = "stimuli.gratings"
        try StimulusBatch.validate(count: gratings.count, size: size, operation: operation)
        for (index, grating) in gratings.enumerated() {
            guard grating.orientation.isFinite, grating.phase.isFinite else {
                throw SimulationError(operation, "grating \(index): orientation and phase must be finite, got "
                                      + "\(grating.orientation) and \(grating.phase)")
            }
            guard grating.cyclesPerImage > 0, grating.cyclesPerImage <= Double(size) / 2 else {
                throw SimulationError(operation, "grating \(index): cycles per image must lie in (0, \(size / 2)] (the "
                                      + "Nyquist limit of \(size) pixels), got \(grating.cyclesPerImage)")
            }
            guard grating.contrast >= 0, grating.contrast <= 1 else {
                throw SimulationError(operation, "grating \(index): contrast must lie in [0, 1], got \(grating.contrast)")
            }
        }
        let kind: String
        switch aperture {
        case .none: kind = "none"
        case .circle(let radius):
            guard radius > 0, radius.isFinite else {
                throw SimulationError(operation, "the circular aperture's radius must be positive, got \(radius)")
            }
            kind = "circle"
        case .gaussian(let sigma):
            guard sigma > 0, sigma.isFinite else {
                throw SimulationError(operation, "the Gaussian aperture's sigma must be positive, got \(sigma)")
            }
            kind = "gaussian"
        }
        return try StimulusBatch.render(count: gratings.count, size: size, seed: 0, stream: "gratings",
                                        operation: operation) { index, _ in
            let grating = gratings[index]
            var painter = Painter(size: size, background: RGB(gray: 0.5))
            let theta = grating.orientation * .pi / 180, phase = grating.phase * .pi / 180
            let frequency = 2 * Double.pi * grating.cyclesPerImage
            let side = Double(size)
            for row in 0..<size {
                let y = 0.5 - (Double(row) + 0.5) / side
                for column in 0..<size {
                    let x = (Double(column) + 0.5) / side - 0.5
                    let window: Double
                    switch aperture {
                    case .none: window = 1
                    case .circle(let radius):
                        window = Swift.min(1, Swift.max(0, 0.5 - ((x * x + y * y).squareRoot() - radius) * side))
                    case .gaussian(let sigma): window = exp(-(x * x + y * y) / (2 * sigma * sigma))
                    }
                    let value = 0.5 + 0.5 * grating.contrast * window * cos(frequency * (x * cos(theta) + y * sin(theta)) + phase)
                    let offset = 3 * (row * size + column)
                    painter.pixels[offset] = Float(value)
                    painter.pixels[offset + 1] = Float(value)
                    painter.pixels[offset + 2] = Float(value)
                }
            }
            painter.finish()
            return (painter, StimulusDescription(category: "grating", kind: kind, parameters: [
                ("orientation", grating.orientation), ("cycles_per_image", grating.cyclesPerImage),
                ("phase", grating.phase), ("contrast", grating.contrast),
            ]))
        }
    }

    /// `count` gratings with orientation uniform in [0, 180), cycles per image uniform in [2, min(12, size/4)],
    /// phase uniform in [0, 360) and contrast uniform in [0.2, 1], drawn from `seed`.
    /// - Throws: as `gratings(_:size:aperture:)`, and for a negative count.
    public static func gratings(count: Int, size: Int = 64, seed: UInt64 = 0, aperture: Aperture = .none) throws -> StimulusSet {
        try StimulusBatch.validate(count: count, size: size, operation: "stimuli.gratings")
        let highest = Swift.min(12, Double(size) / 4)
        let drawn = (0..<count).map { index -> Grating in
            var random = StimulusRandom(seed: seed, stream: "gratings", index: index)
            return Grating(orientation: random.uniform(0, 180), cyclesPerImage: random.uniform(2, highest),
                           phase: random.uniform(0, 360), contrast: random.uniform(0.2, 1))
        }
        return try gratings(drawn, size: size, aperture: aperture)
    }
}
