import Foundation
import Tensors

/// Image augmentations on batches `[n, channels, height, width]` of float32 pixels in [0, 1] (PyTorch's layout),
/// as torchvision's transforms on tensors. Every random augmentation draws its parameters from a `RandomGenerator`
/// the caller owns, so a seed reproduces a batch exactly; each has a deterministic twin taking the per-image
/// parameters (`resizedCrop(_:boxes:size:)`, `horizontalFlip(_:flips:)`, …), which the random one calls.
/// Images are processed in parallel, one image per task (results do not depend on the thread count).
public enum ImageAugmentation {}

/// A batch of images as a flat float32 buffer, for the augmentation kernels.
struct ImageBatch {
    var pixels: [Float]
    let count: Int
    let channels: Int
    let height: Int
    let width: Int

    var plane: Int { height * width }
    var imageSize: Int { channels * height * width }

    /// Checks `images` is `[n, c, h, w]` of a float dtype and copies it as float32.
    /// Throws `shapeMismatch` naming the shape for another rank, `dtype` for integer or bool pixels.
    init(_ images: Tensor, operation: String) throws {
        guard images.rank == 4 else {
            throw TensorError(.shapeMismatch, operation, "images of shape \(formatShape(images.shape)) are not "
                              + "[n, channels, height, width]")
        }
        guard images.dtype.isFloatingPoint else {
            throw TensorError(.dtype, operation, "images must be float32 or float64, got \(images.dtype)")
        }
        count = images.shape[0]
        channels = images.shape[1]
        height = images.shape[2]
        width = images.shape[3]
        pixels = images.astype(.float32).scalars(as: Float.self)
    }

    init(count: Int, channels: Int, height: Int, width: Int) {
        (self.count, self.channels, self.height, self.width) = (count, channels, height, width)
        pixels = [Float](repeating: 0, count: count * channels * height * width)
    }

    var tensor: Tensor {
        // The count matches the shape by construction.
        try! Tensor(shape: [count, channels, height, width], scalars: pixels)
    }

    /// Runs `body(image, pixels of that image)` for every image, in parallel. Each call writes only its own image.
    mutating func forEachImage(_ body: @Sendable (Int, UnsafeMutablePointer<Float>) -> Void) {
        let size = imageSize, total = count
        guard total > 0, size > 0 else { return }
        pixels.withUnsafeMutableBufferPointer { buffer in
            let base = SharedPixels(base: buffer.baseAddress!)
            let tasks = Swift.min(total, Swift.max(1, Threads.count))
            if tasks == 1 || total * size < 16_384 {
                for image in 0..<total { body(image, base.base + image * size) }
                return
            }
            DispatchQueue.concurrentPerform(iterations: tasks) { task in
                for image in stride(from: task, to: total, by: tasks) { body(image, base.base + image * size) }
            }
        }
    }

    /// Requires `values` to hold one entry per image.
    func checkPerImage(_ given: Int, _ what: String, operation: String) throws {
        guard given == count else {
            throw TensorError(.shapeMismatch, operation, "\(given) \(what) for \(count) images")
        }
    }

    /// Requires 1 or 3 channels (grey or RGB), as torchvision's colour transforms.
    func checkColor(operation: String) throws {
        guard channels == 1 || channels == 3 else {
            throw TensorError(.shapeMismatch, operation, "images of shape \(formatShape([count, channels, height, width]))"
                              + " have \(channels) channels; colour transforms need 1 (grey) or 3 (RGB)")
        }
    }
}

/// A raw pointer shared by parallel tasks that write disjoint parts of one buffer.
struct SharedPixels: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
}

extension RandomGenerator {
    /// `count` uniform draws in [0, 1), as doubles.
    mutating func uniforms(_ count: Int) -> [Double] {
        guard count > 0 else { return [] }
        // The shape is valid and the bounds ordered: it cannot throw.
        return try! uniform([count]).scalars(as: Double.self)
    }

    /// `count` coin flips, each true with `probability`.
    mutating func coins(_ count: Int, probability: Double) -> [Bool] {
        uniforms(count).map { $0 < probability }
    }
}

/// Checks a probability argument.
func checkProbability(_ probability: Double, operation: String) throws {
    guard (0...1).contains(probability) else {
        throw TensorError(.invalidArgument, operation, "probability must lie in [0, 1], got \(probability)")
    }
}
