import Foundation

/// Draws the panels without axes: image grids, flat cortical maps and surface meshes.
struct MapRenderer {
    let panel: Panel
    let cell: Rect
    let canvas: Canvas

    /// The drawing area below the title and left of the colour bar, and the colour bar's rectangle.
    func areas() -> (map: Rect, colorbar: Rect?) {
        var area = cell.inset(left: 4, right: 4, top: 4, bottom: 4)
        if let title = panel.title {
            area = area.inset(left: 0, right: 0, top: canvas.measure(title, size: Style.titleFont).height
                              + Style.titlePad, bottom: 0)
        }
        guard let colorbar = panel.colorbar else { return (area, nil) }
        let width = ColorbarRenderer(specification: colorbar, canvas: canvas).requiredWidth(height: area.height)
        area = area.inset(left: 0, right: width, top: 0, bottom: 0)
        let barHeight = area.height * 0.8
        return (area, Rect(x: area.maxX + ColorbarRenderer.gap, y: area.y + (area.height - barHeight) / 2,
                           width: ColorbarRenderer.width, height: barHeight))
    }

    /// Draws the title and colour bar and returns the area left for the map.
    private func mapArea() -> Rect {
        _ = canvas.drawTitle(panel.title, over: cell.inset(left: 4, right: 4, top: 4, bottom: 4))
        let (area, bar) = areas()
        if let colorbar = panel.colorbar, let bar {
            ColorbarRenderer(specification: colorbar, canvas: canvas).draw(in: bar)
        }
        return area
    }

    /// The flat map's bounding box on the page and the mapping of a data point into it (y up).
    func flatMapPlacement(_ map: FlatMapContent, in area: Rect) -> (box: Rect, page: (Double, Double) -> Point) {
        let minX = map.x.min() ?? 0, maxX = map.x.max() ?? 1, minY = map.y.min() ?? 0, maxY = map.y.max() ?? 1
        let spanX = Swift.max(maxX - minX, 1e-12), spanY = Swift.max(maxY - minY, 1e-12)
        let box = area.fitted(aspect: spanX / spanY)
        let scale = box.width / spanX
        return (box, { x, y in Point(x: box.minX + (x - minX) * scale, y: box.maxY - (y - minY) * scale) })
    }

    // MARK: Image grids

    func drawImages(_ grid: ImageGridContent) {
        let area = mapArea()
        let count = grid.images.count
        guard count > 0, area.width > 0, area.height > 0 else { return }
        let gap = 4.0
        let titleHeight = grid.titles == nil ? 0 : canvas.measure("Ag", size: Style.smallFont).height + 2
        // Largest common scale; all images are the same size.
        let imageWidth = Double(grid.images[0].width), imageHeight = Double(grid.images[0].height)
        func scale(columns: Int) -> Double {
            let rows = (count + columns - 1) / columns
            let cellWidth = (area.width - gap * Double(columns - 1)) / Double(columns)
            let cellHeight = (area.height - gap * Double(rows - 1)) / Double(rows) - titleHeight
            return Swift.min(cellWidth / Swift.max(imageWidth, 1), cellHeight / Swift.max(imageHeight, 1))
        }
        let columns = grid.columns ?? (1...count).max { scale(columns: $0) < scale(columns: $1) } ?? 1
        let rows = (count + columns - 1) / columns
        let factor = Swift.max(0, scale(columns: columns))
        let width = imageWidth * factor, height = imageHeight * factor
        let totalWidth = Double(columns) * width + Double(columns - 1) * gap
        let totalHeight = Double(rows) * (height + titleHeight) + Double(rows - 1) * gap
        let left = area.x + (area.width - totalWidth) / 2, top = area.y + (area.height - totalHeight) / 2
        for (index, image) in grid.images.enumerated() {
            let x = left + Double(index % columns) * (width + gap)
            let y = top + Double(index / columns) * (height + titleHeight + gap)
            if let title = grid.titles?[index] {
                canvas.draw(title, at: Point(x: x + width / 2, y: y + titleHeight - 2), size: Style.smallFont,
                            vertical: .bottom)
            }
            canvas.drawImage(image, x: x, y: y + titleHeight, width: width, height: height, smooth: true)
        }
    }

    // MARK: Flat maps

    /// The colour of a vertex: the colour map at its value, or the below-threshold colour.
    private func vertexColor(_ value: Double, map: Colormap, limits: ClosedRange<Double>, threshold: VertexThreshold,
                             below: Color) -> Color {
        threshold.hides(value) ? below : map.color(of: value, limits: limits)
    }

    func drawFlatMap(_ map: FlatMapContent) {
        let area = mapArea()
        guard !map.x.isEmpty else { return }
        let placement = flatMapPlacement(map, in: area)
        func page(_ index: Int) -> Point { placement.page(map.x[index], map.y[index]) }
        let colors = map.values.map {
            vertexColor($0, map: map.colormap, limits: map.limits, threshold: map.threshold,
                        below: map.belowThresholdColor)
        }
        var triangles: [Canvas.ShadedTriangle] = []
        triangles.reserveCapacity(map.triangles.count / 3)
        for start in stride(from: 0, to: map.triangles.count, by: 3) {
            let (a, b, c) = (map.triangles[start], map.triangles[start + 1], map.triangles[start + 2])
            triangles.append(Canvas.ShadedTriangle(points: (page(a), page(b), page(c)),
                                                   colors: (colors[a], colors[b], colors[c])))
        }
        canvas.drawShadedTriangles(triangles)
        guard let regions = map.regions else { return }
        // Region outlines: segments through the midpoints of triangle edges whose ends carry different labels.
        canvas.setColor(map.outlineColor)
        canvas.setLineWidth(map.outlineWidth)
        canvas.setLineCap(.round)
        for start in stride(from: 0, to: map.triangles.count, by: 3) {
            let corners = [map.triangles[start], map.triangles[start + 1], map.triangles[start + 2]]
            let labels = corners.map { regions[$0] }
            if labels[0] == labels[1] && labels[1] == labels[2] { continue }
            let points = corners.map(page)
            if isSliver(points) { continue }
            func midpoint(_ i: Int, _ j: Int) -> Point {
                Point(x: (points[i].x + points[j].x) / 2, y: (points[i].y + points[j].y) / 2)
            }
            if labels[0] != labels[1] && labels[1] != labels[2] && labels[0] != labels[2] {
                let centroid = Point(x: (points[0].x + points[1].x + points[2].x) / 3,
                                     y: (points[0].y + points[1].y + points[2].y) / 3)
                for (i, j) in [(0, 1), (1, 2), (2, 0)] {
                    let middle = midpoint(i, j)
                    canvas.moveTo(middle.x, middle.y)
                    canvas.lineTo(centroid.x, centroid.y)
                }
            } else {
                let crossing = [(0, 1), (1, 2), (2, 0)].filter { labels[$0.0] != labels[$0.1] }
                let from = midpoint(crossing[0].0, crossing[0].1), to = midpoint(crossing[1].0, crossing[1].1)
                canvas.moveTo(from.x, from.y)
                canvas.lineTo(to.x, to.y)
            }
        }
        canvas.stroke()
        canvas.setLineCap(.butt)
    }

    /// True for a triangle much thinner than long (twice its area below 5% of its longest edge squared): such
    /// slivers lie along the hull of a triangulation, and an outline through them would be a stray tick on the edge.
    private func isSliver(_ points: [Point]) -> Bool {
        let doubleArea = abs((points[1].x - points[0].x) * (points[2].y - points[0].y)
            - (points[1].y - points[0].y) * (points[2].x - points[0].x))
        func squaredLength(_ i: Int, _ j: Int) -> Double {
            let dx = points[i].x - points[j].x, dy = points[i].y - points[j].y
            return dx * dx + dy * dy
        }
        let longest = Swift.max(squaredLength(0, 1), squaredLength(1, 2), squaredLength(2, 0))
        return doubleArea < 0.05 * longest
    }

    // MARK: Surfaces

    func drawSurface(_ surface: SurfaceContent) {
        let area = mapArea()
        let labelHeight = canvas.measure("lateral", size: Style.smallFont).height + 2
        let views = surface.views
        let slotWidth = area.width / Double(views.count)
        let slotHeight = area.height - labelHeight
        guard slotWidth > 0, slotHeight > 0 else { return }
        let normals = SurfaceProjection.vertexNormals(vertices: surface.vertices, faces: surface.faces)
        let projections = views.map {
            SurfaceProjection(view: $0, hemisphere: surface.hemisphere, vertices: surface.vertices)
        }
        // One scale for every view, so that the views compare.
        let scale = projections.map { projection in
            Swift.min(slotWidth * 0.96 / Swift.max(projection.width, 1e-12),
                      slotHeight * 0.96 / Swift.max(projection.height, 1e-12))
        }.min() ?? 1
        let baseColors = surface.values.map {
            vertexColor($0, map: surface.colormap, limits: surface.limits, threshold: surface.threshold,
                        below: surface.belowThresholdColor)
        }
        for (slot, projection) in projections.enumerated() {
            let center = Point(x: area.x + slotWidth * (Double(slot) + 0.5), y: area.y + slotHeight / 2)
            let shades = projection.lambertShades(normals: normals)
            let colors = zip(baseColors, shades).map { $0.shaded($1) }
            var triangles: [Canvas.ShadedTriangle] = []
            triangles.reserveCapacity(surface.faces.count / 3)
            for face in projection.facesFarToNear(surface.faces) {
                let (a, b, c) = (surface.faces[face * 3], surface.faces[face * 3 + 1], surface.faces[face * 3 + 2])
                triangles.append(Canvas.ShadedTriangle(
                    points: (projection.page(a, center: center, scale: scale),
                             projection.page(b, center: center, scale: scale),
                             projection.page(c, center: center, scale: scale)),
                    colors: (colors[a], colors[b], colors[c])))
            }
            canvas.drawShadedTriangles(triangles)
            canvas.draw(views[slot].rawValue, at: Point(x: center.x, y: area.y + slotHeight + labelHeight),
                        size: Style.smallFont, vertical: .bottom, color: Color(white: 0.35))
        }
    }
}
