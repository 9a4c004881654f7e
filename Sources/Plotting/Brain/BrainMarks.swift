import Tensors

extension Panel {
    /// Values on a flat cortical sheet, drawn as a smooth map with a colour bar.
    ///
    /// Each vertex i sits at (x[i], y[i]) (y up) with value values[i]. Triangles come from `triangles` [t, 3] (int64
    /// vertex indices) or, when nil, from the Delaunay triangulation of the points, dropping triangles with an edge
    /// longer than `maxEdgeLength` (default: 4 × the median edge, which removes the hull's bridges across cuts and
    /// concavities). Colours are blended across each triangle from its corners (Gouraud shading).
    /// With `regions` [v] (integer labels), outlines are drawn where labels change: through the midpoints of triangle
    /// edges whose ends have different labels. With `threshold`, vertices whose value is below it (with
    /// `thresholdBothSigns`, whose |value| is below it, for signed maps) or NaN are drawn in `belowThresholdColor`
    /// (default light grey; pass a transparent colour to hide them); default limits come from the values shown.
    /// Colour limits as `heatmap`.
    /// Throws `PlottingError` (`plot.flatMap`) for inputs that are not 1-D or of different lengths, non-finite
    /// coordinates, triangles of another shape or with out-of-range indices, fewer than 3 distinct points to
    /// triangulate, an unknown colour map, invalid limits, or a panel that already holds something.
    public mutating func flatMap(x: Tensor, y: Tensor, values: Tensor, regions: Tensor? = nil,
                                 triangles: Tensor? = nil, colormap: String = "viridis",
                                 limits: ClosedRange<Double>? = nil, threshold: Double? = nil,
                                 thresholdBothSigns: Bool = false,
                                 belowThresholdColor: Color = .lightGrey, outlineColor: Color = .black,
                                 outlineWidth: Double = 0.75, maxEdgeLength: Double? = nil,
                                 colorbarLabel: String? = nil) throws {
        let operation = "plot.flatMap"
        try requireEmpty(operation, what: "a flat map")
        let xValues = try TensorInput.vector(x, name: "x", operation: operation)
        let yValues = try TensorInput.vector(y, name: "y", matching: xValues.count, reference: "x",
                                             operation: operation)
        let data = try TensorInput.vector(values, name: "values", matching: xValues.count, reference: "x",
                                          operation: operation)
        try TensorInput.requireFinite(xValues, name: "x", operation: operation)
        try TensorInput.requireFinite(yValues, name: "y", operation: operation)
        var labels: [Int]?
        if let regions {
            let raw = try TensorInput.vector(regions, name: "regions", matching: xValues.count, reference: "x",
                                             operation: operation)
            labels = try raw.map { value in
                guard value.isFinite, value == value.rounded() else {
                    throw PlottingError(operation, "regions must be integer labels, got \(value)")
                }
                return Int(value)
            }
        }
        if let maxEdgeLength { try Panel.requirePositive(maxEdgeLength, name: "maxEdgeLength", operation: operation) }
        try Panel.requirePositive(outlineWidth, name: "outlineWidth", operation: operation)
        let triangleIndices: [Int]
        if let triangles {
            triangleIndices = try TensorInput.indexRows(triangles, width: 3, name: "triangles",
                                                        limit: xValues.count, limitName: "vertices",
                                                        operation: operation)
        } else {
            let points = zip(xValues, yValues).map { Point(x: $0, y: $1) }
            guard let triangulation = Delaunay.triangulate(points) else {
                throw PlottingError(operation, "a flat map needs at least 3 points not all on one line, within "
                                    + "a finite span, got \(xValues.count)")
            }
            triangleIndices = Delaunay.removingLongEdges(triangulation, points: points, maxEdgeLength: maxEdgeLength)
        }
        try TensorInput.requireLimits(limits, name: "limits", operation: operation)
        let map = try Colormap(named: colormap, operation: operation)
        if let threshold, !threshold.isFinite {
            throw PlottingError(operation, "threshold must be finite, got \(threshold)")
        }
        let hiding = VertexThreshold(level: threshold, bothSigns: thresholdBothSigns)
        let shown = data.filter { !hiding.hides($0) }
        let range = limits ?? map.defaultLimits(shown)
        content = .flatMap(FlatMapContent(x: xValues, y: yValues, values: data, regions: labels,
                                          triangles: triangleIndices, colormap: map, limits: range,
                                          threshold: hiding, belowThresholdColor: belowThresholdColor,
                                          outlineColor: outlineColor, outlineWidth: outlineWidth))
        colorbar = ColorbarSpecification(colormap: map, limits: range, label: colorbarLabel)
    }

    /// Values on a cortical surface mesh, seen from one or more `views` side by side, with a colour bar.
    ///
    /// - vertices: [v, 3] coordinates (x right, y anterior, z superior: RAS, as FreeSurfer and GIfTI store them).
    /// - faces: [f, 3] int64 vertex indices. values: [v].
    /// Each view is an orthographic projection; triangles are painted far to near (painter's algorithm) and shaded
    /// with Lambert lighting from the viewer: colour × (0.35 + 0.65 |n · d|), n the vertex normal (area-weighted mean
    /// of its faces' normals), d the viewing direction; colours are blended across triangles (Gouraud). All views share
    /// one scale. Thresholds as `flatMap`. Colour limits as `heatmap`.
    /// Throws `PlottingError` (`plot.surface`) for shapes other than these, out-of-range face indices, non-finite
    /// coordinates, no views, an unknown colour map, invalid limits, or a panel that already holds something.
    public mutating func surface(vertices: Tensor, faces: Tensor, values: Tensor,
                                 views: [SurfaceView] = [.lateral, .medial], hemisphere: Hemisphere = .left,
                                 colormap: String = "viridis", limits: ClosedRange<Double>? = nil,
                                 threshold: Double? = nil, thresholdBothSigns: Bool = false,
                                 belowThresholdColor: Color = .lightGrey, colorbarLabel: String? = nil) throws {
        let operation = "plot.surface"
        try requireEmpty(operation, what: "a surface")
        guard vertices.rank == 2, vertices.shape[1] == 3 else {
            throw PlottingError(operation, "vertices must have shape [count, 3], got \(formatShape(vertices.shape))")
        }
        let coordinates = vertices.scalars(as: Double.self)
        try TensorInput.requireFinite(coordinates, name: "vertices", operation: operation)
        let count = vertices.shape[0]
        let faceIndices = try TensorInput.indexRows(faces, width: 3, name: "faces", limit: count,
                                                    limitName: "vertices", operation: operation)
        let data = try TensorInput.vector(values, name: "values", operation: operation)
        guard data.count == count else {
            throw PlottingError(operation, "vertices has \(count) rows but values has \(data.count)")
        }
        guard !views.isEmpty else { throw PlottingError(operation, "give at least one view") }
        try TensorInput.requireLimits(limits, name: "limits", operation: operation)
        let map = try Colormap(named: colormap, operation: operation)
        if let threshold, !threshold.isFinite {
            throw PlottingError(operation, "threshold must be finite, got \(threshold)")
        }
        let hiding = VertexThreshold(level: threshold, bothSigns: thresholdBothSigns)
        let shown = data.filter { !hiding.hides($0) }
        let range = limits ?? map.defaultLimits(shown)
        content = .surface(SurfaceContent(vertices: coordinates, faces: faceIndices, values: data, views: views,
                                          hemisphere: hemisphere, colormap: map, limits: range, threshold: hiding,
                                          belowThresholdColor: belowThresholdColor))
        colorbar = ColorbarSpecification(colormap: map, limits: range, label: colorbarLabel)
    }
}
