import Foundation
import Networks
import Tensors
import Testing

/// A float64 view of images [n, c, h, w] for naive references: pixel(i, c, y, x).
struct AugmentationPixels {
    let values: [Double]
    let shape: [Int]
    init(_ tensor: Tensor) {
        values = tensor.astype(.float64).scalars(as: Double.self)
        shape = tensor.shape
    }
    func callAsFunction(_ i: Int, _ c: Int, _ y: Int, _ x: Int) -> Double {
        values[((i * shape[1] + c) * shape[2] + y) * shape[3] + x]
    }
}

func augmentationImages(_ shape: [Int], seed: UInt64) throws -> Tensor {
    try Tensor.randomUniform(shape, seed: seed).astype(.float32)
}

/// The HSV round trip of Python's colorsys, with a hue shift.
func augmentationShiftHue(_ rgb: (Double, Double, Double), _ shift: Double) -> (Double, Double, Double) {
    let (r, g, b) = rgb
    let maxc = Swift.max(r, g, b), minc = Swift.min(r, g, b)
    if maxc == minc { return rgb }
    let s = (maxc - minc) / maxc
    let rc = (maxc - r) / (maxc - minc), gc = (maxc - g) / (maxc - minc), bc = (maxc - b) / (maxc - minc)
    var h = r == maxc ? bc - gc : (g == maxc ? 2 + rc - bc : 4 + gc - rc)
    h = (h / 6 + 1).truncatingRemainder(dividingBy: 1)
    h = (h + shift).truncatingRemainder(dividingBy: 1)
    if h < 0 { h += 1 }
    let i = Int(h * 6), f = h * 6 - Double(i)
    let v = maxc, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
    switch i % 6 {
    case 0: return (v, t, p)
    case 1: return (q, v, p)
    case 2: return (p, v, t)
    case 3: return (p, q, v)
    case 4: return (t, p, v)
    default: return (v, p, q)
    }
}

@Suite struct AugmentationTests {
    @Test(arguments: [[2, 3, 4, 5], [1, 1, 1, 1], [3, 1, 2, 6], [0, 3, 4, 4]])
    func horizontalFlipMirrorsExactly(shape: [Int]) throws {
        let images = try augmentationImages(shape, seed: 1)
        let flips = (0..<shape[0]).map { $0 % 2 == 0 }
        let flipped = AugmentationPixels(try ImageAugmentation.horizontalFlip(images, flips: flips))
        let source = AugmentationPixels(images)
        for i in 0..<shape[0] { for c in 0..<shape[1] { for y in 0..<shape[2] { for x in 0..<shape[3] {
            #expect(flipped(i, c, y, x) == source(i, c, y, flips[i] ? shape[3] - 1 - x : x))
        } } } }
        // Non-contiguous float64 input gives the same pixels.
        let transposed = try images.astype(.float64).permuted([0, 1, 3, 2]).contiguous().permuted([0, 1, 3, 2])
        #expect(try ImageAugmentation.horizontalFlip(transposed, flips: flips).scalars(as: Float.self)
            == ImageAugmentation.horizontalFlip(images, flips: flips).scalars(as: Float.self))
    }

    @Test func cropAtItsOwnSizeIsTheSliceAndResizingIsBilinear() throws {
        let images = try augmentationImages([2, 3, 9, 7], seed: 2)
        let source = AugmentationPixels(images)
        let boxes = [ImageAugmentation.CropBox(top: 1, left: 2, height: 5, width: 4),
                     ImageAugmentation.CropBox(top: 0, left: 0, height: 9, width: 7)]
        let same = AugmentationPixels(try ImageAugmentation.resizedCrop(images, boxes: [boxes[0], boxes[0]],
                                                                        size: (5, 4)))
        for i in 0..<2 { for c in 0..<3 { for y in 0..<5 { for x in 0..<4 {
            #expect(same(i, c, y, x) == source(i, c, 1 + y, 2 + x))
        } } } }
        for size in [(3, 3), (8, 11), (1, 2)] {
            let resized = AugmentationPixels(try ImageAugmentation.resizedCrop(images, boxes: boxes, size: size))
            for i in 0..<2 {
                let box = boxes[i]
                func taps(_ index: Int, _ length: Int, _ outputs: Int) -> (Int, Int, Double) {
                    let s = Swift.max(0, (Double(index) + 0.5) * Double(length) / Double(outputs) - 0.5)
                    let a = Swift.min(Int(s.rounded(.down)), length - 1)
                    return (a, Swift.min(a + 1, length - 1), s - Double(a))
                }
                for c in 0..<3 { for y in 0..<size.0 { for x in 0..<size.1 {
                    let (y0, y1, wy) = taps(y, box.height, size.0), (x0, x1, wx) = taps(x, box.width, size.1)
                    let p = { (yy: Int, xx: Int) in source(i, c, box.top + yy, box.left + xx) }
                    let expected = (1 - wy) * ((1 - wx) * p(y0, x0) + wx * p(y0, x1))
                        + wy * ((1 - wx) * p(y1, x0) + wx * p(y1, x1))
                    #expect(abs(resized(i, c, y, x) - expected) < 1e-5)
                } } }
            }
        }
    }

    @Test func randomCropBoxesLieInsideWithTheirScaleAndRatio() throws {
        var generator = RandomGenerator(seed: 7)
        let boxes = try ImageAugmentation.randomResizedCropBoxes(count: 200, height: 32, width: 24, scale: 0.2...0.6,
                                                                 generator: &generator)
        for box in boxes {
            #expect(box.top >= 0 && box.left >= 0 && box.top + box.height <= 32 && box.left + box.width <= 24)
            let area = Double(box.height * box.width) / Double(32 * 24)
            // Rounding each side moves the area a little.
            #expect(area >= 0.2 * 0.8 && area <= 0.6 * 1.25, "\(box)")
            let ratio = Double(box.width) / Double(box.height)
            #expect(ratio >= 0.75 * 0.7 && ratio <= 4.0 / 3 * 1.4, "\(box)")
        }
        #expect(Set(boxes.map(\.top)).count > 5 && Set(boxes.map(\.left)).count > 5)
        var again = RandomGenerator(seed: 7)
        #expect(try ImageAugmentation.randomResizedCropBoxes(count: 200, height: 32, width: 24, scale: 0.2...0.6,
                                                             generator: &again) == boxes)
        // Impossible ratios fall back to the central crop clamped to the ratio range.
        var fallback = RandomGenerator(seed: 1)
        let central = try ImageAugmentation.randomResizedCropBoxes(count: 1, height: 10, width: 40, scale: 1...1,
                                                                   ratio: 1...2, generator: &fallback)
        #expect(central == [ImageAugmentation.CropBox(top: 0, left: 10, height: 10, width: 20)])
    }

    @Test(arguments: [0.1, 0.5, 1.0, 2.0, 3.3])
    func gaussianKernelSumsToOneAndBlurMatchesAConvolution(sigma: Double) throws {
        let kernel = try ImageAugmentation.gaussianKernel(sigma: sigma)
        #expect(abs(kernel.reduce(0, +) - 1) < 1e-12)
        #expect(kernel.count == 2 * Int((3 * sigma).rounded(.up)) + 1)
        #expect(zip(kernel, kernel.reversed()).allSatisfy { abs($0 - $1) < 1e-15 })
        let images = try augmentationImages([2, 2, 6, 9], seed: 3)
        let blurred = AugmentationPixels(try ImageAugmentation.gaussianBlur(images, sigmas: [sigma, nil]))
        let source = AugmentationPixels(images)
        let r = kernel.count / 2
        func reflect(_ i: Int, _ n: Int) -> Int {
            var j = i
            while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
            return j
        }
        for c in 0..<2 { for y in 0..<6 { for x in 0..<9 {
            var total = 0.0
            for a in -r...r { for b in -r...r {
                total += kernel[a + r] * kernel[b + r] * source(0, c, reflect(y + a, 6), reflect(x + b, 9))
            } }
            #expect(abs(blurred(0, c, y, x) - total) < 1e-5)
            #expect(blurred(1, c, y, x) == source(1, c, y, x))
        } } }
        // A constant image stays constant.
        let flat = try ImageAugmentation.gaussianBlur(Tensor.full([1, 1, 5, 5], value: 0.25).astype(.float32),
                                                      sigmas: [sigma])
        #expect(flat.scalars(as: Float.self).allSatisfy { abs($0 - 0.25) < 1e-6 })
    }

    @Test func solarizeInvertsAtAndAboveTheThreshold() throws {
        let images = try Tensor(shape: [2, 1, 1, 4], scalars: [Float(0.2), 0.49, 0.5, 0.9, 0.2, 0.49, 0.5, 0.9])
        let result = try ImageAugmentation.solarize(images, which: [true, false], threshold: 0.5)
        #expect(result.scalars(as: Float.self) == [0.2, 0.49, 0.5, 1 - Float(0.9), 0.2, 0.49, 0.5, 0.9])
    }

    @Test func grayscaleAndNormalizeMatchTheirFormulas() throws {
        let images = try augmentationImages([2, 3, 3, 4], seed: 4)
        let source = AugmentationPixels(images)
        let gray = AugmentationPixels(try ImageAugmentation.grayscale(images, which: [false, true]))
        let mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225]
        let normalized = AugmentationPixels(try ImageAugmentation.normalize(images, mean: mean, std: std))
        for c in 0..<3 { for y in 0..<3 { for x in 0..<4 {
            let luma = 0.2989 * source(1, 0, y, x) + 0.587 * source(1, 1, y, x) + 0.114 * source(1, 2, y, x)
            #expect(abs(gray(1, c, y, x) - luma) < 1e-6 && gray(0, c, y, x) == source(0, c, y, x))
            #expect(abs(normalized(0, c, y, x) - (source(0, c, y, x) - mean[c]) / std[c]) < 1e-5)
        } } }
    }

    @Test func colorJitterMatchesTorchvisionsFormulas() throws {
        let images = try augmentationImages([4, 3, 3, 3], seed: 5)
        let source = AugmentationPixels(images)
        let parameters: [ImageAugmentation.JitterParameters] = [
            .init(brightness: 1.3), .init(contrast: 0.6), .init(saturation: 1.5), .init(hue: 0.27),
        ]
        let result = AugmentationPixels(try ImageAugmentation.colorJitter(images, parameters: parameters))
        func clamp(_ v: Double) -> Double { Swift.min(Swift.max(v, 0), 1) }
        func luma(_ i: Int, _ y: Int, _ x: Int) -> Double {
            0.2989 * source(i, 0, y, x) + 0.587 * source(i, 1, y, x) + 0.114 * source(i, 2, y, x)
        }
        let grayMean = (0..<3).flatMap { y in (0..<3).map { x in luma(1, y, x) } }.reduce(0, +) / 9
        for y in 0..<3 { for x in 0..<3 {
            let hued = augmentationShiftHue((source(3, 0, y, x), source(3, 1, y, x), source(3, 2, y, x)), 0.27)
            for c in 0..<3 {
                #expect(abs(result(0, c, y, x) - clamp(1.3 * source(0, c, y, x))) < 1e-6)
                #expect(abs(result(1, c, y, x) - clamp(0.6 * source(1, c, y, x) + 0.4 * grayMean)) < 1e-6)
                #expect(abs(result(2, c, y, x) - clamp(1.5 * source(2, c, y, x) - 0.5 * luma(2, y, x))) < 1e-6)
                #expect(abs(result(3, c, y, x) - [hued.0, hued.1, hued.2][c]) < 1e-5)
            }
        } }
        // Pure red turned by a third of the circle is pure green; no shift leaves the image.
        let red = try Tensor(shape: [1, 3, 1, 1], scalars: [Float(1), 0, 0])
        let green = try ImageAugmentation.colorJitter(red, parameters: [.init(hue: 1.0 / 3)])
        #expect(green.scalars(as: Float.self).map { ($0 * 1e5).rounded() / 1e5 } == [0, 1, 0])
        let untouched = try ImageAugmentation.colorJitter(images, parameters: Array(repeating: .init(), count: 4))
        #expect(untouched.scalars(as: Float.self) == images.scalars(as: Float.self))
        // Drawn factors lie in their ranges and the order is a permutation.
        var generator = RandomGenerator(seed: 2)
        let drawn = try ImageAugmentation.ColorJitter().parameters(count: 100, generator: &generator)
        for p in drawn {
            #expect(p.order.sorted() == [0, 1, 2, 3])
            #expect((0.6...1.4).contains(p.brightness) && (0.6...1.4).contains(p.contrast))
            #expect((0.8...1.2).contains(p.saturation) && (-0.1...0.1).contains(p.hue))
        }
        #expect(Set(drawn.map(\.order)).count > 10)
    }

    @Test func dinoPipelineIsSeededAndShaped() throws {
        let images = try augmentationImages([3, 3, 16, 16], seed: 6)
        let augmentation = try DINOAugmentation(globalSize: 16, localSize: 8, localCrops: 3, blurSigma: 0.1...1)
        var first = RandomGenerator(seed: 11), second = RandomGenerator(seed: 11), other = RandomGenerator(seed: 12)
        let a = try augmentation(images, generator: &first)
        let b = try augmentation(images, generator: &second)
        let c = try augmentation(images, generator: &other)
        #expect(a.globals.count == 2 && a.locals.count == 3)
        #expect(a.globals.allSatisfy { $0.shape == [3, 3, 16, 16] } && a.locals.allSatisfy { $0.shape == [3, 3, 8, 8] })
        for (x, y) in zip(a.globals + a.locals, b.globals + b.locals) {
            #expect(x.scalars(as: Float.self) == y.scalars(as: Float.self))
        }
        #expect(a.globals[0].scalars(as: Float.self) != c.globals[0].scalars(as: Float.self))
        #expect(a.globals[0].scalars(as: Float.self) != a.globals[1].scalars(as: Float.self))
        #expect((a.globals + a.locals).allSatisfy { $0.scalars(as: Float.self).allSatisfy { $0.isFinite } })
        let evaluation = try augmentation.evaluationView(images)
        #expect(evaluation.shape == [3, 3, 16, 16])
    }

    @Test func errorsNameTheProblem() throws {
        let images = try augmentationImages([2, 3, 4, 4], seed: 1)
        #expect(dinoErrorText { _ = try ImageAugmentation.horizontalFlip(images, flips: [true]) }
            == "horizontalFlip: 1 flip flags for 2 images")
        #expect(dinoErrorText { _ = try ImageAugmentation.horizontalFlip(Tensor.zeros([2, 4]), flips: [true]) }
            == "horizontalFlip: images of shape [2, 4] are not [n, channels, height, width]")
        #expect(dinoErrorText {
            _ = try ImageAugmentation.resizedCrop(images, boxes: Array(repeating: .init(top: 2, left: 0, height: 3,
                                                                                       width: 2), count: 2),
                                                  size: (2, 2))
        } == "resizedCrop: CropBox(top: 2, left: 0, height: 3, width: 2) does not lie inside images of 4×4")
        #expect(dinoErrorText {
            _ = try ImageAugmentation.grayscale(Tensor.zeros([1, 2, 4, 4], dtype: .float32), which: [true])
        } == "grayscale: images of shape [1, 2, 4, 4] have 2 channels; colour transforms need 1 (grey) or 3 (RGB)")
        #expect(dinoErrorText { _ = try ImageAugmentation.gaussianKernel(sigma: 0) }
            == "gaussianKernel: sigma must be positive and finite, got 0.0")
        #expect(dinoErrorText { _ = try ImageAugmentation.normalize(images, mean: [0], std: [1]) }
            == "normalize: 1 means and 1 standard deviations for images of shape [2, 3, 4, 4] with 3 channels")
        #expect(dinoErrorText { _ = try ImageAugmentation.solarize(images.astype(.int64), which: [true, true]) }
            == "solarize: images must be float32 or float64, got int64")
        var generator = RandomGenerator(seed: 0)
        #expect(dinoErrorText {
            _ = try ImageAugmentation.randomHorizontalFlip(images, probability: 2, generator: &generator)
        } == "randomHorizontalFlip: probability must lie in [0, 1], got 2.0")
    }
}
