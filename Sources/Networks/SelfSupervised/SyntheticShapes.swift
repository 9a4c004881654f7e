import Foundation
import Tensors

/// Procedurally drawn images whose class is a shape, not a colour: for self-supervised smoke tests and the DINO
/// benchmark (nothing is downloaded). Each image has a random background colour, one shape of a random foreground
/// colour (at least 0.3 away from the background in mean intensity, so it is visible), a random centre, radius
/// (20–40 % of the side) and rotation, and Gaussian pixel noise (σ = 0.05), clamped to [0, 1]. Colour statistics
/// are the same for every class, so telling classes apart takes the shape.
public enum SyntheticShapes {
    /// The classes, in label order.
    public static let classNames = ["disc", "square", "triangle", "ring", "cross", "stripes"]

    /// `count` images `[count, 3, size, size]` float32 in [0, 1] and their labels `[count]` int64; labels cycle
    /// through the first `classes` classes (balanced), and everything else comes from `seed`. With `grey`, the
    /// background and the shape are random grey levels (the first of each colour's three draws, every channel equal,
    /// noise included; shapes, positions, sizes and rotations as in colour), so that colour is not a nuisance that
    /// two views of an image share.
    /// With `lightOnDark`, the shape is always the lighter of the two (the two colours are swapped when it is not),
    /// as in dSprites or MNIST: otherwise a shape's polarity is a per-image trait that two views of an image share
    /// and no colour jitter hides, which a self-supervised network can learn instead of the shape.
    /// Throws `invalidArgument` for a class count outside 1…6, a size below 8 or a negative count.
    public static func generate(count: Int, size: Int, classes: Int = 6, seed: UInt64, grey: Bool = false,
                                lightOnDark: Bool = false) throws -> (images: Tensor, labels: Tensor) {
        guard (1...classNames.count).contains(classes), size >= 8, count >= 0 else {
            throw TensorError(.invalidArgument, "SyntheticShapes", "need 1…\(classNames.count) classes, a size of at "
                              + "least 8 and a non-negative count, got \(classes), \(size), \(count)")
        }
        var generator = RandomGenerator(seed: seed)
        let draws = generator.uniforms(count * 10)
        let noise = count > 0 ? try generator.normal([count * 3 * size * size], std: 0.05).scalars(as: Double.self) : []
        let plane = size * size
        var pixels = [Float](repeating: 0, count: count * 3 * plane)
        for image in 0..<count {
            let u = Array(draws[image * 10 ..< image * 10 + 10])
            let label = image % classes
            var background = grey ? [u[0], u[0], u[0]] : [u[0], u[1], u[2]]
            var foreground = grey ? [u[3], u[3], u[3]] : [u[3], u[4], u[5]]
            if lightOnDark && foreground.reduce(0, +) < background.reduce(0, +) { swap(&background, &foreground) }
            // Push the foreground away from the background so the shape is always visible.
            let backgroundMean = background.reduce(0, +) / 3
            let foregroundMean = foreground.reduce(0, +) / 3
            if lightOnDark && foregroundMean - backgroundMean < 0.3 {
                // Raise the shape as far as 1 allows and darken the background for the rest, keeping the polarity.
                let gap = 0.3 - (foregroundMean - backgroundMean)
                let up = Swift.min(gap, 1 - foregroundMean), down = gap - up
                foreground = foreground.map { Swift.min(Swift.max($0 + up, 0), 1) }
                background = background.map { Swift.min(Swift.max($0 - down, 0), 1) }
            } else if !lightOnDark && abs(foregroundMean - backgroundMean) < 0.3 {
                let shift = backgroundMean < 0.5 ? 0.3 + backgroundMean - foregroundMean
                    : -(0.3 - backgroundMean + foregroundMean)
                foreground = foreground.map { Swift.min(Swift.max($0 + shift, 0), 1) }
            }
            let side = Double(size)
            let radius = side * (0.2 + 0.2 * u[6])
            let centerX = radius + (side - 2 * radius) * u[7]
            let centerY = radius + (side - 2 * radius) * u[8]
            let angle = 2 * Double.pi * u[9]
            let (cosine, sine) = (cos(angle), sin(angle))
            for y in 0..<size {
                for x in 0..<size {
                    let dx = (Double(x) + 0.5 - centerX) / radius, dy = (Double(y) + 0.5 - centerY) / radius
                    let px = cosine * dx + sine * dy, py = -sine * dx + cosine * dy
                    let inside = contains(label: label, x: px, y: py)
                    for channel in 0..<3 {
                        let index = (image * 3 + channel) * plane + y * size + x
                        // Grey images take one noise value per pixel, so that their channels are equal.
                        let noiseIndex = grey ? (image * 3) * plane + y * size + x : index
                        let value = (inside ? foreground[channel] : background[channel]) + noise[noiseIndex]
                        pixels[index] = Float(Swift.min(Swift.max(value, 0), 1))
                    }
                }
            }
        }
        let labels = (0..<count).map { Int64($0 % classes) }
        return (try Tensor(shape: [count, 3, size, size], scalars: pixels), try Tensor(shape: [count], scalars: labels))
    }

    /// Whether the point (x, y), in units of the radius around the shape's centre, lies inside shape `label`.
    static func contains(label: Int, x: Double, y: Double) -> Bool {
        let distance = (x * x + y * y).squareRoot()
        switch label {
        case 0: return distance <= 1
        case 1: return Swift.max(abs(x), abs(y)) <= 0.75
        case 2: return y >= -0.5 && y <= 1 - 3.0.squareRoot() * x && y <= 1 + 3.0.squareRoot() * x
        case 3: return distance <= 1 && distance >= 0.55
        case 4: return (abs(x) <= 0.3 && abs(y) <= 1) || (abs(y) <= 0.3 && abs(x) <= 1)
        default:
            // Three parallel bars inside the disc.
            return distance <= 1 && Int(((x + 1) * 2.5).rounded(.down)) % 2 == 0
        }
    }
}
