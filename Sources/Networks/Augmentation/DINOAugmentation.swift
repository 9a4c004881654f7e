import Foundation
import Tensors

/// DINO's multi-crop augmentation (`DataAugmentationDINO`), on batches of images `[n, c, h, w]` in [0, 1]:
///
///     flip_and_color_jitter = RandomHorizontalFlip(0.5), RandomApply(ColorJitter(0.4, 0.4, 0.2, 0.1), 0.8),
///                             RandomGrayscale(0.2)
///     global crop 1: RandomResizedCrop(globalSize, scale 0.4…1), flip_and_color_jitter, GaussianBlur(p 1.0), normalize
///     global crop 2: RandomResizedCrop(globalSize, scale 0.4…1), flip_and_color_jitter, GaussianBlur(p 0.1),
///                    Solarization(p 0.2), normalize
///     local crops:   RandomResizedCrop(localSize, scale 0.05…0.4), flip_and_color_jitter, GaussianBlur(p 0.5), normalize
///
/// with DINO's defaults (ratio 3/4…4/3, blur σ 0.1…2 px, solarisation threshold 0.5, ImageNet normalisation).
/// Crops are resized bilinearly (DINO uses bicubic on PIL images). Colour jitter, grayscale and hue need 1 or 3
/// channels. Everything is drawn from the generator, so a seed gives the same crops.
public struct DINOAugmentation: Sendable {
    public var globalSize: Int
    public var localSize: Int
    public var localCrops: Int
    public var globalScale: ClosedRange<Double>
    public var localScale: ClosedRange<Double>
    public var ratio: ClosedRange<Double>
    public var flipProbability: Double
    public var jitter: ImageAugmentation.ColorJitter
    public var jitterProbability: Double
    public var grayscaleProbability: Double
    /// Blur probabilities of the first global crop, the second and the local crops.
    public var blurProbabilities: (first: Double, second: Double, local: Double)
    public var blurSigma: ClosedRange<Double>
    public var solarizeProbability: Double
    public var solarizeThreshold: Double
    /// Per-channel mean and standard deviation, or nil to leave pixels in [0, 1].
    public var normalization: (mean: [Double], std: [Double])?

    /// DINO's pipeline for crops of `globalSize` and `localSize` pixels (224 and 96 in DINO), `localCrops` local
    /// crops (DINO: 8; 0 for none). Throws `invalidArgument` for a size that is not positive or a negative count.
    public init(globalSize: Int, localSize: Int, localCrops: Int, globalScale: ClosedRange<Double> = 0.4...1,
                localScale: ClosedRange<Double> = 0.05...0.4, blurSigma: ClosedRange<Double> = 0.1...2,
                normalization: (mean: [Double], std: [Double])? = (ImageAugmentation.imageNetMean,
                                                                    ImageAugmentation.imageNetStd)) throws {
        guard globalSize > 0, localSize > 0, localCrops >= 0 else {
            throw TensorError(.invalidArgument, "DINOAugmentation", "crop sizes must be positive and the local crop "
                              + "count non-negative, got \(globalSize), \(localSize), \(localCrops)")
        }
        (self.globalSize, self.localSize, self.localCrops) = (globalSize, localSize, localCrops)
        (self.globalScale, self.localScale, self.ratio) = (globalScale, localScale, (3.0 / 4)...(4.0 / 3))
        flipProbability = 0.5
        jitter = try ImageAugmentation.ColorJitter()
        jitterProbability = 0.8
        grayscaleProbability = 0.2
        blurProbabilities = (1.0, 0.1, 0.5)
        self.blurSigma = blurSigma
        solarizeProbability = 0.2
        solarizeThreshold = 0.5
        self.normalization = normalization
    }

    /// The crops of a batch: `globals` holds the two global views `[n, c, globalSize, globalSize]`, `locals` the
    /// `localCrops` local views `[n, c, localSize, localSize]`, all float32. View k of image i is augmented
    /// independently of every other view. Throws what the augmentations throw (wrong rank, channel count, dtype).
    public func callAsFunction(_ images: Tensor, generator: inout RandomGenerator) throws
        -> (globals: [Tensor], locals: [Tensor]) {
        var globals: [Tensor] = []
        for index in 0..<2 {
            var view = try ImageAugmentation.randomResizedCrop(images, size: (globalSize, globalSize),
                                                               scale: globalScale, ratio: ratio, generator: &generator)
            view = try flipAndJitter(view, generator: &generator)
            view = try ImageAugmentation.randomGaussianBlur(
                view, probability: index == 0 ? blurProbabilities.first : blurProbabilities.second, sigma: blurSigma,
                generator: &generator)
            if index == 1 {
                view = try ImageAugmentation.randomSolarize(view, probability: solarizeProbability,
                                                            threshold: solarizeThreshold, generator: &generator)
            }
            globals.append(try normalized(view))
        }
        var locals: [Tensor] = []
        for _ in 0..<localCrops {
            var view = try ImageAugmentation.randomResizedCrop(images, size: (localSize, localSize),
                                                               scale: localScale, ratio: ratio, generator: &generator)
            view = try flipAndJitter(view, generator: &generator)
            view = try ImageAugmentation.randomGaussianBlur(view, probability: blurProbabilities.local,
                                                            sigma: blurSigma, generator: &generator)
            locals.append(try normalized(view))
        }
        return (globals, locals)
    }

    /// DINO's `flip_and_color_jitter`.
    func flipAndJitter(_ images: Tensor, generator: inout RandomGenerator) throws -> Tensor {
        var view = try ImageAugmentation.randomHorizontalFlip(images, probability: flipProbability,
                                                              generator: &generator)
        view = try jitter(view, probability: jitterProbability, generator: &generator)
        return try ImageAugmentation.randomGrayscale(view, probability: grayscaleProbability, generator: &generator)
    }

    /// The evaluation view: the images resized (bilinear, whole image) to `globalSize` and normalised as the crops.
    /// Throws what the augmentations throw.
    public func evaluationView(_ images: Tensor) throws -> Tensor {
        guard images.rank == 4 else {
            throw TensorError(.shapeMismatch, "DINOAugmentation", "images of shape \(formatShape(images.shape)) are "
                              + "not [n, channels, height, width]")
        }
        let whole = ImageAugmentation.CropBox(top: 0, left: 0, height: images.shape[2], width: images.shape[3])
        let resized = images.shape[2] == globalSize && images.shape[3] == globalSize
            ? images.astype(.float32)
            : try ImageAugmentation.resizedCrop(images, boxes: Array(repeating: whole, count: images.shape[0]),
                                                size: (globalSize, globalSize))
        return try normalized(resized)
    }

    func normalized(_ images: Tensor) throws -> Tensor {
        guard let normalization else { return images }
        return try ImageAugmentation.normalize(images, mean: normalization.mean, std: normalization.std)
    }
}
