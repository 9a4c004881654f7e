import Foundation
import Tensors

extension ImageAugmentation {
    /// The normalised 1-D Gaussian kernel of standard deviation `sigma` pixels: taps −r…r with r = ⌈3σ⌉,
    /// weights exp(−x² / 2σ²) / Σ. Sums to 1. Throws `invalidArgument` for a sigma that is not positive and finite.
    public static func gaussianKernel(sigma: Double) throws -> [Double] {
        guard sigma > 0, sigma.isFinite else {
            throw TensorError(.invalidArgument, "gaussianKernel", "sigma must be positive and finite, got \(sigma)")
        }
        let radius = Int((3 * sigma).rounded(.up))
        let weights = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// Blurs image i with an isotropic Gaussian of standard deviation `sigmas[i]` pixels (nil: unchanged), separably
    /// (rows, then columns) with `gaussianKernel(sigma:)` and reflected borders (torchvision's `gaussian_blur`
    /// padding, "reflect": index −k reads k; for kernels wider than the image the reflection repeats). DINO draws
    /// σ uniformly in [0.1, 2] pixels (PIL's `GaussianBlur(radius)` approximates this Gaussian by box blurs).
    /// Result float32 of the same shape. Throws `shapeMismatch` for another rank or sigma count, `invalidArgument`
    /// for a sigma that is not positive, `dtype` for non-float images.
    public static func gaussianBlur(_ images: Tensor, sigmas: [Double?]) throws -> Tensor {
        var batch = try ImageBatch(images, operation: "gaussianBlur")
        try batch.checkPerImage(sigmas.count, "sigmas", operation: "gaussianBlur")
        let kernels = try sigmas.map { try $0.map { try gaussianKernel(sigma: $0).map { Float($0) } } }
        let (height, width, channels) = (batch.height, batch.width, batch.channels)
        batch.forEachImage { image, pixels in
            guard let kernel = kernels[image] else { return }
            let radius = kernel.count / 2
            let columnTaps = reflectedTaps(length: width, radius: radius)
            let rowTaps = reflectedTaps(length: height, radius: radius)
            var scratch = [Float](repeating: 0, count: height * width)
            for channel in 0..<channels {
                let plane = pixels + channel * height * width
                // Along rows: scratch[y, x] = Σ_k kernel[k] · plane[y, reflect(x + k − r)].
                for y in 0..<height {
                    let row = plane + y * width
                    for x in 0..<width {
                        var total: Float = 0
                        let taps = x * kernel.count
                        for k in 0..<kernel.count { total += kernel[k] * row[columnTaps[taps + k]] }
                        scratch[y * width + x] = total
                    }
                }
                // Along columns, back into the image; whole rows at a time so the inner loop vectorises.
                for y in 0..<height {
                    let out = plane + y * width
                    for x in 0..<width { out[x] = 0 }
                    for k in 0..<kernel.count {
                        let weight = kernel[k], source = rowTaps[y * kernel.count + k] * width
                        for x in 0..<width { out[x] += weight * scratch[source + x] }
                    }
                }
            }
        }
        return batch.tensor
    }

    /// For each position and tap, the reflected source index ("reflect" padding, repeated while out of range).
    static func reflectedTaps(length: Int, radius: Int) -> [Int] {
        var taps: [Int] = []
        taps.reserveCapacity(length * (2 * radius + 1))
        for position in 0..<length {
            for offset in -radius...radius {
                var index = position + offset
                if length == 1 { index = 0 }
                while index < 0 || index >= length { index = index < 0 ? -index : 2 * (length - 1) - index }
                taps.append(index)
            }
        }
        return taps
    }

    /// DINO's `GaussianBlur(p, radius_min, radius_max)`: each image is blurred with `probability`, σ uniform in
    /// `sigma`. Throws as `gaussianBlur(_:sigmas:)`, and `invalidArgument` for a bad probability or sigma range.
    public static func randomGaussianBlur(_ images: Tensor, probability: Double, sigma: ClosedRange<Double> = 0.1...2,
                                          generator: inout RandomGenerator) throws -> Tensor {
        try checkProbability(probability, operation: "randomGaussianBlur")
        guard sigma.lowerBound > 0 else {
            throw TensorError(.invalidArgument, "randomGaussianBlur", "sigma must be positive, got "
                              + "\(sigma.lowerBound)...\(sigma.upperBound)")
        }
        let count = images.rank == 4 ? images.shape[0] : 0
        let draws = generator.uniforms(2 * count)
        let sigmas: [Double?] = (0..<count).map { image in
            draws[2 * image] < probability
                ? sigma.lowerBound + (sigma.upperBound - sigma.lowerBound) * draws[2 * image + 1] : nil
        }
        return try gaussianBlur(images, sigmas: sigmas)
    }

    /// Inverts the pixels at or above `threshold` in the images i with `which[i]`: x ← x ≥ threshold ? 1 − x : x
    /// (torchvision's `solarize` on float images; PIL's `ImageOps.solarize(img, 128)` on 8-bit ones, which DINO uses,
    /// is the threshold 128/255). Result float32 of the same shape. Throws `shapeMismatch` for another rank or flag
    /// count, `dtype` for non-float images.
    public static func solarize(_ images: Tensor, which: [Bool], threshold: Double = 0.5) throws -> Tensor {
        var batch = try ImageBatch(images, operation: "solarize")
        try batch.checkPerImage(which.count, "flags", operation: "solarize")
        let size = batch.imageSize, limit = Float(threshold)
        batch.forEachImage { image, pixels in
            guard which[image] else { return }
            for index in 0..<size where pixels[index] >= limit { pixels[index] = 1 - pixels[index] }
        }
        return batch.tensor
    }

    /// DINO's `Solarization(p)` (0.2 on the second global crop). Throws as `solarize(_:which:threshold:)`, and
    /// `invalidArgument` for a probability outside [0, 1].
    public static func randomSolarize(_ images: Tensor, probability: Double, threshold: Double = 0.5,
                                      generator: inout RandomGenerator) throws -> Tensor {
        try checkProbability(probability, operation: "randomSolarize")
        let count = images.rank == 4 ? images.shape[0] : 0
        return try solarize(images, which: generator.coins(count, probability: probability), threshold: threshold)
    }

    /// (x − mean[c]) / std[c] per channel (torchvision's `Normalize`; DINO uses ImageNet's statistics).
    /// Result float32 of the same shape. Throws `shapeMismatch` when `mean` or `std` has not one entry per channel,
    /// `invalidArgument` for a standard deviation that is not positive, `dtype` for non-float images.
    public static func normalize(_ images: Tensor, mean: [Double], std: [Double]) throws -> Tensor {
        var batch = try ImageBatch(images, operation: "normalize")
        guard mean.count == batch.channels, std.count == batch.channels else {
            throw TensorError(.shapeMismatch, "normalize", "\(mean.count) means and \(std.count) standard deviations "
                              + "for images of shape \(formatShape(images.shape)) with \(batch.channels) channels")
        }
        guard std.allSatisfy({ $0 > 0 }) else {
            throw TensorError(.invalidArgument, "normalize", "standard deviations must be positive, got \(std)")
        }
        let plane = batch.plane
        let shifts = mean.map { Float($0) }, scales = std.map { Float(1 / $0) }
        batch.forEachImage { _, pixels in
            for channel in 0..<shifts.count {
                let values = pixels + channel * plane
                let shift = shifts[channel], scale = scales[channel]
                for index in 0..<plane { values[index] = (values[index] - shift) * scale }
            }
        }
        return batch.tensor
    }

    /// ImageNet's channel means and standard deviations (DINO's `Normalize`).
    public static let imageNetMean = [0.485, 0.456, 0.406]
    public static let imageNetStd = [0.229, 0.224, 0.225]
}
