import Foundation
@testable import Plotting
import Testing

/// A small deterministic generator (the tests must not depend on global random state).
struct TestGenerator {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}

@Suite struct HistogramTests {
    @Test func numpyExample() {
        // numpy.histogram([0, 1, 1, 2, 3], bins=3) -> ([1, 2, 2], [0, 1, 2, 3])
        let result = Histogram.count([0, 1, 1, 2, 3], bins: 3)
        #expect(result.counts == [1, 2, 2])
        #expect(result.edges == [0, 1, 2, 3])
    }

    @Test(arguments: [(1, 0), (7, 1), (10, 100), (3, 1000), (25, 57)])
    func matchesNaiveCounting(bins: Int, count: Int) {
        var generator = TestGenerator(state: UInt64(bins * 1000 + count))
        var values = (0..<count).map { _ in (generator.next() * 10).rounded() / 2 - 1 }
        if count > 10 { values[3] = .nan }
        let range: ClosedRange<Double>? = count % 2 == 0 ? nil : 0...3
        let result = Histogram.count(values, bins: bins, range: range)
        let finite = values.filter(\.isFinite)
        var low = range?.lowerBound ?? finite.min() ?? 0, high = range?.upperBound ?? finite.max() ?? 1
        if low == high { low -= 0.5; high += 0.5 }
        var expected = [Int](repeating: 0, count: bins)
        for value in finite {
            for bin in 0..<bins {
                let left = low + (high - low) * Double(bin) / Double(bins)
                let right = low + (high - low) * Double(bin + 1) / Double(bins)
                if value >= left && (value < right || (bin == bins - 1 && value <= right)) {
                    expected[bin] += 1
                    break
                }
            }
        }
        #expect(result.counts == expected)
        #expect(result.edges.count == bins + 1)
    }
}

@Suite struct DelaunayTests {
    static func randomPoints(_ count: Int, seed: UInt64) -> [Point] {
        var generator = TestGenerator(state: seed)
        return (0..<count).map { _ in Point(x: generator.next() * 7 - 2, y: generator.next() * 3 + 1) }
    }

    /// Number of points on the convex hull (Andrew's monotone chain, collinear points excluded).
    static func hullCount(_ points: [Point]) -> Int {
        let sorted = points.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        func cross(_ o: Point, _ a: Point, _ b: Point) -> Double { (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x) }
        var lower: [Point] = [], upper: [Point] = []
        for point in sorted {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], point) <= 0 { lower.removeLast() }
            lower.append(point)
        }
        for point in sorted.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], point) <= 0 { upper.removeLast() }
            upper.append(point)
        }
        return lower.count + upper.count - 2
    }

    @Test(arguments: [(3, 1), (4, 2), (10, 3), (60, 4), (400, 5)])
    func emptyCircumcirclesAndEulerCount(count: Int, seed: UInt64) throws {
        let points = DelaunayTests.randomPoints(count, seed: seed)
        let triangles = try #require(Delaunay.triangulate(points))
        #expect(triangles.count % 3 == 0)
        // Euler: a triangulation of n points with h on the hull has 2n − 2 − h triangles.
        #expect(triangles.count / 3 == 2 * count - 2 - DelaunayTests.hullCount(points))
        for start in stride(from: 0, to: triangles.count, by: 3) {
            let a = points[triangles[start]], b = points[triangles[start + 1]], c = points[triangles[start + 2]]
            let orientation = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
            #expect(orientation > 0, "triangle \(start / 3) is not counter-clockwise")
            // Naive empty-circumcircle check against every other point.
            let d = 2 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y))
            let ux = ((a.x * a.x + a.y * a.y) * (b.y - c.y) + (b.x * b.x + b.y * b.y) * (c.y - a.y)
                + (c.x * c.x + c.y * c.y) * (a.y - b.y)) / d
            let uy = ((a.x * a.x + a.y * a.y) * (c.x - b.x) + (b.x * b.x + b.y * b.y) * (a.x - c.x)
                + (c.x * c.x + c.y * c.y) * (b.x - a.x)) / d
            let radius = hypot(a.x - ux, a.y - uy)
            for (index, point) in points.enumerated() where ![triangles[start], triangles[start + 1], triangles[start + 2]].contains(index) {
                #expect(hypot(point.x - ux, point.y - uy) >= radius * (1 - 1e-9))
            }
        }
    }

    @Test func degenerateInputs() {
        #expect(Delaunay.triangulate([Point(x: 0, y: 0), Point(x: 1, y: 1)]) == nil)
        #expect(Delaunay.triangulate((0..<5).map { Point(x: Double($0), y: 2 * Double($0)) }) == nil)
        let square = [Point(x: 0, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1), Point(x: 0, y: 1), Point(x: 1, y: 1)]
        let triangles = Delaunay.triangulate(square)
        #expect(triangles?.count == 6, "repeated points are skipped")
        #expect(triangles?.contains(4) == false)
    }

    @Test func longEdgesAreRemoved() throws {
        // Two clusters far apart: the bridging triangles have long edges.
        var points = DelaunayTests.randomPoints(30, seed: 9)
        points += points.map { Point(x: $0.x + 100, y: $0.y) }
        let all = try #require(Delaunay.triangulate(points))
        let kept = Delaunay.removingLongEdges(all, points: points, maxEdgeLength: nil)
        #expect(kept.count < all.count)
        for start in stride(from: 0, to: kept.count, by: 3) {
            let sides = Set(kept[start..<(start + 3)].map { $0 < 30 })
            #expect(sides.count == 1, "a kept triangle bridges the clusters")
        }
    }
}
