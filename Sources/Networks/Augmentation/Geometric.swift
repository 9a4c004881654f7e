import Foundation
import Tensors

extension ImageAugmentation {
    /// A crop rectangle in pixels: rows `top ..< top + height`, columns `left ..< left + width`.
    public struct CropBox: Sendable, Equatable, CustomStringConvertible {
        public var top: Int
        public var left: Int
        public var height: Int
        public var width: Int

        public init(top: Int, left: Int, height: Int, width: Int) {
            (self.top, self.left, self.height, self.width) = (top, left, height, width)
        }

        public var description: String { "CropBox(top: \(top), left: \(left), height: \(height), width: \(width))" }
    }

    /// torchvision's `RandomResizedCrop.get_params` for `count` images of `height × width`: up to 10 attempts, each
    /// drawing an area fraction uniform in `scale` and a log-uniform aspect ratio (width / height) in `ratio`;
    /// w = round(√(area · ratio)), h = round(√(area / ratio)) (round half to even, as Python); the first that fits
    /// is placed uniformly (top uniform in 0…height − h, left in 0…width − w). When none fits, the central crop of
    /// the whole image clamped to `ratio`. Every image consumes the same draws (40 uniforms), so the boxes depend
    /// only on the generator. Throws `invalidArgument` for empty images, or a scale or ratio range that is not
    /// ordered and positive (scale within (0, 1]).
    public static func randomResizedCropBoxes(count: Int, height: Int, width: Int,
                                              scale: ClosedRange<Double> = 0.08...1,
                                              ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3),
                                              generator: inout RandomGenerator) throws -> [CropBox] {
        let operation = "randomResizedCrop"
        guard height > 0, width > 0, count >= 0 else {
            throw TensorError(.invalidArgument, operation, "images of \(height)×\(width) pixels cannot be cropped")
        }
        guard scale.lowerBound > 0, scale.upperBound <= 1, ratio.lowerBound > 0 else {
            throw TensorError(.invalidArgument, operation, "scale must lie in (0, 1] and ratio be positive, got scale "
                              + "\(scale.lowerBound)...\(scale.upperBound), ratio \(ratio.lowerBound)...\(ratio.upperBound)")
        }
        let attempts = 10
        let draws = generator.uniforms(count * attempts * 4)
        let area = Double(height * width)
        let logRatio = (log(ratio.lowerBound), log(ratio.upperBound))
        return (0..<count).map { image in
            for attempt in 0..<attempts {
                let u = draws[(image * attempts + attempt) * 4 ..< (image * attempts + attempt + 1) * 4].map { $0 }
                let targetArea = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * u[0])
                let aspect = exp(logRatio.0 + (logRatio.1 - logRatio.0) * u[1])
                let w = Int((targetArea * aspect).squareRoot().rounded(.toNearestOrEven))
                let h = Int((targetArea / aspect).squareRoot().rounded(.toNearestOrEven))
                if w > 0, w <= width, h > 0, h <= height {
                    let top = Swift.min(Int(u[2] * Double(height - h + 1)), height - h)
                    let left = Swift.min(Int(u[3] * Double(width - w + 1)), width - w)
                    return CropBox(top: top, left: left, height: h, width: w)
                }
            }
            let inputRatio = Double(width) / Double(height)
            var w = width, h = height
            if inputRatio < ratio.lowerBound {
                h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
            } else if inputRatio > ratio.upperBound {
                w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
            }
            return CropBox(top: (height - h) / 2, left: (width - w) / 2, height: h, width: w)
        }
    }

    /// Crops box i of each image i and resizes it to `size` by bilinear interpolation (PyTorch's
    /// `interpolate(mode="bilinear", align_corners=False, antialias=False)` applied to the crop): output pixel y
    /// samples source row top + max(0, (y + ½) · boxHeight / outputHeight − ½), and likewise for columns, with taps
    /// clamped to the crop. Without antialiasing, strong downscaling aliases (DINO's crops mostly upscale).
    /// - `images`: `[n, c, h, w]` float; `boxes`: n boxes inside the images; result float32 `[n, c, size.height,
    ///   size.width]`.
    /// - Throws `shapeMismatch` for another rank or box count, `invalidArgument` for a box outside the image or an
    ///   empty output size, `dtype` for non-float images.
    public static func resizedCrop(_ images: Tensor, boxes: [CropBox], size: (height: Int, width: Int)) throws
        -> Tensor {
        let operation = "resizedCrop"
        let input = try ImageBatch(images, operation: operation)
        try input.checkPerImage(boxes.count, "boxes", operation: operation)
        guard size.height > 0, size.width > 0 else {
            throw TensorError(.invalidArgument, operation, "output size \(size.height)×\(size.width) is empty")
        }
        for box in boxes where box.top < 0 || box.left < 0 || box.height <= 0 || box.width <= 0
            || box.top + box.height > input.height || box.left + box.width > input.width {
            throw TensorError(.invalidArgument, operation, "\(box) does not lie inside images of "
                              + "\(input.height)×\(input.width)")
        }
        var output = ImageBatch(count: input.count, channels: input.channels, height: size.height, width: size.width)
        let source = input.pixels
        output.forEachImage { image, destination in
            let box = boxes[image]
            let rows = bilinearTaps(start: box.top, length: box.height, outputs: size.height)
            let columns = bilinearTaps(start: box.left, length: box.width, outputs: size.width)
            source.withUnsafeBufferPointer { pixels in
                for channel in 0..<input.channels {
                    let plane = pixels.baseAddress! + (image * input.channels + channel) * input.plane
                    let target = destination + channel * size.height * size.width
                    for y in 0..<size.height {
                        let (y0, y1, wy) = rows[y]
                        let row0 = plane + y0 * input.width, row1 = plane + y1 * input.width
                        let out = target + y * size.width
                        for x in 0..<size.width {
                            let (x0, x1, wx) = columns[x]
                            let top = row0[x0] + (row0[x1] - row0[x0]) * wx
                            let bottom = row1[x0] + (row1[x1] - row1[x0]) * wx
                            out[x] = top + (bottom - top) * wy
                        }
                    }
                }
            }
        }
        return output.tensor
    }

    /// For each output index: the two source indices and the weight of the second.
    static func bilinearTaps(start: Int, length: Int, outputs: Int) -> [(Int, Int, Float)] {
        let scale = Double(length) / Double(outputs)
        return (0..<outputs).map { index in
            let source = Swift.max(0, (Double(index) + 0.5) * scale - 0.5)
            let first = Swift.min(Int(source), length - 1)
            let second = Swift.min(first + 1, length - 1)
            return (start + first, start + second, Float(source - Double(first)))
        }
    }

    /// torchvision's `RandomResizedCrop(size, scale, ratio)` with bilinear interpolation: boxes from
    /// `randomResizedCropBoxes`, then `resizedCrop`. Throws what those throw.
    public static func randomResizedCrop(_ images: Tensor, size: (height: Int, width: Int),
                                         scale: ClosedRange<Double> = 0.08...1,
                                         ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3),
                                         generator: inout RandomGenerator) throws -> Tensor {
        guard images.rank == 4 else {
            throw TensorError(.shapeMismatch, "randomResizedCrop", "images of shape \(formatShape(images.shape)) are "
                              + "not [n, channels, height, width]")
        }
        let boxes = try randomResizedCropBoxes(count: images.shape[0], height: images.shape[2], width: images.shape[3],
                                               scale: scale, ratio: ratio, generator: &generator)
        return try resizedCrop(images, boxes: boxes, size: size)
    }

    /// Mirrors image i left–right where `flips[i]` is true: output[i, c, y, x] = images[i, c, y, w − 1 − x].
    /// Result float32 of the same shape. Throws `shapeMismatch` for another rank or flag count, `dtype` for
    /// non-float images.
    public static func horizontalFlip(_ images: Tensor, flips: [Bool]) throws -> Tensor {
        var batch = try ImageBatch(images, operation: "horizontalFlip")
        try batch.checkPerImage(flips.count, "flip flags", operation: "horizontalFlip")
        let width = batch.width, rows = batch.channels * batch.height
        batch.forEachImage { image, pixels in
            guard flips[image] else { return }
            for row in 0..<rows {
                let line = pixels + row * width
                var (left, right) = (0, width - 1)
                while left < right {
                    swap(&line[left], &line[right])
                    left += 1
                    right -= 1
                }
            }
        }
        return batch.tensor
    }

    /// torchvision's `RandomHorizontalFlip(p)`: each image mirrored with `probability`. Throws `invalidArgument`
    /// for a probability outside [0, 1], and what `horizontalFlip(_:flips:)` throws.
    public static func randomHorizontalFlip(_ images: Tensor, probability: Double = 0.5,
                                            generator: inout RandomGenerator) throws -> Tensor {
        try checkProbability(probability, operation: "randomHorizontalFlip")
        let count = images.rank == 4 ? images.shape[0] : 0
        return try horizontalFlip(images, flips: generator.coins(count, probability: probability))
    }
}
