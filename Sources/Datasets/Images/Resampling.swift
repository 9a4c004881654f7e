import Dispatch
import Foundation
import Synchronization
import Tensors

/// Pillow's resampling coefficients along one axis (ImagingResample's `precompute_coeffs`, which torchvision's
/// `antialias=True` also follows): output sample `i` sits at input coordinate `center = (i + 0.5) · scale`, with
/// `scale = inputSize / outputSize`, and is a weighted mean of the input samples within `support` of it, each
/// weighted by the triangle (bilinear) filter `max(0, 1 - |x|)` evaluated at `(j + 0.5 - center) / filterScale`.
/// When shrinking with antialiasing `filterScale = scale`, so the triangle widens to cover every input sample the
/// output sample stands for; otherwise `filterScale = 1`, plain bilinear interpolation between the two nearest
/// samples (align_corners = false). Weights are normalised to sum to 1, which also handles the borders.
struct ResampleAxis: Sendable {
    /// First input index for each output index in `outputRange` (in order).
    let starts: [Int]
    /// Number of input samples for each output index.
    let counts: [Int]
    /// `counts[o]` weights for output `o`, at `o * stride`.
    let weights: [Double]
    let stride: Int

    var outputCount: Int { starts.count }
    /// The input indices any output index needs.
    var inputRange: Range<Int> {
        guard let first = starts.first else { return 0..<0 }
        return first..<zip(starts, counts).map { $0 + $1 }.max()!
    }

    init(inputSize: Int, outputSize: Int, antialias: Bool, outputRange: Range<Int>? = nil) {
        precondition(inputSize > 0 && outputSize > 0, "internal: resampling an empty axis")
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = antialias ? Swift.max(scale, 1) : 1
        let support = filterScale  // the triangle filter's support is 1
        stride = Int(support.rounded(.up)) * 2 + 1
        let range = outputRange ?? 0..<outputSize
        var starts: [Int] = [], counts: [Int] = []
        var weights = [Double](repeating: 0, count: range.count * stride)
        starts.reserveCapacity(range.count)
        counts.reserveCapacity(range.count)
        for (row, output) in range.enumerated() {
            let center = (Double(output) + 0.5) * scale
            // Int(_:) truncates towards zero, as Pillow's C cast does; the two differ from floor only below 0,
            // where the clamp to 0 follows anyway.
            let first = Swift.max(Int(center - support + 0.5), 0)
            let end = Swift.min(Int(center + support + 0.5), inputSize)
            var total = 0.0
            for index in first..<end {
                let x = (Double(index) - center + 0.5) / filterScale
                let weight = Swift.max(0, 1 - Swift.abs(x))
                weights[row * stride + index - first] = weight
                total += weight
            }
            if total != 0 {
                for index in first..<end { weights[row * stride + index - first] /= total }
            }
            starts.append(first)
            counts.append(end - first)
        }
        self.starts = starts
        self.counts = counts
        self.weights = weights
    }

    /// Weights converted to the sample type once, so the inner loops stay in it.
    func weights<T: BinaryFloatingPoint>(as _: T.Type) -> [T] { weights.map { T($0) } }
}

/// The separable resampling kernels, on raw interleaved samples. Rows first (along width), then columns, as Pillow.
enum ResampleKernels {
    /// For each input row in `rows` (of `inputWidth × channels` samples at `input + row * inputWidth * channels`),
    /// writes `axis.outputCount × channels` samples at `output + (row - rows.lowerBound) * rowLength`.
    @inline(__always)
    static func horizontal<T: BinaryFloatingPoint>(
        _ input: UnsafePointer<T>, rows: Range<Int>, inputWidth: Int, channels: Int, axis: ResampleAxis,
        weights: UnsafePointer<T>, into output: UnsafeMutablePointer<T>
    ) {
        let outputRowLength = axis.outputCount * channels
        axis.starts.withUnsafeBufferPointer { starts in
            axis.counts.withUnsafeBufferPointer { counts in
                for row in rows {
                    let source = input + row * inputWidth * channels
                    let destination = output + (row - rows.lowerBound) * outputRowLength
                    for column in 0..<starts.count {
                        let taps = counts[column]
                        let window = source + starts[column] * channels
                        let columnWeights = weights + column * axis.stride
                        let target = destination + column * channels
                        // The common channel counts get their own loops, with every channel's sum in a register.
                        switch channels {
                        case 1:
                            var sum: T = 0
                            for tap in 0..<taps { sum += columnWeights[tap] * window[tap] }
                            target[0] = sum
                        case 3:
                            var red: T = 0, green: T = 0, blue: T = 0
                            for tap in 0..<taps {
                                let weight = columnWeights[tap], pixel = window + tap * 3
                                red += weight * pixel[0]
                                green += weight * pixel[1]
                                blue += weight * pixel[2]
                            }
                            target[0] = red
                            target[1] = green
                            target[2] = blue
                        default:
                            for channel in 0..<channels {
                                var sum: T = 0
                                for tap in 0..<taps { sum += columnWeights[tap] * window[tap * channels + channel] }
                                target[channel] = sum
                            }
                        }
                    }
                }
            }
        }
    }

    /// For each output row index in `outputRows` (indices into `axis`), writes the weighted sum of input rows of
    /// `rowLength` samples (input row `r` at `input + (r - inputOffset) * rowLength`) to
    /// `output + (o - outputRows.lowerBound) * rowLength`.
    @inline(__always)
    static func vertical<T: BinaryFloatingPoint>(
        _ input: UnsafePointer<T>, inputOffset: Int, rowLength: Int, axis: ResampleAxis, outputRows: Range<Int>,
        weights: UnsafePointer<T>, into output: UnsafeMutablePointer<T>
    ) {
        for outputRow in outputRows {
            let start = axis.starts[outputRow], count = axis.counts[outputRow]
            let rowWeights = weights + outputRow * axis.stride
            let destination = output + (outputRow - outputRows.lowerBound) * rowLength
            let first = input + (start - inputOffset) * rowLength
            let firstWeight = rowWeights[0]
            for x in 0..<rowLength { destination[x] = firstWeight * first[x] }
            for tap in 1..<Swift.max(count, 1) {
                let source = input + (start + tap - inputOffset) * rowLength
                let weight = rowWeights[tap]
                for x in 0..<rowLength { destination[x] += weight * source[x] }
            }
        }
    }

    /// Resamples one contiguous `[height, width, channels]` image to the `rows × columns` window of its resized
    /// version that `verticalAxis` and `horizontalAxis` describe (their output ranges), on the calling thread.
    /// `scratch` holds the intermediate rows.
    static func resampleImage<T: BinaryFloatingPoint>(
        _ input: UnsafePointer<T>, height: Int, width: Int, channels: Int,
        verticalAxis: ResampleAxis, horizontalAxis: ResampleAxis,
        verticalWeights: [T], horizontalWeights: [T], scratch: inout [T], into output: UnsafeMutablePointer<T>
    ) {
        let neededRows = verticalAxis.inputRange
        let rowLength = horizontalAxis.outputCount * channels
        if scratch.count < neededRows.count * rowLength {
            scratch = [T](repeating: 0, count: neededRows.count * rowLength)
        }
        scratch.withUnsafeMutableBufferPointer { intermediate in
            horizontalWeights.withUnsafeBufferPointer { weights in
                horizontal(input, rows: neededRows, inputWidth: width, channels: channels, axis: horizontalAxis,
                           weights: weights.baseAddress!, into: intermediate.baseAddress!)
            }
            verticalWeights.withUnsafeBufferPointer { weights in
                vertical(intermediate.baseAddress!, inputOffset: neededRows.lowerBound, rowLength: rowLength,
                         axis: verticalAxis, outputRows: 0..<verticalAxis.outputCount,
                         weights: weights.baseAddress!, into: output)
            }
        }
    }
}

/// A pointer handed to the workers of a parallel loop; every worker writes a disjoint part.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}

enum ImageParallel {
    /// Runs `body` for each index in `0..<count` on up to `Threads.count` threads, each taking the next index when
    /// done, so uneven items (images of different sizes) balance. Throws `cancelled` when a stop was requested.
    static func forEach(_ count: Int, operation: String, _ body: @Sendable (Int) -> Void) throws {
        let threads = Swift.min(Threads.count, count)
        if threads <= 1 {
            for index in 0..<count {
                try Cancellation.check(operation)
                body(index)
            }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while !Cancellation.isRequested {
                let index = next.add(1, ordering: .relaxed).oldValue
                if index >= count { return }
                body(index)
            }
        }
        try Cancellation.check(operation)
    }

    /// Splits `0..<count` into about `4 × Threads.count` contiguous ranges and runs them in parallel when
    /// `count * cost` is large enough to pay for the threads.
    static func forRanges(_ count: Int, cost: Int, operation: String, _ body: @Sendable (Range<Int>) -> Void) throws {
        if count == 0 { return }
        let threads = Threads.count
        if threads <= 1 || count * Swift.max(cost, 1) < 1 << 15 {
            try Cancellation.check(operation)
            body(0..<count)
            return
        }
        let chunks = Swift.min(count, threads * 4)
        try forEach(chunks, operation: operation) { chunk in
            body((chunk * count / chunks)..<((chunk + 1) * count / chunks))
        }
    }
}
