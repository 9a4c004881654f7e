/// A position in points, y pointing down (Cairo's convention).
struct Point: Equatable {
    var x: Double
    var y: Double
}

/// An axis-aligned rectangle in points.
struct Rect: Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var minX: Double { x }
    var maxX: Double { x + width }
    var minY: Double { y }
    var maxY: Double { y + height }

    func contains(_ point: Point) -> Bool {
        point.x >= minX && point.x <= maxX && point.y >= minY && point.y <= maxY
    }

    /// This rectangle shrunk by the given margins (never below zero size).
    func inset(left: Double, right: Double, top: Double, bottom: Double) -> Rect {
        Rect(x: x + left, y: y + top, width: Swift.max(0, width - left - right),
             height: Swift.max(0, height - top - bottom))
    }

    /// The largest rectangle of aspect `width / height = aspect` centred in this one.
    func fitted(aspect: Double) -> Rect {
        guard aspect > 0, width > 0, height > 0 else { return self }
        if width / height > aspect {
            let fittedWidth = height * aspect
            return Rect(x: x + (width - fittedWidth) / 2, y: y, width: fittedWidth, height: height)
        }
        let fittedHeight = width / aspect
        return Rect(x: x, y: y + (height - fittedHeight) / 2, width: width, height: fittedHeight)
    }
}
