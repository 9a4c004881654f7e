import Tensors

/// Images as the feature bank reads them: checked, resampled to the bank's square resolution and split into
/// luminance and colour.
struct PreparedImages {
    let count: Int
    let resolution: Int
    /// Luminance `0.299 R + 0.587 G + 0.114 B` (the single channel of grey images), `[n, R, R]` float32, row 0 at
    /// the top of the image.
    let luminance: Tensor
    /// Red, green and blue, `[3, n, R, R]` float32 (grey images repeat their channel); nil-free so that category
    /// statistics can read chromaticity.
    let colour: [Tensor]
    /// Whether the images carried colour (3 or 4 channels).
    let hasColour: Bool

    /// Checks `images` `[n, height, width, channels]` (channels 1, 3 or 4; alpha ignored; values in [0, 1] expected,
    /// not required) and resamples every channel to `resolution × resolution` (area averaging when shrinking, linear
    /// interpolation when enlarging; non-square images are stretched, as a stimulus filling the display would be).
    /// Throws `SimulationError(operation, …)` for another rank, no images, another channel count, a side shorter than
    /// 4 pixels or non-finite values.
    init(_ images: Tensor, resolution: Int, operation: String) throws {
        guard images.rank == 4, [1, 3, 4].contains(images.shape[3]) else {
            throw SimulationError(operation, "images must be [n, height, width, channels] with 1, 3 or 4 channels, "
                                  + "got shape \(formatShape(images.shape))")
        }
        let n = images.shape[0], height = images.shape[1], width = images.shape[2], channels = images.shape[3]
        guard n >= 1 else { throw SimulationError(operation, "no images: got shape \(formatShape(images.shape))") }
        guard height >= 4, width >= 4 else {
            throw SimulationError(operation, "images must be at least 4 × 4 pixels, got shape \(formatShape(images.shape))")
        }
        let values = images.astype(.float32).contiguous()
        guard try values.isFinite().all().item() != 0 else {
            throw SimulationError(operation, "images contain non-finite values")
        }
        count = n
        self.resolution = resolution
        hasColour = channels >= 3
        let rows = try Tensor(shape: [resolution, height], scalars: PreparedImages.resampling(from: height, to: resolution))
        // [w, R]: the transpose of the [R, w] resampling of the width.
        let columns = try Tensor(shape: [resolution, width],
                                 scalars: PreparedImages.resampling(from: width, to: resolution)).transposed()
        var planes = [Tensor]()
        for channel in 0..<(hasColour ? 3 : 1) {
            let plane = try values.get([.all, .all, .all, .index(channel)])
            // [R, h] @ [n, h, w] @ [w, R] → [n, R, R]
            planes.append(try Tensor.matmul(try Tensor.matmul(rows, plane), columns))
        }
        colour = hasColour ? planes : [planes[0], planes[0], planes[0]]
        if hasColour {
            luminance = try (try (planes[0] * 0.299) + (try planes[1] * 0.587)) + (try planes[2] * 0.114)
        } else {
            luminance = planes[0]
        }
    }

    /// The `[to, from]` matrix that resamples a signal of `from` samples to `to` samples over the same extent:
    /// each output sample averages the input samples its interval overlaps (weighted by the overlap) when shrinking,
    /// and interpolates linearly between the two nearest input samples when enlarging.
    static func resampling(from: Int, to: Int) -> [Float] {
        var matrix = [Float](repeating: 0, count: to * from)
        let ratio = Double(from) / Double(to)
        for output in 0..<to {
            if from >= to {
                let start = Double(output) * ratio, end = start + ratio
                var input = Int(start)
                while Double(input) < end && input < from {
                    let overlap = Swift.min(end, Double(input + 1)) - Swift.max(start, Double(input))
                    if overlap > 0 { matrix[output * from + input] += Float(overlap / ratio) }
                    input += 1
                }
            } else {
                let position = Swift.min(Swift.max((Double(output) + 0.5) * ratio - 0.5, 0), Double(from - 1))
                let low = Int(position), high = Swift.min(low + 1, from - 1)
                let fraction = position - Double(low)
                matrix[output * from + low] += Float(1 - fraction)
                matrix[output * from + high] += Float(fraction)
            }
        }
        return matrix
    }
}
