import Foundation
import Tensors

extension ImageAugmentation {
    /// The luma weights of torchvision's `rgb_to_grayscale` (ITU-R 601-2): L = 0.2989 R + 0.587 G + 0.114 B.
    public static let lumaWeights: (red: Float, green: Float, blue: Float) = (0.2989, 0.587, 0.114)

    /// One image's colour-jitter parameters, as torchvision's `ColorJitter.get_params`: the four adjustments and the
    /// order to apply them in (a permutation of 0 brightness, 1 contrast, 2 saturation, 3 hue). A factor of 1
    /// (hue 0) leaves the image unchanged.
    public struct JitterParameters: Sendable, Equatable {
        public var order: [Int]
        public var brightness: Double
        public var contrast: Double
        public var saturation: Double
        public var hue: Double

        public init(order: [Int] = [0, 1, 2, 3], brightness: Double = 1, contrast: Double = 1, saturation: Double = 1,
                    hue: Double = 0) {
            (self.order, self.brightness, self.contrast, self.saturation, self.hue) =
                (order, brightness, contrast, saturation, hue)
        }
    }

    /// torchvision's `ColorJitter(brightness, contrast, saturation, hue)` (DINO: 0.4, 0.4, 0.2, 0.1). Factors are
    /// drawn uniformly from [max(0, 1 − b), 1 + b] (likewise contrast and saturation) and the hue shift from
    /// [−hue, hue]; a strength of 0 turns that adjustment off (hue 0 gives the jitter "without hue").
    public struct ColorJitter: Sendable, Equatable {
        public var brightness: Double
        public var contrast: Double
        public var saturation: Double
        public var hue: Double

        /// Throws `invalidArgument` for a negative strength or a hue above 0.5.
        public init(brightness: Double = 0.4, contrast: Double = 0.4, saturation: Double = 0.2, hue: Double = 0.1)
            throws {
            guard brightness >= 0, contrast >= 0, saturation >= 0, (0...0.5).contains(hue) else {
                throw TensorError(.invalidArgument, "ColorJitter", "strengths must be non-negative and hue at most "
                                  + "0.5, got \(brightness), \(contrast), \(saturation), \(hue)")
            }
            (self.brightness, self.contrast, self.saturation, self.hue) = (brightness, contrast, saturation, hue)
        }

        /// Per-image parameters: a random order (a uniformly random permutation) and the four factors.
        /// Every image consumes the same number of draws.
        public func parameters(count: Int, generator: inout RandomGenerator) -> [JitterParameters] {
            let draws = generator.uniforms(count * 8)
            func factor(_ strength: Double, _ u: Double) -> Double {
                let low = Swift.max(0, 1 - strength)
                return low + (1 + strength - low) * u
            }
            return (0..<count).map { image in
                let u = Array(draws[image * 8 ..< image * 8 + 8])
                // Random order by sorting four uniform keys (a uniform permutation).
                let order = (0..<4).sorted { u[$0] < u[$1] || (u[$0] == u[$1] && $0 < $1) }
                return JitterParameters(order: order, brightness: factor(brightness, u[4]),
                                        contrast: factor(contrast, u[5]), saturation: factor(saturation, u[6]),
                                        hue: -hue + 2 * hue * u[7])
            }
        }

        /// Jitters each image with probability `probability` (DINO: 0.8, torchvision's `RandomApply`).
        /// Throws as `ImageAugmentation.colorJitter(_:parameters:)` and `invalidArgument` for a bad probability.
        public func callAsFunction(_ images: Tensor, probability: Double = 1, generator: inout RandomGenerator) throws
            -> Tensor {
            try checkProbability(probability, operation: "colorJitter")
            let count = images.rank == 4 ? images.shape[0] : 0
            let applies = generator.coins(count, probability: probability)
            let drawn = parameters(count: count, generator: &generator)
            return try ImageAugmentation.colorJitter(images, parameters: zip(applies, drawn).map {
                $0 ? $1 : JitterParameters()
            })
        }
    }

    /// Applies each image's jitter in its order, clamping to [0, 1] after every adjustment (torchvision's `_blend`):
    /// - brightness b: x ← clamp(b · x)
    /// - contrast c: x ← clamp(c · x + (1 − c) · m), m the mean of the image's grayscale (L above)
    /// - saturation s: x ← clamp(s · x + (1 − s) · L(x)) per pixel (no change for one channel)
    /// - hue h: RGB → HSV, hue ← (hue + h) mod 1, HSV → RGB (torchvision's `_rgb2hsv`/`_hsv2rgb`; none for grey)
    /// - `images` `[n, 1 or 3, h, w]` float; result float32 of the same shape.
    /// - Throws `shapeMismatch` for another rank, channel count or parameter count, `dtype` for non-float images.
    public static func colorJitter(_ images: Tensor, parameters: [JitterParameters]) throws -> Tensor {
        var batch = try ImageBatch(images, operation: "colorJitter")
        try batch.checkColor(operation: "colorJitter")
        try batch.checkPerImage(parameters.count, "jitter parameters", operation: "colorJitter")
        let (channels, plane) = (batch.channels, batch.plane)
        batch.forEachImage { image, pixels in
            let p = parameters[image]
            for operation in p.order {
                switch operation {
                case 0 where p.brightness != 1:
                    blend(pixels, count: channels * plane, factor: Float(p.brightness), with: { _ in 0 })
                case 1 where p.contrast != 1:
                    let gray = luma(pixels, channels: channels, plane: plane)
                    let mean = Float(gray.reduce(0.0) { $0 + Double($1) } / Double(Swift.max(plane, 1)))
                    blend(pixels, count: channels * plane, factor: Float(p.contrast), with: { _ in mean })
                case 2 where p.saturation != 1 && channels == 3:
                    let gray = luma(pixels, channels: channels, plane: plane)
                    blend(pixels, count: channels * plane, factor: Float(p.saturation), with: { gray[$0 % plane] })
                case 3 where p.hue != 0 && channels == 3:
                    shiftHue(pixels, plane: plane, by: Float(p.hue))
                default: break
                }
            }
        }
        return batch.tensor
    }

    /// x ← clamp(factor · x + (1 − factor) · other(index), 0, 1) over `count` values.
    static func blend(_ pixels: UnsafeMutablePointer<Float>, count: Int, factor: Float, with other: (Int) -> Float) {
        for index in 0..<count {
            let value = factor * pixels[index] + (1 - factor) * other(index)
            pixels[index] = Swift.min(Swift.max(value, 0), 1)
        }
    }

    /// The grayscale plane of one image (the image itself when it has one channel).
    static func luma(_ pixels: UnsafeMutablePointer<Float>, channels: Int, plane: Int) -> [Float] {
        guard channels == 3 else { return Array(UnsafeBufferPointer(start: pixels, count: plane)) }
        let w = lumaWeights
        return (0..<plane).map { w.red * pixels[$0] + w.green * pixels[plane + $0] + w.blue * pixels[2 * plane + $0] }
    }

    /// torchvision's `adjust_hue` on one RGB image.
    static func shiftHue(_ pixels: UnsafeMutablePointer<Float>, plane: Int, by shift: Float) {
        for index in 0..<plane {
            let r = pixels[index], g = pixels[plane + index], b = pixels[2 * plane + index]
            let maximum = Swift.max(r, g, b), minimum = Swift.min(r, g, b)
            let chroma = maximum - minimum
            let equal = maximum == minimum
            let saturation = chroma / (equal ? 1 : maximum)
            let divisor = equal ? 1 : chroma
            let rc = (maximum - r) / divisor, gc = (maximum - g) / divisor, bc = (maximum - b) / divisor
            var hue: Float
            if maximum == r { hue = bc - gc } else if maximum == g { hue = 2 + rc - bc } else { hue = 4 + gc - rc }
            hue = (hue / 6 + 1).truncatingRemainder(dividingBy: 1)
            hue = (hue + shift).truncatingRemainder(dividingBy: 1)
            if hue < 0 { hue += 1 }
            let value = maximum
            // NaN pixels stay NaN (Int(NaN) would trap).
            guard hue.isFinite else { continue }
            let sector = (hue * 6).rounded(.down)
            let fraction = hue * 6 - sector
            let p = Swift.min(Swift.max(value * (1 - saturation), 0), 1)
            let q = Swift.min(Swift.max(value * (1 - saturation * fraction), 0), 1)
            let t = Swift.min(Swift.max(value * (1 - saturation * (1 - fraction)), 0), 1)
            let rgb: (Float, Float, Float)
            switch Int(sector) % 6 {
            case 0: rgb = (value, t, p)
            case 1: rgb = (q, value, p)
            case 2: rgb = (p, value, t)
            case 3: rgb = (p, q, value)
            case 4: rgb = (t, p, value)
            default: rgb = (value, p, q)
            }
            (pixels[index], pixels[plane + index], pixels[2 * plane + index]) = rgb
        }
    }

    /// Replaces image i by its grayscale L (above), repeated over the channels, where `which[i]` is true (torchvision's
    /// `Grayscale(num_output_channels=3)`; a one-channel image is unchanged). Result float32 of the same shape.
    /// Throws `shapeMismatch` for another rank, channel count or flag count, `dtype` for non-float images.
    public static func grayscale(_ images: Tensor, which: [Bool]) throws -> Tensor {
        var batch = try ImageBatch(images, operation: "grayscale")
        try batch.checkColor(operation: "grayscale")
        try batch.checkPerImage(which.count, "flags", operation: "grayscale")
        guard batch.channels == 3 else { return batch.tensor }
        let plane = batch.plane
        batch.forEachImage { image, pixels in
            guard which[image] else { return }
            let gray = luma(pixels, channels: 3, plane: plane)
            for channel in 0..<3 { for index in 0..<plane { pixels[channel * plane + index] = gray[index] } }
        }
        return batch.tensor
    }

    /// torchvision's `RandomGrayscale(p)` (DINO: 0.2). Throws as `grayscale(_:which:)`, and `invalidArgument` for a
    /// probability outside [0, 1].
    public static func randomGrayscale(_ images: Tensor, probability: Double = 0.1,
                                       generator: inout RandomGenerator) throws -> Tensor {
        try checkProbability(probability, operation: "randomGrayscale")
        let count = images.rank == 4 ? images.shape[0] : 0
        return try grayscale(images, which: generator.coins(count, probability: probability))
    }
}
