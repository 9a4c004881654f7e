/// Lays out a figure's title and panel grid and draws every panel.
struct FigureRenderer {
    let figure: Figure
    let canvas: Canvas

    /// Space around the panel grid, in points.
    static let outerPadding = 3.0

    /// The rectangle of panel `index`, below the figure title.
    func cell(_ index: Int) -> Rect {
        var top = FigureRenderer.outerPadding
        if let title = figure.title {
            top += canvas.measure(title, size: Style.figureTitleFont).height + 4
        }
        let padding = FigureRenderer.outerPadding
        let cellWidth = (figure.width - 2 * padding) / Double(figure.columns)
        let cellHeight = (figure.height - top - padding) / Double(figure.rows)
        let row = index / figure.columns, column = index % figure.columns
        return Rect(x: padding + Double(column) * cellWidth, y: top + Double(row) * cellHeight,
                    width: cellWidth, height: cellHeight)
    }

    func draw() throws {
        if let title = figure.title {
            canvas.draw(title, at: Point(x: figure.width / 2, y: FigureRenderer.outerPadding),
                        size: Style.figureTitleFont, vertical: .top)
        }
        for (index, panel) in figure.panels.enumerated() {
            let cell = cell(index)
            switch panel.content {
            case .axes:
                if panel.isEmpty && panel.title == nil { continue }
                try AxesRenderer(panel: panel, cell: cell, canvas: canvas).draw()
            case .images(let grid):
                MapRenderer(panel: panel, cell: cell, canvas: canvas).drawImages(grid)
            case .flatMap(let map):
                MapRenderer(panel: panel, cell: cell, canvas: canvas).drawFlatMap(map)
            case .surface(let surface):
                MapRenderer(panel: panel, cell: cell, canvas: canvas).drawSurface(surface)
            }
        }
    }
}

extension Canvas {
    /// Draws a panel title centred above `area` and returns the area left below it.
    func drawTitle(_ title: String?, over area: Rect) -> Rect {
        guard let title else { return area }
        let height = measure(title, size: Style.titleFont).height
        draw(title, at: Point(x: area.x + area.width / 2, y: area.y), size: Style.titleFont, vertical: .top)
        return area.inset(left: 0, right: 0, top: height + Style.titlePad, bottom: 0)
    }
}
