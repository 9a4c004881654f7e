import Datasets
import Dispatch
import Tensors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Stimuli {
    /// What `scrambled` does with values that the new phases push outside [0, 1].
    public enum ScrambleRange: String, Sendable, CaseIterable {
        /// Nothing: the amplitude spectrum (and so the mean) is kept exactly; values may leave [0, 1].
        case exact
        /// Clip to [0, 1]: the usual practice; the spectrum changes slightly where values were clipped.
        case clipped
        /// Shrink the image's contrast about each channel's mean (one factor per image, ≤ 1) just enough to fit
        /// [0, 1]: the mean luminance is kept exactly and the amplitude spectrum up to that one factor.
        case fitted
    }

    /// Phase-scrambled images (Fourier phase randomisation; e.g. Näsänen 1999, Sadr & Sinha 2004): each image's
    /// 2-D Fourier amplitude spectrum is kept and its phases are rotated by a random phase field, the same for every
    /// channel, so colour and spatial-frequency content stay and shape and edges are destroyed.
    ///
    /// Per image and channel: `F = DFT2(x)`, `y = real(IDFT2(F · exp(iφ)))`, where φ is the phase of the DFT of
    /// white noise, made exactly odd (φ(−k) = −φ(k), so y is real) and 0 at the zero frequency (so the mean is kept).
    /// Then `range` handles values outside [0, 1].
    ///
    /// - Parameters: `images` `[n, h, w, c]` or `[n, h, w]` (any real dtype; h, w ≥ 1, any sizes); `seed` draws φ
    ///   (image i's phases depend only on seed and i); `range` (default `.fitted`).
    /// - Returns: float32 of the same shape.
    /// - Throws: `SimulationError` (`stimuli.scrambled`) for another rank, an empty image, a non-finite value, a
    ///   boolean tensor, or with `.fitted` a channel whose mean lies outside [0, 1].
    public static func scrambled(_ images: Tensor, seed: UInt64 = 0, range: ScrambleRange = .fitted) throws -> Tensor {
        let operation = "stimuli.scrambled"
        guard images.rank == 3 || images.rank == 4 else {
            throw SimulationError(operation, "images must be [n, height, width, channels] or [n, height, width], got "
                                  + "shape \(formatShape(images.shape))")
        }
        guard images.dtype != .bool else { throw SimulationError(operation, "images must be numbers, got a bool tensor") }
        let count = images.shape[0], height = images.shape[1], width = images.shape[2]
        let channels = images.rank == 4 ? images.shape[3] : 1
        guard height > 0, width > 0, channels > 0 else {
            throw SimulationError(operation, "images of shape \(formatShape(images.shape)) have no pixels")
        }
        let values = images.astype(.float64).scalars(as: Double.self)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw SimulationError(operation, "images have a non-finite value (\(values[bad])) at flat index \(bad)")
        }
        let perImage = height * width * channels
        var output = [Float](repeating: 0, count: values.count)
        let failure = FirstFailure()
        output.withUnsafeMutableBufferPointer { buffer in
            let base = UncheckedPointer(buffer.baseAddress!)
            let workers = Swift.max(1, Swift.min(Threads.count, count))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var index = worker
                while index < count {
                    if Cancellation.isRequested { failure.record(TensorError(.cancelled, operation, "interrupted")); return }
                    let source = Array(values[(index * perImage)..<((index + 1) * perImage)])
                    do {
                        let result = try scrambleImage(source, height: height, width: width, channels: channels,
                                                       seed: seed, index: index, range: range)
                        for offset in 0..<perImage { base.pointer[index * perImage + offset] = Float(result[offset]) }
                    } catch {
                        failure.record(error)
                        return
                    }
                    index += workers
                }
            }
        }
        if let error = failure.error { throw error }
        return try Tensor(shape: images.shape, scalars: output)
    }

    /// Phase-scrambled copies of a stimulus set: images as `scrambled(_:seed:range:)`; metadata `category`
    /// ("scrambled"), `kind` (the source image's category, or "image" when the set has no category column),
    /// `source` (index in the original set).
    /// - Throws: as `scrambled(_:seed:range:)`.
    public static func scrambled(_ set: StimulusSet, seed: UInt64 = 0, range: ScrambleRange = .fitted) throws -> StimulusSet {
        let images = try scrambled(set.stimuli, seed: seed, range: range)
        var kinds = [String](repeating: "image", count: set.count)
        if set.metadata.columns.contains("category"), let categories = try set.metadata["category"].strings {
            kinds = categories
        }
        let table = try Table([("category", .text([String](repeating: "scrambled", count: set.count))),
                               ("kind", .text(kinds)), ("source", .numeric(Tensor((0..<set.count).map(Double.init))))])
        return try StimulusSet(stimuli: images, metadata: table)
    }

    /// One image `[h, w, c]` (row-major, channels last) scrambled with the phase field of stream (seed, index).
    ///
    /// Two real planes share one complex transform: DFT(a + i·b) = A + i·B, and because the phase rotation keeps
    /// each plane's spectrum conjugate-symmetric, IDFT((A + i·B)·exp(iφ)) = a' + i·b' with a', b' the two scrambled
    /// planes. One plan (tables and scratch) serves every transform of the image.
    static func scrambleImage(_ image: [Double], height: Int, width: Int, channels: Int, seed: UInt64, index: Int,
                              range: ScrambleRange) throws -> [Double] {
        let pixels = height * width
        let plan = FourierPlan2D(height: height, width: width)
        var random = StimulusRandom(seed: seed, stream: "scramble", index: index)
        var means = [Double](repeating: 0, count: channels)
        for channel in 0..<channels {
            means[channel] = (0..<pixels).reduce(0) { $0 + image[$1 * channels + channel] } / Double(pixels)
        }
        func mirror(_ bin: Int) -> Int {
            let row = bin / width, column = bin % width
            return ((height - row) % height) * width + (width - column) % width
        }
        // Pairs of channels, the last one alone when the count is odd.
        let pairs = stride(from: 0, to: channels, by: 2).map { ($0, $0 + 1 < channels ? $0 + 1 : nil) }
        var spectra = [(real: [Double], imaginary: [Double])]()
        for (first, second) in pairs {
            var real = (0..<pixels).map { image[$0 * channels + first] }
            var imaginary = second.map { plane in (0..<pixels).map { image[$0 * channels + plane] } }
                ?? [Double](repeating: 0, count: pixels)
            plan.transform(real: &real, imaginary: &imaginary, inverse: false)
            spectra.append((real, imaginary))
        }
        // The noise: its own transform (a real plane; its phase is what matters).
        var noiseReal = (0..<pixels).map { _ in random.normal() }, noiseImaginary = [Double](repeating: 0, count: pixels)
        plan.transform(real: &noiseReal, imaginary: &noiseImaginary, inverse: false)
        // The phase of real noise is odd up to rounding; averaging with the mirrored bin makes it odd exactly, and
        // zero on the self-mirrored bins (the mean and the Nyquist frequencies), which therefore stay real.
        var rotationReal = [Double](repeating: 1, count: pixels), rotationImaginary = [Double](repeating: 0, count: pixels)
        for bin in 0..<pixels {
            let other = mirror(bin)
            let phase = (atan2(noiseImaginary[bin], noiseReal[bin]) - atan2(noiseImaginary[other], noiseReal[other])) / 2
            rotationReal[bin] = cos(phase)
            rotationImaginary[bin] = sin(phase)
        }
        var result = [Double](repeating: 0, count: image.count)
        for (pairIndex, (first, second)) in pairs.enumerated() {
            var (real, imaginary) = spectra[pairIndex]
            for bin in 0..<pixels {
                let r = real[bin] * rotationReal[bin] - imaginary[bin] * rotationImaginary[bin]
                imaginary[bin] = real[bin] * rotationImaginary[bin] + imaginary[bin] * rotationReal[bin]
                real[bin] = r
            }
            plan.transform(real: &real, imaginary: &imaginary, inverse: true)
            for pixel in 0..<pixels {
                result[pixel * channels + first] = real[pixel]
                if let second { result[pixel * channels + second] = imaginary[pixel] }
            }
        }
        switch range {
        case .exact: break
        case .clipped:
            for offset in result.indices { result[offset] = Swift.min(1, Swift.max(0, result[offset])) }
        case .fitted:
            if let channel = means.firstIndex(where: { $0 < 0 || $0 > 1 }) {
                throw SimulationError("stimuli.scrambled", "image \(index) channel \(channel) has mean \(means[channel]), "
                                      + "outside [0, 1]: its contrast cannot be fitted into [0, 1]; use range \"exact\" "
                                      + "or \"clipped\"")
            }
            var factor = 1.0
            for offset in result.indices {
                let mean = means[offset % channels], deviation = result[offset] - mean
                if deviation > 0, mean + deviation > 1 { factor = Swift.min(factor, (1 - mean) / deviation) }
                if deviation < 0, mean + deviation < 0 { factor = Swift.min(factor, mean / -deviation) }
            }
            if factor < 1 {
                for offset in result.indices {
                    let mean = means[offset % channels]
                    result[offset] = Swift.min(1, Swift.max(0, mean + (result[offset] - mean) * factor))
                }
            }
        }
        return result
    }
}
