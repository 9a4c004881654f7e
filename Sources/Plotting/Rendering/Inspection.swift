/// Where a figure puts a panel's parts, in PNG pixels (points × dpi / 72): for tests and for tools that annotate a
/// rendered figure.
struct PanelPixelGeometry {
    /// The axes rectangle (axes panels) or the map area (maps, image grids).
    var area: Rect
    var colorbar: Rect?
    /// Data coordinates to pixels.
    var pixel: (Double, Double) -> Point
}

extension Figure {
    func pixelGeometry(panel index: Int) throws -> PanelPixelGeometry {
        let panel = try panel(index)
        let canvas = try Canvas.image(pixelWidth: 1, pixelHeight: 1, scale: 1)
        let cell = FigureRenderer(figure: self, canvas: canvas).cell(index)
        let scale = dpi / 72
        func scaled(_ rect: Rect) -> Rect {
            Rect(x: rect.x * scale, y: rect.y * scale, width: rect.width * scale, height: rect.height * scale)
        }
        switch panel.content {
        case .axes:
            let geometry = try AxesRenderer(panel: panel, cell: cell, canvas: canvas).geometry()
            return PanelPixelGeometry(area: scaled(geometry.area), colorbar: geometry.colorbar.map(scaled)) { x, y in
                let point = geometry.transform.point(x, y)
                return Point(x: point.x * scale, y: point.y * scale)
            }
        case .flatMap(let map):
            let renderer = MapRenderer(panel: panel, cell: cell, canvas: canvas)
            let areas = renderer.areas()
            let placement = renderer.flatMapPlacement(map, in: areas.map)
            return PanelPixelGeometry(area: scaled(placement.box), colorbar: areas.colorbar.map(scaled)) { x, y in
                let point = placement.page(x, y)
                return Point(x: point.x * scale, y: point.y * scale)
            }
        case .images, .surface:
            let areas = MapRenderer(panel: panel, cell: cell, canvas: canvas).areas()
            return PanelPixelGeometry(area: scaled(areas.map), colorbar: areas.colorbar.map(scaled)) { x, y in
                Point(x: x * scale, y: y * scale)
            }
        }
    }
}
