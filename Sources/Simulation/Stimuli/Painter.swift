#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point or size in image units: x to the right, y down, (0, 0) the top-left corner and (1, 1) the bottom-right.
typealias Point2 = SIMD2<Double>

/// An RGB colour with components in [0, 1].
struct RGB: Sendable {
    var red: Double, green: Double, blue: Double

    init(_ red: Double, _ green: Double, _ blue: Double) { (self.red, self.green, self.blue) = (red, green, blue) }
    init(gray: Double) { self.init(gray, gray, gray) }

    /// Each component scaled by `factor` (below 1 darkens), kept in [0, 1].
    func scaled(_ factor: Double) -> RGB {
        RGB(Swift.min(1, red * factor), Swift.min(1, green * factor), Swift.min(1, blue * factor))
    }

    /// `(1 − t) · self + t · other`.
    func mixed(with other: RGB, _ t: Double) -> RGB {
        RGB(red + (other.red - red) * t, green + (other.green - green) * t, blue + (other.blue - blue) * t)
    }

    var luminance: Double { 0.2126 * red + 0.7152 * green + 0.0722 * blue }
}

/// A filled shape with a signed distance (negative inside, in image units) so that edges are antialiased from the
/// distance to them, one pixel wide, whatever the image size.
enum Shape {
    /// An ellipse with semi-axes `radii`, turned by `angle` radians (clockwise on screen, since y points down).
    case ellipse(center: Point2, radii: Point2, angle: Double)
    /// All points within `radius` of the segment from `start` to `end` (a limb, a stroke with round caps).
    case capsule(start: Point2, end: Point2, radius: Double)
    /// All points within `radius` of a polyline (curved strokes such as mouths and handles).
    case stroke(points: [Point2], radius: Double)
    /// A simple polygon (convex or not), even–odd filled.
    case polygon([Point2])
    /// The band of half-width `thickness / 2` around an ellipse's outline (rings, handles, rims).
    case ellipseOutline(center: Point2, radii: Point2, angle: Double, thickness: Double)

    static func circle(_ center: Point2, _ radius: Double) -> Shape {
        .ellipse(center: center, radii: Point2(radius, radius), angle: 0)
    }

    /// The axis-aligned rectangle between two corners.
    static func rectangle(_ corner: Point2, _ opposite: Point2) -> Shape {
        .polygon([corner, Point2(opposite.x, corner.y), opposite, Point2(corner.x, opposite.y)])
    }

    /// Bounding box (minimum, maximum) in image units.
    var bounds: (Point2, Point2) {
        switch self {
        case .ellipse(let center, let radii, _):
            let r = Swift.max(radii.x, radii.y)
            return (center - r, center + r)
        case .capsule(let start, let end, let radius):
            return (pointwiseMin(start, end) - radius, pointwiseMax(start, end) + radius)
        case .stroke(let points, let radius):
            let low = points.reduce(Point2(.infinity, .infinity)) { pointwiseMin($0, $1) }
            let high = points.reduce(Point2(-.infinity, -.infinity)) { pointwiseMax($0, $1) }
            return (low - radius, high + radius)
        case .polygon(let points):
            let low = points.reduce(Point2(.infinity, .infinity)) { pointwiseMin($0, $1) }
            let high = points.reduce(Point2(-.infinity, -.infinity)) { pointwiseMax($0, $1) }
            return (low, high)
        case .ellipseOutline(let center, let radii, _, let thickness):
            let r = Swift.max(radii.x, radii.y) + thickness
            return (center - r, center + r)
        }
    }

    /// Signed distance from `p` to the shape's edge: negative inside. Exact for capsules, strokes and polygons; for
    /// ellipses the first-order approximation |p/r|(|p/r| − 1)/|p/r²|, exact on the outline, which is all
    /// antialiasing needs.
    func signedDistance(_ p: Point2) -> Double {
        switch self {
        case .ellipse(let center, let radii, let angle):
            return Shape.ellipseDistance(p, center, radii, angle)
        case .capsule(let start, let end, let radius):
            return Shape.segmentDistance(p, start, end) - radius
        case .stroke(let points, let radius):
            var best = Double.infinity
            for index in 1..<Swift.max(points.count, 1) {
                best = Swift.min(best, Shape.segmentDistance(p, points[index - 1], points[index]))
            }
            if points.count == 1 { best = ((p - points[0]) * (p - points[0])).sum().squareRoot() }
            return best - radius
        case .polygon(let points):
            return Shape.polygonDistance(p, points)
        case .ellipseOutline(let center, let radii, let angle, let thickness):
            return abs(Shape.ellipseDistance(p, center, radii, angle)) - thickness / 2
        }
    }

    private static func ellipseDistance(_ p: Point2, _ center: Point2, _ radii: Point2, _ angle: Double) -> Double {
        let offset = p - center
        let c = cos(angle), s = sin(angle)
        let local = Point2(c * offset.x + s * offset.y, -s * offset.x + c * offset.y)
        let scaled = local / radii
        let k0 = (scaled * scaled).sum().squareRoot()
        let over = local / (radii * radii)
        let k1 = (over * over).sum().squareRoot()
        guard k1 > 0 else { return -Swift.min(radii.x, radii.y) }
        return k0 * (k0 - 1) / k1
    }

    private static func segmentDistance(_ p: Point2, _ a: Point2, _ b: Point2) -> Double {
        let edge = b - a, offset = p - a
        let length = (edge * edge).sum()
        let t = length > 0 ? Swift.min(1, Swift.max(0, (offset * edge).sum() / length)) : 0
        let nearest = offset - edge * t
        return (nearest * nearest).sum().squareRoot()
    }

    private static func polygonDistance(_ p: Point2, _ points: [Point2]) -> Double {
        guard points.count >= 3 else { return .infinity }
        var squared = Double.infinity
        var inside = false
        var previous = points[points.count - 1]
        for current in points {
            let edge = previous - current, offset = p - current
            let length = (edge * edge).sum()
            let t = length > 0 ? Swift.min(1, Swift.max(0, (offset * edge).sum() / length)) : 0
            let nearest = offset - edge * t
            squared = Swift.min(squared, (nearest * nearest).sum())
            // Even–odd crossing test of a ray to the right.
            if (current.y > p.y) != (previous.y > p.y) {
                let crossing = current.x + (p.y - current.y) / (previous.y - current.y) * (previous.x - current.x)
                if p.x < crossing { inside.toggle() }
            }
            previous = current
        }
        return (inside ? -1 : 1) * squared.squareRoot()
    }
}

/// An RGB raster of `size × size` pixels that shapes are painted onto, back to front, with antialiased edges.
struct Painter {
    let size: Int
    /// Row-major `[size, size, 3]`.
    var pixels: [Float]

    init(size: Int, background: RGB) {
        self.size = size
        pixels = [Float](repeating: 0, count: size * size * 3)
        for index in 0..<(size * size) {
            pixels[3 * index] = Float(background.red)
            pixels[3 * index + 1] = Float(background.green)
            pixels[3 * index + 2] = Float(background.blue)
        }
    }

    /// Blends `color` over the pixels the shape covers, with `opacity` and a one-pixel antialiased edge.
    mutating func fill(_ shape: Shape, _ color: RGB, opacity: Double = 1) {
        let scale = Double(size)
        let (low, high) = shape.bounds
        guard low.x.isFinite, high.x.isFinite else { return }
        let firstColumn = Swift.max(0, Int((low.x * scale - 1).rounded(.down)))
        let lastColumn = Swift.min(size - 1, Int((high.x * scale + 1).rounded(.up)))
        let firstRow = Swift.max(0, Int((low.y * scale - 1).rounded(.down)))
        let lastRow = Swift.min(size - 1, Int((high.y * scale + 1).rounded(.up)))
        guard firstColumn <= lastColumn, firstRow <= lastRow else { return }
        let red = Float(color.red), green = Float(color.green), blue = Float(color.blue)
        for row in firstRow...lastRow {
            for column in firstColumn...lastColumn {
                let p = Point2((Double(column) + 0.5) / scale, (Double(row) + 0.5) / scale)
                let coverage = Swift.min(1, Swift.max(0, 0.5 - shape.signedDistance(p) * scale)) * opacity
                guard coverage > 0 else { continue }
                let alpha = Float(coverage), index = 3 * (row * size + column)
                pixels[index] += (red - pixels[index]) * alpha
                pixels[index + 1] += (green - pixels[index + 1]) * alpha
                pixels[index + 2] += (blue - pixels[index + 2]) * alpha
            }
        }
    }

    /// Fills the rows between `top` and `bottom` (image units) with a vertical blend from `topColor` to `bottomColor`.
    mutating func fillVerticalGradient(top: Double, bottom: Double, _ topColor: RGB, _ bottomColor: RGB) {
        let scale = Double(size)
        let firstRow = Swift.max(0, Int((top * scale).rounded(.down)))
        let lastRow = Swift.min(size - 1, Int((bottom * scale).rounded(.up)) - 1)
        guard firstRow <= lastRow else { return }
        for row in firstRow...lastRow {
            let t = Swift.min(1, Swift.max(0, ((Double(row) + 0.5) / scale - top) / Swift.max(bottom - top, 1e-9)))
            let color = topColor.mixed(with: bottomColor, t)
            for column in 0..<size {
                let index = 3 * (row * size + column)
                pixels[index] = Float(color.red)
                pixels[index + 1] = Float(color.green)
                pixels[index + 2] = Float(color.blue)
            }
        }
    }

    /// Adds independent Gaussian luminance noise of standard deviation `amplitude` to every pixel (the same on the
    /// three channels), so that no image is a perfectly flat cartoon.
    mutating func addNoise(_ amplitude: Double, _ random: inout StimulusRandom) {
        for index in 0..<(size * size) {
            let delta = Float(amplitude * random.normal())
            pixels[3 * index] += delta
            pixels[3 * index + 1] += delta
            pixels[3 * index + 2] += delta
        }
    }

    /// Scales every pixel's deviation from the image's mean luminance by `contrast`, then clips to [0, 1].
    mutating func finish(contrast: Double = 1) {
        if contrast != 1 {
            let mean = pixels.reduce(0, +) / Float(Swift.max(pixels.count, 1))
            for index in pixels.indices { pixels[index] = mean + (pixels[index] - mean) * Float(contrast) }
        }
        for index in pixels.indices { pixels[index] = Swift.min(1, Swift.max(0, pixels[index])) }
    }
}

/// A local frame for drawing a figure: `origin`, `scale` image units per local unit and a rotation of `angle` radians
/// (clockwise on screen), so that a whole face, body or object can be moved, sized and tilted as one.
struct Frame {
    var origin: Point2
    var scale: Double
    var angle: Double

    func point(_ x: Double, _ y: Double) -> Point2 {
        let c = cos(angle), s = sin(angle)
        return origin + scale * Point2(c * x - s * y, s * x + c * y)
    }

    func ellipse(_ x: Double, _ y: Double, _ rx: Double, _ ry: Double, angle extra: Double = 0) -> Shape {
        .ellipse(center: point(x, y), radii: Point2(rx, ry) * scale, angle: angle + extra)
    }

    func outline(_ x: Double, _ y: Double, _ rx: Double, _ ry: Double, thickness: Double) -> Shape {
        .ellipseOutline(center: point(x, y), radii: Point2(rx, ry) * scale, angle: angle, thickness: thickness * scale)
    }

    func capsule(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, radius: Double) -> Shape {
        .capsule(start: point(x0, y0), end: point(x1, y1), radius: radius * scale)
    }

    func polygon(_ corners: [(Double, Double)]) -> Shape { .polygon(corners.map { point($0.0, $0.1) }) }

    func rectangle(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Shape {
        polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    }

    func stroke(_ points: [(Double, Double)], radius: Double) -> Shape {
        .stroke(points: points.map { point($0.0, $0.1) }, radius: radius * scale)
    }
}
