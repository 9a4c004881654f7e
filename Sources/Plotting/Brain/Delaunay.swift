/// Delaunay triangulation of points in the plane (Bowyer–Watson with neighbour links, points inserted in a
/// spatially sorted order so that each point is found by a short walk from the previous one).
enum Delaunay {
    /// Triangles as vertex indices (three per triangle, counter-clockwise in y-up coordinates) over the distinct
    /// points; nil when fewer than three distinct points exist or all lie on one line. Repeated points are skipped.
    static func triangulate(_ points: [Point]) -> [Int]? {
        guard points.count >= 3 else { return nil }
        // Work in a unit box so that the tolerances and the enclosing triangle do not depend on the data's units.
        let minX = points.map(\.x).min()!, maxX = points.map(\.x).max()!
        let minY = points.map(\.y).min()!, maxY = points.map(\.y).max()!
        let span = Swift.max(maxX - minX, maxY - minY)
        guard span > 0, span.isFinite else { return nil }
        var coordinates = points.map { Point(x: ($0.x - minX) / span, y: ($0.y - minY) / span) }
        let count = coordinates.count
        // An enclosing triangle far outside the unit box; its corners are removed at the end.
        coordinates.append(Point(x: -50, y: -50))
        coordinates.append(Point(x: 50, y: -50))
        coordinates.append(Point(x: 0.5, y: 50))
        var mesh = Mesh(points: coordinates)
        mesh.addTriangle(count, count + 1, count + 2, neighbours: (-1, -1, -1))

        var seen = Set<Point.Key>()
        for index in insertionOrder(coordinates, count: count) where seen.insert(coordinates[index].key).inserted {
            mesh.insert(index)
        }
        var result: [Int] = []
        for triangle in 0..<mesh.alive.count where mesh.alive[triangle] {
            let corners = (0..<3).map { mesh.vertices[triangle * 3 + $0] }
            if corners.allSatisfy({ $0 < count }) { result.append(contentsOf: corners) }
        }
        guard !result.isEmpty else { return nil }
        return fillingHullPockets(result, points: coordinates)
    }

    /// A finite enclosing triangle can leave thin pockets along the convex hull untriangulated (the hull triangles'
    /// circumcircles reach its corners). Walks the boundary counter-clockwise and closes every right turn a → b → c
    /// with triangle (a, c, b) until the boundary is convex.
    private static func fillingHullPockets(_ triangles: [Int], points: [Point]) -> [Int] {
        var directed = Set<[Int]>()
        for start in stride(from: 0, to: triangles.count, by: 3) {
            for corner in 0..<3 {
                directed.insert([triangles[start + corner], triangles[start + (corner + 1) % 3]])
            }
        }
        var next: [Int: Int] = [:]
        for edge in directed where !directed.contains([edge[1], edge[0]]) {
            // A vertex touching the boundary twice (a pinch) makes the loop ambiguous: leave the triangulation as is.
            guard next[edge[0]] == nil else { return triangles }
            next[edge[0]] = edge[1]
        }
        guard var current = next.keys.min() else { return triangles }
        var result = triangles
        func rightTurn(_ a: Int, _ b: Int, _ c: Int) -> Bool {
            let pa = points[a], pb = points[b], pc = points[c]
            return (pb.x - pa.x) * (pc.y - pb.y) - (pb.y - pa.y) * (pc.x - pb.x) < -1e-15
        }
        var stepsWithoutChange = 0
        while stepsWithoutChange <= next.count, next.count > 3 {
            guard let b = next[current], let c = next[b] else { return triangles }
            if rightTurn(current, b, c) {
                result += [current, c, b]
                next[current] = c
                next[b] = nil
                stepsWithoutChange = 0
            } else {
                current = b
                stepsWithoutChange += 1
            }
        }
        return result
    }

    /// `triangles` without those having an edge longer than `maxEdgeLength` (default 4 × the median edge length).
    static func removingLongEdges(_ triangles: [Int], points: [Point], maxEdgeLength: Double?) -> [Int] {
        func length(_ a: Int, _ b: Int) -> Double {
            let dx = points[a].x - points[b].x, dy = points[a].y - points[b].y
            return (dx * dx + dy * dy).squareRoot()
        }
        var longest: [Double] = []
        var edges: [Double] = []
        for start in stride(from: 0, to: triangles.count, by: 3) {
            let lengths = [length(triangles[start], triangles[start + 1]),
                           length(triangles[start + 1], triangles[start + 2]),
                           length(triangles[start + 2], triangles[start])]
            longest.append(lengths.max()!)
            edges.append(contentsOf: lengths)
        }
        guard !edges.isEmpty else { return triangles }
        let limit = maxEdgeLength ?? 4 * edges.sorted()[edges.count / 2]
        var kept: [Int] = []
        for (triangle, edge) in longest.enumerated() where edge <= limit {
            kept.append(contentsOf: triangles[(triangle * 3)..<(triangle * 3 + 3)])
        }
        return kept
    }

    /// Points ordered row by row of a √n × √n grid, alternating direction (a snake), so consecutive points are close.
    private static func insertionOrder(_ points: [Point], count: Int) -> [Int] {
        let side = Swift.max(1, Int(Double(count).squareRoot() / 2))
        func row(_ index: Int) -> Int { Swift.min(side - 1, Int(points[index].y * Double(side))) }
        return (0..<count).sorted { a, b in
            let rowA = row(a), rowB = row(b)
            if rowA != rowB { return rowA < rowB }
            return rowA % 2 == 0 ? points[a].x < points[b].x : points[a].x > points[b].x
        }
    }

    /// Triangles with neighbour links: `neighbours[3t + k]` is the triangle across the edge opposite corner k.
    private struct Mesh {
        var points: [Point]
        var vertices: [Int] = []
        var neighbours: [Int] = []
        var alive: [Bool] = []
        var lastTriangle = 0

        init(points: [Point]) { self.points = points }

        mutating func addTriangle(_ a: Int, _ b: Int, _ c: Int, neighbours links: (Int, Int, Int)) {
            vertices += [a, b, c]
            neighbours += [links.0, links.1, links.2]
            alive.append(true)
        }

        /// Twice the signed area of (a, b, c): positive when counter-clockwise.
        func orientation(_ a: Int, _ b: Int, _ p: Point) -> Double {
            let pa = points[a], pb = points[b]
            return (pb.x - pa.x) * (p.y - pa.y) - (pb.y - pa.y) * (p.x - pa.x)
        }

        /// True when `p` lies strictly inside the circumcircle of counter-clockwise triangle t.
        func circumcircleContains(_ triangle: Int, _ p: Point) -> Bool {
            let a = points[vertices[triangle * 3]], b = points[vertices[triangle * 3 + 1]]
            let c = points[vertices[triangle * 3 + 2]]
            let adx = a.x - p.x, ady = a.y - p.y
            let bdx = b.x - p.x, bdy = b.y - p.y
            let cdx = c.x - p.x, cdy = c.y - p.y
            let determinant = (adx * adx + ady * ady) * (bdx * cdy - cdx * bdy)
                - (bdx * bdx + bdy * bdy) * (adx * cdy - cdx * ady)
                + (cdx * cdx + cdy * cdy) * (adx * bdy - bdx * ady)
            return determinant > 1e-14
        }

        /// A triangle containing `p`: a walk toward it, or a full scan if the walk does not settle.
        func locate(_ p: Point) -> Int {
            var triangle = alive[lastTriangle] ? lastTriangle : alive.lastIndex(of: true)!
            var steps = 0
            walk: while steps < 4 * Int(Double(alive.count).squareRoot()) + 64 {
                steps += 1
                for corner in 0..<3 {
                    let a = vertices[triangle * 3 + (corner + 1) % 3], b = vertices[triangle * 3 + (corner + 2) % 3]
                    let next = neighbours[triangle * 3 + corner]
                    if orientation(a, b, p) < 0 && next >= 0 {
                        triangle = next
                        continue walk
                    }
                }
                return triangle
            }
            for candidate in 0..<alive.count where alive[candidate] {
                let inside = (0..<3).allSatisfy { corner in
                    orientation(vertices[candidate * 3 + (corner + 1) % 3],
                                vertices[candidate * 3 + (corner + 2) % 3], p) >= 0
                }
                if inside { return candidate }
            }
            return triangle
        }

        mutating func insert(_ index: Int) {
            let p = points[index]
            let start = locate(p)
            // The cavity: connected triangles whose circumcircle contains p.
            var cavity = [start]
            var inCavity: Set<Int> = [start]
            var cursor = 0
            while cursor < cavity.count {
                let triangle = cavity[cursor]
                cursor += 1
                for corner in 0..<3 {
                    let next = neighbours[triangle * 3 + corner]
                    if next >= 0 && !inCavity.contains(next) && circumcircleContains(next, p) {
                        inCavity.insert(next)
                        cavity.append(next)
                    }
                }
            }
            // Fan the cavity's boundary edges to p, then link the new triangles to each other.
            var startingAt: [Int: Int] = [:]
            var endingAt: [Int: Int] = [:]
            var created: [Int] = []
            for triangle in cavity {
                for corner in 0..<3 {
                    let outside = neighbours[triangle * 3 + corner]
                    if outside >= 0 && inCavity.contains(outside) { continue }
                    let a = vertices[triangle * 3 + (corner + 1) % 3], b = vertices[triangle * 3 + (corner + 2) % 3]
                    let new = alive.count
                    addTriangle(a, b, index, neighbours: (-1, -1, outside))
                    if outside >= 0 {
                        for side in 0..<3 where neighbours[outside * 3 + side] == triangle {
                            neighbours[outside * 3 + side] = new
                        }
                    }
                    startingAt[a] = new
                    endingAt[b] = new
                    created.append(new)
                }
            }
            for triangle in cavity { alive[triangle] = false }
            for new in created {
                let a = vertices[new * 3], b = vertices[new * 3 + 1]
                neighbours[new * 3] = startingAt[b] ?? -1
                neighbours[new * 3 + 1] = endingAt[a] ?? -1
            }
            lastTriangle = created.last ?? lastTriangle
        }
    }
}

extension Point {
    /// Exact coordinates, to skip repeated points.
    struct Key: Hashable { var x: Double; var y: Double }
    var key: Key { Key(x: x, y: y) }
}
