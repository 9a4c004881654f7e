import Foundation
@testable import Alignment
import Tensors

/// Retinotopic apertures and planted pRF responses built with plain loops, independent of the engine's code.
enum PRFSupport {
    /// Visual-field centre of pixel (i, j) of a size × size frame spanning ±extent degrees (y up).
    static func pixelCentre(_ i: Int, _ j: Int, size: Int, extent: Double) -> (x: Double, y: Double) {
        (((Double(j) + 0.5) / Double(size) * 2 - 1) * extent, (1 - (Double(i) + 0.5) / Double(size) * 2) * extent)
    }

    /// Frames of a stimulus as [frames, size, size] float64 from a predicate on (frame, x, y) in degrees.
    static func apertures(frames: Int, size: Int, extent: Double, _ inside: (Int, Double, Double) -> Bool) -> [Double] {
        var values = [Double](repeating: 0, count: frames * size * size)
        for frame in 0..<frames {
            for i in 0..<size {
                for j in 0..<size {
                    let (x, y) = pixelCentre(i, j, size: size, extent: extent)
                    if x * x + y * y <= extent * extent, inside(frame, x, y) { values[(frame * size + i) * size + j] = 1 }
                }
            }
        }
        return values
    }

    /// Bars sweeping in `directions` (degrees) in `steps` frames each, a blank frame after each sweep.
    static func bars(size: Int, extent: Double, directions: [Double], steps: Int, width: Double) -> [Double] {
        let perSweep = steps + 1
        return apertures(frames: directions.count * perSweep, size: size, extent: extent) { frame, x, y in
            let step = frame % perSweep
            guard step < steps else { return false }
            let angle = directions[frame / perSweep] * Double.pi / 180
            let position = -extent - width / 2 + (Double(step) + 0.5) * (2 * extent + width) / Double(steps)
            return abs(x * cos(angle) + y * sin(angle) - position) < width / 2
        }
    }

    /// A wedge of `width` degrees of polar angle rotating counter-clockwise in `frames` steps.
    static func wedges(size: Int, extent: Double, frames: Int, width: Double) -> [Double] {
        apertures(frames: frames, size: size, extent: extent) { frame, x, y in
            var offset = atan2(y, x) * 180 / .pi - 360 * Double(frame) / Double(frames) + width / 2
            offset = offset.truncatingRemainder(dividingBy: 360)
            if offset < 0 { offset += 360 }
            return offset < width
        }
    }

    /// An expanding ring, `frames` steps from fixation to the edge, each ring 1.5 steps wide.
    static func rings(size: Int, extent: Double, frames: Int) -> [Double] {
        apertures(frames: frames, size: size, extent: extent) { frame, x, y in
            let radius = (x * x + y * y).squareRoot(), inner = extent * Double(frame) / Double(frames)
            return radius >= inner && radius < inner + 1.5 * extent / Double(frames)
        }
    }

    /// Bars, wedges and rings one after the other: [frames, size, size].
    static func mixedRun(size: Int, extent: Double) -> Tensor {
        let bars = bars(size: size, extent: extent, directions: [0, 90, 180, 270, 45, 225], steps: 12, width: extent / 3)
        let wedges = wedges(size: size, extent: extent, frames: 12, width: 45)
        let rings = rings(size: size, extent: extent, frames: 8)
        let values = bars + wedges + rings
        return try! Tensor(shape: [values.count / (size * size), size, size], scalars: values)
    }

    /// The naive model: r(t) = Σ_ij a(t, i, j) · exp(−|p_ij − c|² / 2σ²), with loops only.
    static func naivePrediction(_ apertures: Tensor, extent: Double, x: Double, y: Double, sigma: Double) -> [Double] {
        let (frames, size) = (apertures.shape[0], apertures.shape[1])
        let values = apertures.astype(.float64).contiguous().scalars(as: Double.self)
        return (0..<frames).map { frame in
            var sum = 0.0
            for i in 0..<size {
                for j in 0..<size {
                    let (px, py) = pixelCentre(i, j, size: size, extent: extent)
                    let weight = exp(-((px - x) * (px - x) + (py - y) * (py - y)) / (2 * sigma * sigma))
                    sum += values[(frame * size + i) * size + j] * weight
                }
            }
            return sum
        }
    }

    /// Causal convolution with plain loops.
    static func convolve(_ series: [Double], _ kernel: [Double]) -> [Double] {
        (0..<series.count).map { t in (0..<kernel.count).reduce(0.0) { $0 + (t - $1 >= 0 ? kernel[$1] * series[t - $1] : 0) } }
    }

    /// Pearson correlation with plain loops.
    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
        var ab = 0.0, aa = 0.0, bb = 0.0
        for (u, v) in zip(a, b) { ab += (u - ma) * (v - mb); aa += (u - ma) * (u - ma); bb += (v - mb) * (v - mb) }
        return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
    }

    /// Responses [T, V] of planted pRFs: gain · prediction + offset (+ Gaussian noise of `noise` × the
    /// prediction's standard deviation, seeded).
    static func responses(_ apertures: Tensor, extent: Double, planted: [PRFCandidate], noise: Double = 0,
                          hrf: [Double]? = nil, seed: UInt64 = 1) -> Tensor {
        let frames = apertures.shape[0]
        let noiseValues = noise > 0
            ? try! Tensor.randomNormal([frames, planted.count], seed: seed).astype(.float64).scalars(as: Double.self) : []
        var values = [Double](repeating: 0, count: frames * planted.count)
        for (vertex, field) in planted.enumerated() {
            var series = naivePrediction(apertures, extent: extent, x: field.x, y: field.y, sigma: field.sigma)
            if let hrf { series = convolve(series, hrf) }
            let mean = series.reduce(0, +) / Double(frames)
            let deviation = (series.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(frames)).squareRoot()
            for t in 0..<frames {
                values[t * planted.count + vertex] = 2 * series[t] + 5
                    + (noise > 0 ? noise * 2 * deviation * noiseValues[t * planted.count + vertex] : 0)
            }
        }
        return try! Tensor(shape: [frames, planted.count], scalars: values)
    }

    /// Planted pRFs spread over the field, off the standard grid.
    static let planted: [PRFCandidate] = [
        PRFCandidate(x: 2.3, y: 1.7, sigma: 0.9), PRFCandidate(x: -4.1, y: 3.3, sigma: 1.6),
        PRFCandidate(x: 0.4, y: -6.2, sigma: 2.2), PRFCandidate(x: -1.3, y: -2.6, sigma: 0.7),
        PRFCandidate(x: 6.1, y: -0.8, sigma: 2.8), PRFCandidate(x: -6.6, y: -3.9, sigma: 1.2),
        PRFCandidate(x: 1.1, y: 5.4, sigma: 1.9), PRFCandidate(x: 0.2, y: 0.3, sigma: 0.6),
    ]
}
