import Foundation
import Tensors
@testable import Simulation

/// Shared, modest-sized subjects and image makers for the subject tests (debug builds are slow).
enum SubjectFixtures {
    static let subject = try! VirtualSubject(index: 0, seed: 7, vertices: 400, resolution: 48)
    static let other = try! VirtualSubject(index: 1, seed: 7, vertices: 400, resolution: 48)

    /// `count` smooth random grey images `[count, size, size, 1]` in [0, 1]: sums of 6 random gratings with random
    /// contrast, so that images differ in orientation, scale and position content.
    static func images(_ count: Int, size: Int = 32, seed: UInt64 = 1) -> Tensor {
        var values = [Float]()
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1p-53
        }
        for _ in 0..<count {
            var image = [Double](repeating: 0.5, count: size * size)
            for _ in 0..<6 {
                let angle = uniform() * .pi, wavelength = 2.5 + uniform() * 12, phase = uniform() * 2 * .pi
                let amplitude = uniform() * 0.15
                let centreX = uniform() * Double(size), centreY = uniform() * Double(size), radius = 4 + uniform() * 12
                for row in 0..<size {
                    for column in 0..<size {
                        let u = Double(column) * cos(angle) + Double(row) * sin(angle)
                        let dx = Double(column) - centreX, dy = Double(row) - centreY
                        let window = exp(-(dx * dx + dy * dy) / (2 * radius * radius))
                        image[row * size + column] += amplitude * window * cos(2 * .pi * u / wavelength + phase)
                    }
                }
            }
            values += image.map { Float(min(1, max(0, $0))) }
        }
        return try! Tensor(shape: [count, size, size, 1], scalars: values)
    }

    /// A grey image `[1, size, size, 1]` with a black-and-white checkered dot of `radius` degrees at (x, y)
    /// degrees of a display spanning `fieldOfView` degrees.
    static func dot(x: Double, y: Double, radius: Double, size: Int = 32, fieldOfView: Double = 10) -> [Float] {
        var image = [Float](repeating: 0.5, count: size * size)
        for row in 0..<size {
            for column in 0..<size {
                let px = ((Double(column) + 0.5) / Double(size) - 0.5) * fieldOfView
                let py = (0.5 - (Double(row) + 0.5) / Double(size)) * fieldOfView
                if (px - x) * (px - x) + (py - y) * (py - y) <= radius * radius {
                    image[row * size + column] = (row + column) % 2 == 0 ? 1 : 0
                }
            }
        }
        return image
    }

    /// Pearson r of two equal-length arrays.
    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for index in a.indices {
            covariance += (a[index] - meanA) * (b[index] - meanB)
            varianceA += (a[index] - meanA) * (a[index] - meanA)
            varianceB += (b[index] - meanB) * (b[index] - meanB)
        }
        return covariance / (varianceA * varianceB).squareRoot()
    }

    static func doubles(_ tensor: Tensor) -> [Double] { tensor.astype(.float64).contiguous().scalars(as: Double.self) }
}
