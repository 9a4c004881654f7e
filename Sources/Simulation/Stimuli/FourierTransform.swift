#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Discrete Fourier transforms of any length, for phase scrambling (Tensors has no FFT).
///
/// Forward: `X[k] = Σ_j x[j] · exp(−2πi·jk/n)`; inverse: `x[j] = (1/n) Σ_k X[k] · exp(+2πi·jk/n)` (numpy's
/// `fft`/`ifft` conventions). Power-of-two lengths use an iterative radix-2 Cooley–Tukey FFT; other lengths use
/// Bluestein's chirp-z algorithm over a power-of-two FFT, so every length costs O(n log n) and agrees with the
/// naive sum to rounding error.
public enum FourierTransform {
    /// The 1-D DFT of the complex sequence (`real`, `imaginary`) in place; `inverse` applies the inverse transform
    /// (with the 1/n factor). Both arrays must have the same length (an internal precondition); length 0 and 1 are
    /// returned unchanged.
    public static func transform(real: inout [Double], imaginary: inout [Double], inverse: Bool = false) {
        precondition(real.count == imaginary.count, "internal: real and imaginary parts differ in length")
        FourierPlan(length: real.count).transform(real: &real, imaginary: &imaginary, inverse: inverse)
    }

    /// The 2-D DFT of a real image `values` (row-major `[height, width]`): the full complex spectrum, row-major
    /// `[height, width]` (frequency (0, 0) first), as numpy's `fft2`. Requires `values.count == height * width`.
    public static func forward2D(_ values: [Double], height: Int, width: Int) -> (real: [Double], imaginary: [Double]) {
        precondition(values.count == height * width && height >= 0 && width >= 0, "internal: image size")
        var real = values, imaginary = [Double](repeating: 0, count: values.count)
        transform2D(real: &real, imaginary: &imaginary, height: height, width: width, inverse: false)
        return (real, imaginary)
    }

    /// The 2-D DFT (or inverse, with the 1/(height·width) factor) of a complex `[height, width]` array in place.
    public static func transform2D(real: inout [Double], imaginary: inout [Double], height: Int, width: Int,
                                   inverse: Bool) {
        precondition(real.count == height * width && imaginary.count == real.count, "internal: image size")
        guard height > 0, width > 0 else { return }
        FourierPlan2D(height: height, width: width).transform(real: &real, imaginary: &imaginary, inverse: inverse)
    }
}

/// The plans and scratch rows of 2-D transforms of one size: rows, then columns. Not shared between threads (the
/// scratch is reused); make one per thread.
final class FourierPlan2D {
    let height: Int, width: Int
    private let rowPlan: FourierPlan, columnPlan: FourierPlan
    private var scratchReal: [Double], scratchImaginary: [Double]

    init(height: Int, width: Int) {
        self.height = height
        self.width = width
        rowPlan = FourierPlan(length: width)
        columnPlan = height == width ? rowPlan : FourierPlan(length: height)
        scratchReal = [Double](repeating: 0, count: Swift.max(height, width))
        scratchImaginary = scratchReal
    }

    func transform(real: inout [Double], imaginary: inout [Double], inverse: Bool) {
        precondition(real.count == height * width && imaginary.count == real.count, "internal: image size")
        guard height > 0, width > 0 else { return }
        let (height, width) = (self.height, self.width)
        real.withUnsafeMutableBufferPointer { realBuffer in
            imaginary.withUnsafeMutableBufferPointer { imaginaryBuffer in
                let re = realBuffer.baseAddress!, im = imaginaryBuffer.baseAddress!
                // Rows are contiguous: transform them where they are.
                for row in 0..<height {
                    rowPlan.transform(re + row * width, im + row * width, inverse: inverse)
                }
                scratchReal.withUnsafeMutableBufferPointer { columnRealBuffer in
                    scratchImaginary.withUnsafeMutableBufferPointer { columnImaginaryBuffer in
                        let columnRe = columnRealBuffer.baseAddress!, columnIm = columnImaginaryBuffer.baseAddress!
                        for column in 0..<width {
                            for row in 0..<height {
                                columnRe[row] = re[row * width + column]
                                columnIm[row] = im[row * width + column]
                            }
                            columnPlan.transform(columnRe, columnIm, inverse: inverse)
                            for row in 0..<height {
                                re[row * width + column] = columnRe[row]
                                im[row * width + column] = columnIm[row]
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The precomputed tables of one transform length: twiddle factors for a power of two, or Bluestein's chirp and the
/// transformed chirp filter (over a power-of-two plan of length ≥ 2n − 1) otherwise.
final class FourierPlan {
    let length: Int
    private let cosines: [Double], sines: [Double]       // exp(−2πik/n) = cos − i·sin, k < n/2 (radix-2)
    private let chirpReal: [Double], chirpImaginary: [Double]   // w[k] = exp(−iπk²/n) (Bluestein)
    private let filterReal: [Double], filterImaginary: [Double] // FFT of conj(w), wrapped to the padded length
    private let padded: FourierPlan?
    private var scratchReal: [Double] = [], scratchImaginary: [Double] = []   // Bluestein's padded sequence

    static func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }

    init(length: Int) {
        self.length = length
        if length <= 1 || FourierPlan.isPowerOfTwo(length) {
            let half = Swift.max(length / 2, 0)
            cosines = (0..<half).map { cos(2 * Double.pi * Double($0) / Double(length)) }
            sines = (0..<half).map { sin(2 * Double.pi * Double($0) / Double(length)) }
            (chirpReal, chirpImaginary, filterReal, filterImaginary, padded) = ([], [], [], [], nil)
            return
        }
        (cosines, sines) = ([], [])
        var m = 1
        while m < 2 * length - 1 { m <<= 1 }
        let plan = FourierPlan(length: m)
        // k² mod 2n keeps the chirp's angle exact for large k.
        let angles = (0..<length).map { k in Double.pi * Double((k * k) % (2 * length)) / Double(length) }
        chirpReal = angles.map { cos($0) }
        chirpImaginary = angles.map { -sin($0) }
        var bReal = [Double](repeating: 0, count: m), bImaginary = bReal
        for k in 0..<length {
            bReal[k] = chirpReal[k]; bImaginary[k] = -chirpImaginary[k]
            if k > 0 { bReal[m - k] = chirpReal[k]; bImaginary[m - k] = -chirpImaginary[k] }
        }
        plan.transform(real: &bReal, imaginary: &bImaginary, inverse: false)
        (filterReal, filterImaginary, padded) = (bReal, bImaginary, plan)
        scratchReal = [Double](repeating: 0, count: m)
        scratchImaginary = scratchReal
    }

    /// Forward or inverse DFT in place; the inverse is conj(forward(conj(x))) / n.
    func transform(real: inout [Double], imaginary: inout [Double], inverse: Bool) {
        precondition(real.count == length && imaginary.count == length, "internal: plan length")
        real.withUnsafeMutableBufferPointer { re in
            imaginary.withUnsafeMutableBufferPointer { im in
                if length > 0 { transform(re.baseAddress!, im.baseAddress!, inverse: inverse) }
            }
        }
    }

    /// The same on `length` elements at `real` and `imaginary`. Not thread-safe for Bluestein lengths (the plan's
    /// scratch is reused): one plan per thread.
    func transform(_ real: UnsafeMutablePointer<Double>, _ imaginary: UnsafeMutablePointer<Double>, inverse: Bool) {
        guard length > 1 else { return }
        if inverse { for index in 0..<length { imaginary[index] = -imaginary[index] } }
        if padded == nil { radix2(real, imaginary) } else { bluestein(real, imaginary) }
        if inverse {
            let scale = 1 / Double(length)
            for index in 0..<length {
                real[index] *= scale
                imaginary[index] = -imaginary[index] * scale
            }
        }
    }

    private func radix2(_ real: UnsafeMutablePointer<Double>, _ imaginary: UnsafeMutablePointer<Double>) {
        let n = length
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { swap(&real[i], &real[j]); swap(&imaginary[i], &imaginary[j]) }
        }
        cosines.withUnsafeBufferPointer { cosineBuffer in
            sines.withUnsafeBufferPointer { sineBuffer in
                let cosines = cosineBuffer.baseAddress!, sines = sineBuffer.baseAddress!
                var span = 2
                while span <= n {
                    let half = span / 2, stride = n / span
                    var start = 0
                    while start < n {
                        for k in 0..<half {
                            let c = cosines[k * stride], s = sines[k * stride]
                            let a = start + k, b = a + half
                            // (c − i s) · x[b]
                            let tReal = c * real[b] + s * imaginary[b]
                            let tImaginary = c * imaginary[b] - s * real[b]
                            real[b] = real[a] - tReal; imaginary[b] = imaginary[a] - tImaginary
                            real[a] += tReal; imaginary[a] += tImaginary
                        }
                        start += span
                    }
                    span <<= 1
                }
            }
        }
    }

    private func bluestein(_ real: UnsafeMutablePointer<Double>, _ imaginary: UnsafeMutablePointer<Double>) {
        guard let padded else { return }
        let m = padded.length, n = length
        scratchReal.withUnsafeMutableBufferPointer { aRealBuffer in
            scratchImaginary.withUnsafeMutableBufferPointer { aImaginaryBuffer in
                let aReal = aRealBuffer.baseAddress!, aImaginary = aImaginaryBuffer.baseAddress!
                for k in 0..<n {
                    aReal[k] = real[k] * chirpReal[k] - imaginary[k] * chirpImaginary[k]
                    aImaginary[k] = real[k] * chirpImaginary[k] + imaginary[k] * chirpReal[k]
                }
                for k in n..<m { aReal[k] = 0; aImaginary[k] = 0 }
                padded.transform(aReal, aImaginary, inverse: false)
                for k in 0..<m {
                    let r = aReal[k] * filterReal[k] - aImaginary[k] * filterImaginary[k]
                    aImaginary[k] = aReal[k] * filterImaginary[k] + aImaginary[k] * filterReal[k]
                    aReal[k] = r
                }
                padded.transform(aReal, aImaginary, inverse: true)
                for k in 0..<n {
                    real[k] = aReal[k] * chirpReal[k] - aImaginary[k] * chirpImaginary[k]
                    imaginary[k] = aReal[k] * chirpImaginary[k] + aImaginary[k] * chirpReal[k]
                }
            }
        }
    }
}
