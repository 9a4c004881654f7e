import Datasets
import Simulation
import Tensors
import Testing

/// The DFT against the naive sum, and phase scrambling's promises: amplitude spectrum and mean kept, structure gone.
@Suite struct StimulusFourierTests {
    /// X[k] = Σ_j x[j] exp(∓2πi jk/n), the textbook sum (with 1/n for the inverse).
    static func naiveDFT(_ real: [Double], _ imaginary: [Double], inverse: Bool) -> ([Double], [Double]) {
        let n = real.count
        var outReal = [Double](repeating: 0, count: n), outImaginary = outReal
        let sign = inverse ? 1.0 : -1.0
        for k in 0..<n {
            for j in 0..<n {
                let angle = sign * 2 * Double.pi * Double((j * k) % n) / Double(n)
                outReal[k] += real[j] * cos(angle) - imaginary[j] * sin(angle)
                outImaginary[k] += real[j] * sin(angle) + imaginary[j] * cos(angle)
            }
            if inverse { outReal[k] /= Double(n); outImaginary[k] /= Double(n) }
        }
        return (outReal, outImaginary)
    }

    static func randomValues(_ count: Int, seed: UInt64) throws -> [Double] {
        try Tensor.randomNormal([count], seed: seed, dtype: .float64).scalars(as: Double.self)
    }

    @Test(arguments: Array(0...40) + [45, 63, 64, 100, 127, 128, 175, 224, 256])
    func oneDimensionalTransformMatchesTheNaiveSum(_ n: Int) throws {
        let real = try Self.randomValues(n, seed: UInt64(n)), imaginary = try Self.randomValues(n, seed: UInt64(n) + 1000)
        for inverse in [false, true] {
            var fastReal = real, fastImaginary = imaginary
            FourierTransform.transform(real: &fastReal, imaginary: &fastImaginary, inverse: inverse)
            let (slowReal, slowImaginary) = Self.naiveDFT(real, imaginary, inverse: inverse)
            let scale = inverse ? 1.0 : Double(Swift.max(n, 1)).squareRoot()
            for k in 0..<n {
                #expect(abs(fastReal[k] - slowReal[k]) < 1e-10 * scale * 10, "n \(n) k \(k) inverse \(inverse)")
                #expect(abs(fastImaginary[k] - slowImaginary[k]) < 1e-10 * scale * 10, "n \(n) k \(k) inverse \(inverse)")
            }
        }
        // Forward then inverse returns the input.
        var roundReal = real, roundImaginary = imaginary
        FourierTransform.transform(real: &roundReal, imaginary: &roundImaginary)
        FourierTransform.transform(real: &roundReal, imaginary: &roundImaginary, inverse: true)
        for k in 0..<n {
            #expect(abs(roundReal[k] - real[k]) < 1e-12 && abs(roundImaginary[k] - imaginary[k]) < 1e-12)
        }
    }

    @Test(arguments: [(1, 1), (1, 5), (2, 3), (5, 7), (8, 8), (6, 10), (16, 12), (25, 25), (32, 17)])
    func twoDimensionalTransformMatchesTheNaiveDoubleSum(_ height: Int, _ width: Int) throws {
        let values = try Self.randomValues(height * width, seed: UInt64(height * 100 + width))
        let fast = FourierTransform.forward2D(values, height: height, width: width)
        for u in 0..<height {
            for v in 0..<width {
                var real = 0.0, imaginary = 0.0
                for row in 0..<height {
                    for column in 0..<width {
                        let angle = -2 * Double.pi * (Double(u * row) / Double(height) + Double(v * column) / Double(width))
                        real += values[row * width + column] * cos(angle)
                        imaginary += values[row * width + column] * sin(angle)
                    }
                }
                #expect(abs(fast.real[u * width + v] - real) < 1e-9, "(\(u), \(v)) of \(height) × \(width)")
                #expect(abs(fast.imaginary[u * width + v] - imaginary) < 1e-9, "(\(u), \(v)) of \(height) × \(width)")
            }
        }
    }

    /// Amplitude spectrum of each channel of image `index`.
    static func amplitudes(_ images: Tensor, _ index: Int) -> [[Double]] {
        let height = images.shape[1], width = images.shape[2], channels = images.shape[3]
        let pixels = StimulusTestSupport.image(images, index)
        return (0..<channels).map { channel in
            let plane = (0..<(height * width)).map { pixels[$0 * channels + channel] }
            let spectrum = FourierTransform.forward2D(plane, height: height, width: width)
            return zip(spectrum.real, spectrum.imaginary).map { ($0 * $0 + $1 * $1).squareRoot() }
        }
    }

    @Test(arguments: [16, 25, 32, 48])
    func exactScramblingKeepsTheAmplitudeSpectrumAndMeanAndDestroysStructure(_ size: Int) throws {
        let count = 12
        let originals = try Stimuli.faces(count: count, size: size, seed: 5).stimuli
        let scrambled = try Stimuli.scrambled(originals, seed: 9, range: .exact)
        #expect(scrambled.shape == originals.shape && scrambled.dtype == .float32)
        var pixelCorrelations = [Double](), edgeCorrelations = [Double]()
        for index in 0..<count {
            let before = Self.amplitudes(originals, index), after = Self.amplitudes(scrambled, index)
            for channel in 0..<3 {
                let largest = before[channel].max()!
                let worst = zip(before[channel], after[channel]).map { abs($0 - $1) }.max()!
                // Float32 storage of the result bounds the agreement; relative to the spectrum's peak (the mean × pixels).
                #expect(worst / largest < 1e-4, "image \(index) channel \(channel): amplitude differs by \(worst / largest)")
            }
            let original = StimulusTestSupport.image(originals, index), result = StimulusTestSupport.image(scrambled, index)
            let meanBefore: Double = original.reduce(0, +) / Double(original.count)
            let meanAfter: Double = result.reduce(0, +) / Double(result.count)
            #expect(abs(meanBefore - meanAfter) < 1e-5)
            pixelCorrelations.append(StimulusTestSupport.pearson(original, result))
            // Edges: horizontal gradients of the gray images.
            func edges(_ pixels: [Double]) -> [Double] {
                StimulusTestSupport.gradients(StimulusTestSupport.gray(pixels, channels: 3), side: size).map(\.x)
            }
            edgeCorrelations.append(StimulusTestSupport.pearson(edges(original), edges(result)))
        }
        // A single image's pixel correlation can be large by chance, since a few low frequencies hold most of the
        // energy; over images it averages out, and edges (spread over many frequencies) are not kept at all.
        let meanPixel = pixelCorrelations.reduce(0, +) / Double(count)
        let meanEdge = edgeCorrelations.map { abs($0) }.reduce(0, +) / Double(count)
        #expect(abs(meanPixel) < 0.2, "pixel correlations \(pixelCorrelations)")
        #expect(meanEdge < 0.25, "edge correlations \(edgeCorrelations) (1 for an intact image)")
    }

    @Test func fittedScramblingStaysInRangeKeepsTheMeanAndTheSpectrumsShape() throws {
        let originals = try Stimuli.words(count: 4, size: 32, seed: 1).stimuli
        let exact = try Stimuli.scrambled(originals, seed: 3, range: .exact)
        let fitted = try Stimuli.scrambled(originals, seed: 3, range: .fitted)
        let clipped = try Stimuli.scrambled(originals, seed: 3, range: .clipped)
        #expect(fitted.scalars(as: Float.self).allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(clipped.scalars(as: Float.self).allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(exact.scalars(as: Float.self).contains { $0 > 1 || $0 < 0 }, "words on a light page overflow [0, 1]")
        for index in 0..<4 {
            let original = StimulusTestSupport.image(originals, index), result = StimulusTestSupport.image(fitted, index)
            let sumBefore: Double = original.reduce(0, +), sumAfter: Double = result.reduce(0, +)
            #expect(abs(sumBefore - sumAfter) / Double(original.count) < 1e-5)
            // Non-zero frequencies are scaled by one common factor < 1.
            let before = Self.amplitudes(exact, index)[0], after = Self.amplitudes(fitted, index)[0]
            let ratios = (1..<before.count).filter { before[$0] > 1e-3 * before[0] }.map { after[$0] / before[$0] }
            #expect(ratios.max()! - ratios.min()! < 1e-3 && ratios.max()! < 1, "ratios \(ratios.min()!)…\(ratios.max()!)")
        }
    }

    @Test func scramblingIsSeededPerImageAndSharedAcrossChannels() throws {
        let originals = try Stimuli.places(count: 3, size: 16, seed: 2).stimuli
        let a = try Stimuli.scrambled(originals, seed: 4), b = try Stimuli.scrambled(originals, seed: 4)
        let c = try Stimuli.scrambled(originals, seed: 5)
        #expect(a.scalars(as: Float.self) == b.scalars(as: Float.self))
        #expect(a.scalars(as: Float.self) != c.scalars(as: Float.self))
        // A gray image stays gray: the same phases for every channel.
        let gray = try Stimuli.gratings(count: 2, size: 16, seed: 1).stimuli
        let scrambledGray = try Stimuli.scrambled(gray, seed: 1, range: .exact).scalars(as: Float.self)
        for pixel in stride(from: 0, to: scrambledGray.count, by: 3) {
            #expect(abs(scrambledGray[pixel] - scrambledGray[pixel + 1]) < 1e-6)
        }
        // Rank-3 input (gray [n, h, w]) keeps its shape.
        let flat = try Stimuli.scrambled(try Tensor.randomUniform([2, 8, 6], seed: 1), seed: 0, range: .exact)
        #expect(flat.shape == [2, 8, 6])
    }

    @Test func scrambledSetsRecordTheirSources() throws {
        let set = try Stimuli.scrambled(try Stimuli.bodies(count: 2, size: 16, seed: 0), seed: 1)
        #expect(try set.metadata["category"].strings == ["scrambled", "scrambled"])
        #expect(try set.metadata["kind"].strings == ["body", "body"])
    }

    @Test func scramblingErrorsNameTheProblem() throws {
        #expect(throws: SimulationError("stimuli.scrambled", "images must be [n, height, width, channels] or [n, height, width], got shape [4, 4]")) {
            try Stimuli.scrambled(try Tensor.zeros([4, 4]))
        }
        #expect(throws: SimulationError("stimuli.scrambled", "images of shape [1, 0, 4, 3] have no pixels")) {
            try Stimuli.scrambled(try Tensor.zeros([1, 0, 4, 3]))
        }
        #expect(throws: SimulationError("stimuli.scrambled", "images have a non-finite value (nan) at flat index 0")) {
            try Stimuli.scrambled(try Tensor(shape: [1, 1, 1], scalars: [Double.nan]))
        }
        #expect(throws: SimulationError("stimuli.scrambled", "image 0 channel 0 has mean 2.0, outside [0, 1]: its contrast cannot be fitted into [0, 1]; use range \"exact\" or \"clipped\"")) {
            try Stimuli.scrambled(try Tensor.full([1, 2, 2], value: 2.0))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
