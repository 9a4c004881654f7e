import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Stimuli {
    /// The scene layouts `places` draws.
    public static let placeKinds = ["street", "room", "house"]

    /// Places and scenes in one-point perspective: a sky over a horizon and a ground plane, with
    /// - "street": a road narrowing to the vanishing point with lane marks, pavements, building facades on both sides
    ///   receding in perspective with rows of windows, and distant buildings on the horizon;
    /// - "room": an interior seen from one end — back wall, side walls, floor with boards converging to the vanishing
    ///   point, ceiling, a window (with the sky behind it) and a door;
    /// - "house": a house on a lawn — facade, pitched roof, windows with crossbars, a door, a path in perspective.
    ///
    /// Each image draws the layout, horizon height (0.38–0.62 of the image), vanishing point, sky (clear or
    /// overcast), materials and colours, the number and size of windows, and pixel noise. Scenes fill the whole
    /// image: they are spatial layouts, not objects on a background.
    ///
    /// - Parameters: `count` ≥ 0 images of `size × size` (8…1024) pixels; `seed` any number.
    /// - Returns: images `[count, size, size, 3]` float32 in [0, 1]; metadata `category` ("place"), `kind` (one of
    ///   `placeKinds`), `horizon`, `vanishing_x` (image units), `windows` (number drawn).
    /// - Throws: `SimulationError` (`stimuli.places`) for a negative count or a size outside 8…1024.
    public static func places(count: Int, size: Int = 64, seed: UInt64 = 0) throws -> StimulusSet {
        try StimulusBatch.render(count: count, size: size, seed: seed, stream: "places", operation: "stimuli.places") {
            _, random in drawPlace(size: size, kind: random.element(placeKinds), &random)
        }
    }

    static func drawPlace(size: Int, kind: String, _ random: inout StimulusRandom) -> (Painter, StimulusDescription) {
        var painter = Painter(size: size, background: RGB(gray: 0.5))
        let horizon = random.uniform(0.38, 0.62)
        let vanishing = Point2(random.uniform(0.3, 0.7), horizon)
        let overcast = random.bool(0.3)
        let skyTop = overcast ? RGB(gray: random.uniform(0.55, 0.75)) : RGB(0.25, 0.45, random.uniform(0.75, 0.95))
        let skyBottom = overcast ? RGB(gray: random.uniform(0.75, 0.9)) : RGB(0.7, 0.82, 0.95)
        painter.fillVerticalGradient(top: 0, bottom: horizon, skyTop, skyBottom)
        var windows = 0
        func quad(_ points: [Point2]) -> Shape { .polygon(points) }
        /// The point a fraction `t` of the way from `p` towards the vanishing point.
        func towards(_ p: Point2, _ t: Double) -> Point2 { p + (vanishing - p) * t }

        switch kind {
        case "street":
            let ground = RGB(gray: random.uniform(0.35, 0.5))
            painter.fillVerticalGradient(top: horizon, bottom: 1, ground.scaled(1.2), ground)
            // Distant buildings standing on the horizon.
            var x = -0.05
            while x < 1.05 {
                let width = random.uniform(0.06, 0.16), height = random.uniform(0.05, 0.2)
                painter.fill(.rectangle(Point2(x, horizon - height), Point2(x + width, horizon + 0.002)),
                             RGB(gray: random.uniform(0.45, 0.7)).mixed(with: skyBottom, 0.3))
                x += width + random.uniform(0, 0.03)
            }
            // The road and pavements converge to the vanishing point.
            let roadHalf = random.uniform(0.3, 0.55)
            painter.fill(quad([vanishing, Point2(vanishing.x + 0.001, horizon), Point2(0.5 + roadHalf + 0.25, 1.02),
                               Point2(0.5 - roadHalf - 0.25, 1.02)]), RGB(gray: 0.62))
            painter.fill(quad([vanishing, Point2(vanishing.x + 0.001, horizon), Point2(0.5 + roadHalf, 1.02),
                               Point2(0.5 - roadHalf, 1.02)]), RGB(gray: random.uniform(0.18, 0.3)))
            for step in 0..<6 {
                // Lane marks shrink with distance: equal steps in 1/depth.
                let near = 1 / (1 + Double(step) * 0.9), far = 1 / (1 + (Double(step) + 0.45) * 0.9)
                let bottom = Point2(0.5, 1.02)
                let a = towards(bottom, 1 - near), b = towards(bottom, 1 - far)
                let halfWidth = 0.012 * near, farHalf = 0.012 * far
                painter.fill(quad([Point2(a.x - halfWidth, a.y), Point2(a.x + halfWidth, a.y),
                                   Point2(b.x + farHalf, b.y), Point2(b.x - farHalf, b.y)]), RGB(0.95, 0.9, 0.6))
            }
            for side in [-1.0, 1.0] {
                let wall = RGB(random.uniform(0.45, 0.85), random.uniform(0.35, 0.75), random.uniform(0.3, 0.65))
                let nearX = side < 0 ? -0.02 : 1.02
                let top = Point2(nearX, random.uniform(-0.1, 0.08)), bottom = Point2(nearX, random.uniform(0.82, 0.95))
                let depth = random.uniform(0.7, 0.88)
                let farTop = towards(top, depth), farBottom = towards(bottom, depth)
                painter.fill(quad([top, farTop, farBottom, bottom]), wall)
                // A grid of windows, spaced evenly in depth (so they crowd towards the vanishing point).
                let columns = random.integer(3..<6), rows = random.integer(2..<5)
                for column in 0..<columns {
                    let t0 = depth * (1 - 1 / (1 + (Double(column) + 0.2) * 0.8)) / (1 - 1 / (1 + Double(columns) * 0.8))
                    let t1 = depth * (1 - 1 / (1 + (Double(column) + 0.7) * 0.8)) / (1 - 1 / (1 + Double(columns) * 0.8))
                    for row in 0..<rows {
                        let v0 = 0.12 + 0.75 * Double(row) / Double(rows), v1 = v0 + 0.45 / Double(rows)
                        func corner(_ t: Double, _ v: Double) -> Point2 {
                            let upper = towards(top, t), lower = towards(bottom, t)
                            return upper + (lower - upper) * v
                        }
                        painter.fill(quad([corner(t0, v0), corner(t1, v0), corner(t1, v1), corner(t0, v1)]),
                                     RGB(0.2, 0.28, 0.38).mixed(with: skyBottom, random.uniform(0, 0.4)))
                        windows += 1
                    }
                }
            }
        case "room":
            let wall = RGB(random.uniform(0.7, 0.95), random.uniform(0.65, 0.9), random.uniform(0.55, 0.85))
            let floor = random.bool() ? RGB(0.55, 0.36, 0.2) : RGB(gray: random.uniform(0.3, 0.6))
            let depth = random.uniform(0.45, 0.65)
            let corners = [Point2(-0.02, -0.02), Point2(1.02, -0.02), Point2(1.02, 1.02), Point2(-0.02, 1.02)]
            let back = corners.map { p -> Point2 in
                // The back wall's corners: the image corners moved towards the vanishing point, with the floor line
                // below the horizon.
                let q = towards(p, depth)
                return Point2(q.x, p.y > 0.5 ? Swift.max(q.y, horizon + 0.05) : q.y)
            }
            painter.fill(quad([corners[0], corners[1], back[1], back[0]]), wall.scaled(1.08))  // ceiling
            painter.fill(quad([corners[3], corners[2], back[2], back[3]]), floor)
            painter.fill(quad([corners[0], back[0], back[3], corners[3]]), wall.scaled(0.85))
            painter.fill(quad([corners[1], back[1], back[2], corners[2]]), wall.scaled(0.75))
            painter.fill(quad(back), wall)
            // Floor boards converge to the vanishing point.
            for board in 1..<9 {
                let x = -0.02 + 1.04 * Double(board) / 9
                let start = Point2(x, 1.02)
                let end = back[3] + (back[2] - back[3]) * (Double(board) / 9)
                painter.fill(.capsule(start: start, end: end, radius: 0.003), floor.scaled(0.7))
            }
            // A window on the back wall with the sky behind it.
            let width = back[1].x - back[0].x, height = back[3].y - back[0].y
            let windowLeft = back[0].x + width * random.uniform(0.15, 0.45)
            let windowRight = windowLeft + width * random.uniform(0.25, 0.4)
            let windowTop = back[0].y + height * 0.15, windowBottom = back[0].y + height * 0.6
            painter.fill(.rectangle(Point2(windowLeft - 0.01, windowTop - 0.01), Point2(windowRight + 0.01, windowBottom + 0.01)),
                         RGB(gray: 0.95))
            painter.fill(.rectangle(Point2(windowLeft, windowTop), Point2(windowRight, windowBottom)), skyBottom.mixed(with: skyTop, 0.5))
            painter.fill(.capsule(start: Point2((windowLeft + windowRight) / 2, windowTop),
                                  end: Point2((windowLeft + windowRight) / 2, windowBottom), radius: 0.006), RGB(gray: 0.95))
            painter.fill(.capsule(start: Point2(windowLeft, (windowTop + windowBottom) / 2),
                                  end: Point2(windowRight, (windowTop + windowBottom) / 2), radius: 0.006), RGB(gray: 0.95))
            windows = 1
            // A door in the side wall, foreshortened.
            let side = random.bool() ? 0 : 1
            let near = side == 0 ? corners[0] : corners[1], nearFloor = side == 0 ? corners[3] : corners[2]
            func wallPoint(_ t: Double, _ v: Double) -> Point2 {
                let upper = towards(near, depth * t), lower = towards(nearFloor, depth * t)
                let floorY = Swift.max(lower.y, horizon + 0.05)
                return upper + (Point2(lower.x, floorY) - upper) * v
            }
            painter.fill(quad([wallPoint(0.45, 0.3), wallPoint(0.75, 0.33), wallPoint(0.75, 1), wallPoint(0.45, 1)]),
                         RGB(0.45, 0.28, 0.15))
        default:  // house
            let grass = RGB(random.uniform(0.2, 0.4), random.uniform(0.45, 0.65), random.uniform(0.15, 0.3))
            painter.fillVerticalGradient(top: horizon, bottom: 1, grass.scaled(1.15), grass.scaled(0.8))
            let houseWidth = random.uniform(0.5, 0.75)
            let left = 0.5 - houseWidth / 2 + random.uniform(-0.08, 0.08), right = left + houseWidth
            let base = horizon + random.uniform(0.12, 0.22), top = base - random.uniform(0.3, 0.4)
            let facade = RGB(random.uniform(0.6, 0.95), random.uniform(0.5, 0.9), random.uniform(0.4, 0.85))
            painter.fill(.rectangle(Point2(left, top), Point2(right, base)), facade)
            // A side wall receding to the vanishing point shows the house's depth.
            let sideX = vanishing.x < left ? left : right
            let sideFar = Point2(sideX, top) + (vanishing - Point2(sideX, top)) * 0.25
            let sideFarBottom = Point2(sideX, base) + (vanishing - Point2(sideX, base)) * 0.25
            painter.fill(quad([Point2(sideX, top), sideFar, sideFarBottom, Point2(sideX, base)]), facade.scaled(0.75))
            let roofColor = random.bool() ? RGB(0.6, 0.2, 0.15) : RGB(gray: 0.3)
            painter.fill(quad([Point2(left - 0.04, top), Point2(right + 0.04, top),
                               Point2((left + right) / 2, top - random.uniform(0.12, 0.2))]), roofColor)
            let count = random.integer(2..<4)
            for index in 0..<count {
                let x = left + houseWidth * (Double(index) + 0.5) / Double(count)
                for y in [top + (base - top) * 0.3] {
                    let w = houseWidth / Double(count) * 0.22
                    painter.fill(.rectangle(Point2(x - w - 0.008, y - w - 0.008), Point2(x + w + 0.008, y + w + 0.008)),
                                 RGB(gray: 0.95))
                    painter.fill(.rectangle(Point2(x - w, y - w), Point2(x + w, y + w)), RGB(0.3, 0.4, 0.55))
                    painter.fill(.capsule(start: Point2(x, y - w), end: Point2(x, y + w), radius: 0.004), RGB(gray: 0.95))
                    painter.fill(.capsule(start: Point2(x - w, y), end: Point2(x + w, y), radius: 0.004), RGB(gray: 0.95))
                    windows += 1
                }
            }
            let doorX = (left + right) / 2 + random.uniform(-0.1, 0.1) * houseWidth
            painter.fill(.rectangle(Point2(doorX - 0.04, base - (base - top) * 0.45), Point2(doorX + 0.04, base)),
                         RGB(0.4, 0.22, 0.12))
            painter.fill(quad([Point2(doorX - 0.04, base), Point2(doorX + 0.04, base), Point2(doorX + 0.2, 1.02),
                               Point2(doorX - 0.2, 1.02)]), RGB(gray: 0.7))
        }
        painter.addNoise(0.015, &random)
        painter.finish()
        return (painter, StimulusDescription(category: "place", kind: kind, parameters: [
            ("horizon", horizon), ("vanishing_x", vanishing.x), ("windows", Double(windows)),
        ]))
    }
}
