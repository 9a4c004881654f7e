/// An orthographic view of a surface mesh: screen axes `right` and `up`, and the viewing direction `forward`
/// (from the viewer into the scene), all unit vectors with right = forward × up.
struct SurfaceProjection {
    let right: (Double, Double, Double)
    let up: (Double, Double, Double)
    let forward: (Double, Double, Double)
    let vertices: [Double]
    /// Projected bounding box, in data units.
    let minimumX: Double, maximumX: Double, minimumY: Double, maximumY: Double

    var width: Double { maximumX - minimumX }
    var height: Double { maximumY - minimumY }

    init(view: SurfaceView, hemisphere: Hemisphere, vertices: [Double]) {
        // The lateral side of the left hemisphere faces −x, of the right +x.
        let outward = hemisphere == .left ? -1.0 : 1.0
        switch view {
        case .lateral: (forward, up) = ((-outward, 0, 0), (0, 0, 1))
        case .medial: (forward, up) = ((outward, 0, 0), (0, 0, 1))
        case .ventral: (forward, up) = ((0, 0, 1), (0, 1, 0))
        case .dorsal: (forward, up) = ((0, 0, -1), (0, 1, 0))
        }
        right = SurfaceProjection.cross(forward, up)
        self.vertices = vertices
        var minimumX = Double.infinity, maximumX = -Double.infinity
        var minimumY = Double.infinity, maximumY = -Double.infinity
        for vertex in 0..<(vertices.count / 3) {
            let point = (vertices[vertex * 3], vertices[vertex * 3 + 1], vertices[vertex * 3 + 2])
            let x = SurfaceProjection.dot(point, right), y = SurfaceProjection.dot(point, up)
            minimumX = Swift.min(minimumX, x)
            maximumX = Swift.max(maximumX, x)
            minimumY = Swift.min(minimumY, y)
            maximumY = Swift.max(maximumY, y)
        }
        if minimumX > maximumX { (minimumX, maximumX, minimumY, maximumY) = (0, 0, 0, 0) }
        (self.minimumX, self.maximumX, self.minimumY, self.maximumY) = (minimumX, maximumX, minimumY, maximumY)
    }

    private func point(_ vertex: Int) -> (Double, Double, Double) {
        (vertices[vertex * 3], vertices[vertex * 3 + 1], vertices[vertex * 3 + 2])
    }

    /// The page position of a vertex, the view's bounding box centred on `center`, `scale` points per unit.
    func page(_ vertex: Int, center: Point, scale: Double) -> Point {
        let p = point(vertex)
        let x = SurfaceProjection.dot(p, right) - (minimumX + maximumX) / 2
        let y = SurfaceProjection.dot(p, up) - (minimumY + maximumY) / 2
        return Point(x: center.x + x * scale, y: center.y - y * scale)
    }

    /// Face indices sorted by mean depth along `forward`, farthest first (painter's algorithm).
    func facesFarToNear(_ faces: [Int]) -> [Int] {
        let count = faces.count / 3
        let depths = (0..<count).map { face in
            (0..<3).reduce(0.0) { $0 + SurfaceProjection.dot(point(faces[face * 3 + $1]), forward) }
        }
        return (0..<count).sorted { depths[$0] > depths[$1] }
    }

    /// Lambert shading from a light at the viewer: 0.35 + 0.65 |n · forward| per vertex.
    func lambertShades(normals: [Double]) -> [Double] {
        (0..<(normals.count / 3)).map { vertex in
            let normal = (normals[vertex * 3], normals[vertex * 3 + 1], normals[vertex * 3 + 2])
            return 0.35 + 0.65 * abs(SurfaceProjection.dot(normal, forward))
        }
    }

    /// Unit vertex normals: the sum of the adjacent faces' cross products (so larger faces weigh more), normalised;
    /// zero for vertices in no face.
    static func vertexNormals(vertices: [Double], faces: [Int]) -> [Double] {
        var normals = [Double](repeating: 0, count: vertices.count)
        for face in 0..<(faces.count / 3) {
            let corners = (0..<3).map { faces[face * 3 + $0] }
            let p = corners.map { (vertices[$0 * 3], vertices[$0 * 3 + 1], vertices[$0 * 3 + 2]) }
            let normal = cross((p[1].0 - p[0].0, p[1].1 - p[0].1, p[1].2 - p[0].2),
                               (p[2].0 - p[0].0, p[2].1 - p[0].1, p[2].2 - p[0].2))
            for corner in corners {
                normals[corner * 3] += normal.0
                normals[corner * 3 + 1] += normal.1
                normals[corner * 3 + 2] += normal.2
            }
        }
        for vertex in 0..<(normals.count / 3) {
            let length = (normals[vertex * 3] * normals[vertex * 3] + normals[vertex * 3 + 1] * normals[vertex * 3 + 1]
                + normals[vertex * 3 + 2] * normals[vertex * 3 + 2]).squareRoot()
            if length > 0 {
                for axis in 0..<3 { normals[vertex * 3 + axis] /= length }
            }
        }
        return normals
    }

    static func dot(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double {
        a.0 * b.0 + a.1 * b.1 + a.2 * b.2
    }

    static func cross(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> (Double, Double, Double) {
        (a.1 * b.2 - a.2 * b.1, a.2 * b.0 - a.0 * b.2, a.0 * b.1 - a.1 * b.0)
    }
}
