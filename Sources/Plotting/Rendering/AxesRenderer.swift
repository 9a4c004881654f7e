import Foundation

/// Draws a panel with axes: margins from the measured tick and axis labels (a tight layout), data marks clipped to
/// the axes, left and bottom spines with outward ticks, labels, title, colour bar and legend.
struct AxesRenderer {
    let panel: Panel
    let cell: Rect
    let canvas: Canvas

    /// Where everything goes: the axes rectangle, the data transform, ticks and the tick font.
    struct Geometry {
        var layout: AxesLayout
        var area: Rect
        var transform: DataTransform
        var xTicks: Axis.Ticks
        var yTicks: Axis.Ticks
        var tickFont: Double
        var colorbar: Rect?
    }

    func geometry() throws -> Geometry {
        let layout = try AxesLayout.limits(of: panel)
        var tickFont = Style.tickFont
        // Two passes: the ticks depend on the axes' length, which depends on the labels' size.
        var area = axesRect(layout: layout, axesGuess: cell, tickFont: tickFont)
        // Per-cell labels shrink to the cell size; category and index ticks keep the normal size.
        if let matrix = layout.matrix, matrix.rowLabels != nil || matrix.columnLabels != nil, panel.xTicks == nil {
            let cellSize = area.width / Double(matrix.columns)
            tickFont = Swift.min(Style.tickFont, Swift.max(4, cellSize * 0.85))
        }
        area = axesRect(layout: layout, axesGuess: area, tickFont: tickFont)
        let xTicks = ticks(for: layout.x, horizontal: true, length: area.width, matrix: layout.matrix)
        let yTicks = ticks(for: layout.y, horizontal: false, length: area.height, matrix: layout.matrix)
        let colorbar = panel.colorbar == nil ? nil : Rect(x: area.maxX + ColorbarRenderer.gap, y: area.y,
                                                          width: ColorbarRenderer.width, height: area.height)
        return Geometry(layout: layout, area: area,
                        transform: DataTransform(area: area, xAxis: layout.x, yAxis: layout.y),
                        xTicks: xTicks, yTicks: yTicks, tickFont: tickFont, colorbar: colorbar)
    }

    func draw() throws {
        let geometry = try geometry()
        let (layout, area, transform) = (geometry.layout, geometry.area, geometry.transform)
        let (xTicks, yTicks, tickFont) = (geometry.xTicks, geometry.yTicks, geometry.tickFont)

        canvas.save()
        canvas.rectangle(area.x, area.y, area.width, area.height)
        canvas.clip()
        if panel.showGrid && layout.matrix == nil { drawGrid(xTicks: xTicks, yTicks: yTicks, transform: transform) }
        for mark in panel.marks { drawMark(mark, transform: transform) }
        canvas.restore()

        drawSpines(area: area, allFour: layout.matrix != nil)
        drawXTicks(xTicks, area: area, transform: transform, font: tickFont, matrix: layout.matrix)
        drawYTicks(yTicks, area: area, transform: transform, font: tickFont)
        drawLabels(area: area, xTicks: xTicks, yTicks: yTicks, tickFont: tickFont, matrix: layout.matrix)
        if let colorbar = panel.colorbar, let rect = geometry.colorbar {
            ColorbarRenderer(specification: colorbar, canvas: canvas).draw(in: rect)
        }
        if panel.legend != .hidden {
            LegendRenderer(panel: panel, canvas: canvas).draw(in: area, transform: transform)
        }
    }

    // MARK: Layout

    /// The axes rectangle inside the cell after reserving room for labels, title and colour bar.
    private func axesRect(layout: AxesLayout, axesGuess: Rect, tickFont: Double) -> Rect {
        let xTicks = ticks(for: layout.x, horizontal: true, length: axesGuess.width, matrix: layout.matrix)
        let yTicks = ticks(for: layout.y, horizontal: false, length: axesGuess.height, matrix: layout.matrix)
        let tickSpace = Style.tickLength + Style.tickPad
        let yLabelWidths = yTicks.labels.map { canvas.measure($0, size: tickFont).width }
        var left = 2 + tickSpace + (yLabelWidths.max() ?? 0)
        if let yLabel = panel.yLabel, !yLabel.isEmpty {
            left += canvas.measure(yLabel, size: Style.labelFont).height + Style.labelPad
        }
        let tickHeight = canvas.measure("0", size: tickFont).height
        var bottom = 2 + tickSpace
        if rotatesColumnLabels(xTicks, width: axesGuess.width, font: tickFont) {
            bottom += xTicks.labels.map { canvas.measure($0, size: tickFont).width }.max() ?? 0
        } else {
            bottom += tickHeight
        }
        if let xLabel = panel.xLabel, !xLabel.isEmpty {
            bottom += canvas.measure(xLabel, size: Style.labelFont).height + Style.labelPad
        }
        var top = Swift.max(4, tickHeight / 2 + 2)
        if let title = panel.title {
            top = canvas.measure(title, size: Style.titleFont).height + Style.titlePad + 2
        }
        if yTicks.multiplier != nil { top = Swift.max(top, tickHeight + 6) }
        var right = 4.0
        if let lastLabel = xTicks.labels.last, let lastPosition = xTicks.positions.last,
           !rotatesColumnLabels(xTicks, width: axesGuess.width, font: tickFont) {
            // The last x tick label may stick out past the axes' right end.
            let overhang = canvas.measure(lastLabel, size: tickFont).width / 2
                - (1 - layout.x.fraction(lastPosition)) * axesGuess.width
            right = Swift.max(right, overhang + 2)
        }
        if let colorbar = panel.colorbar {
            right = ColorbarRenderer(specification: colorbar, canvas: canvas).requiredWidth(height: axesGuess.height) + 4
        }
        var area = cell.inset(left: left, right: right, top: top, bottom: bottom)
        if layout.equalAspect {
            let aspect = (layout.x.high - layout.x.low) / (layout.y.high - layout.y.low)
            area = area.fitted(aspect: aspect)
        }
        return area
    }

    private func rotatesColumnLabels(_ ticks: Axis.Ticks, width: Double, font: Double) -> Bool {
        guard ticks.labels.count > 1 else { return false }
        let spacing = width / Double(ticks.labels.count)
        let widest = ticks.labels.map { canvas.measure($0, size: font).width }.max() ?? 0
        return widest > spacing * 0.95
    }

    private func ticks(for axis: Axis, horizontal: Bool, length: Double, matrix: HeatmapMark?) -> Axis.Ticks {
        let explicit = horizontal ? panel.xTicks : panel.yTicks
        if let explicit {
            let inside = zip(explicit.positions, explicit.labels).filter {
                $0.0 >= Swift.min(axis.low, axis.high) - 1e-9 && $0.0 <= Swift.max(axis.low, axis.high) + 1e-9
            }
            return Axis.Ticks(positions: inside.map(\.0), labels: inside.map { TickLabel(text: $0.1) })
        }
        if let matrix {
            let labels = horizontal ? matrix.columnLabels : matrix.rowLabels
            let count = horizontal ? matrix.columns : matrix.rows
            if let labels {
                return Axis.Ticks(positions: (0..<count).map(Double.init), labels: labels.map { TickLabel(text: $0) })
            }
            // Integer cell indices only.
            var ticks = Axis.linearTicks(low: 0, high: Double(count - 1), maximumCount: Swift.min(count, 6))
            let keep = ticks.positions.indices.filter { ticks.positions[$0] == ticks.positions[$0].rounded() }
            ticks.positions = keep.map { ticks.positions[$0] }
            ticks.labels = keep.map { TickLabel(text: Axis.formatNumber(ticks.positions[$0], decimals: 0)) }
            if ticks.positions.isEmpty { ticks = Axis.Ticks(positions: [0], labels: [TickLabel(text: "0")]) }
            return ticks
        }
        // matplotlib's tick space: about three label heights per x tick, two and a half per y tick.
        let spacing = Style.tickFont * (horizontal ? 3 : 2.5)
        return axis.ticks(maximumCount: Swift.max(2, Swift.min(10, Int(length / spacing) + 1)))
    }

    // MARK: Decorations

    private func drawGrid(xTicks: Axis.Ticks, yTicks: Axis.Ticks, transform: DataTransform) {
        let color = Color(white: 0.88)
        for position in xTicks.positions {
            let x = transform.x(position)
            canvas.strokeSegment(Point(x: x, y: transform.area.minY), Point(x: x, y: transform.area.maxY),
                                 color: color, width: 0.8)
        }
        for position in yTicks.positions {
            let y = transform.y(position)
            canvas.strokeSegment(Point(x: transform.area.minX, y: y), Point(x: transform.area.maxX, y: y),
                                 color: color, width: 0.8)
        }
    }

    private func drawSpines(area: Rect, allFour: Bool) {
        canvas.setLineCap(.square)
        canvas.setColor(.black)
        canvas.setLineWidth(Style.spineWidth)
        if allFour {
            canvas.rectangle(area.x, area.y, area.width, area.height)
        } else {
            canvas.moveTo(area.minX, area.minY)
            canvas.lineTo(area.minX, area.maxY)
            canvas.lineTo(area.maxX, area.maxY)
        }
        canvas.stroke()
        canvas.setLineCap(.butt)
    }

    private func drawXTicks(_ ticks: Axis.Ticks, area: Rect, transform: DataTransform, font: Double,
                            matrix: HeatmapMark?) {
        let rotated = rotatesColumnLabels(ticks, width: area.width, font: font)
        for (position, label) in zip(ticks.positions, ticks.labels) {
            let x = transform.x(position)
            canvas.strokeSegment(Point(x: x, y: area.maxY), Point(x: x, y: area.maxY + Style.tickLength),
                                 color: .black, width: Style.spineWidth)
            let anchor = Point(x: x, y: area.maxY + Style.tickLength + Style.tickPad)
            if rotated {
                canvas.draw(label, at: anchor, size: font, horizontal: .right, vertical: .center, rotation: .pi / 2)
            } else {
                canvas.draw(label, at: anchor, size: font, vertical: .top)
            }
        }
        for position in ticks.minorPositions {
            let x = transform.x(position)
            canvas.strokeSegment(Point(x: x, y: area.maxY), Point(x: x, y: area.maxY + Style.minorTickLength),
                                 color: .black, width: 0.6)
        }
        if let multiplier = ticks.multiplier {
            let height = canvas.measure("0", size: font).height
            canvas.draw(multiplier, at: Point(x: area.maxX, y: area.maxY + Style.tickLength + Style.tickPad + height + 2),
                        size: font, horizontal: .right, vertical: .top)
        }
    }

    private func drawYTicks(_ ticks: Axis.Ticks, area: Rect, transform: DataTransform, font: Double) {
        for (position, label) in zip(ticks.positions, ticks.labels) {
            let y = transform.y(position)
            canvas.strokeSegment(Point(x: area.minX - Style.tickLength, y: y), Point(x: area.minX, y: y),
                                 color: .black, width: Style.spineWidth)
            canvas.draw(label, at: Point(x: area.minX - Style.tickLength - Style.tickPad, y: y), size: font,
                        horizontal: .right, vertical: .center)
        }
        for position in ticks.minorPositions {
            let y = transform.y(position)
            canvas.strokeSegment(Point(x: area.minX - Style.minorTickLength, y: y), Point(x: area.minX, y: y),
                                 color: .black, width: 0.6)
        }
        if let multiplier = ticks.multiplier {
            canvas.draw(multiplier, at: Point(x: area.minX, y: area.minY - 3), size: font, horizontal: .left,
                        vertical: .bottom)
        }
    }

    private func drawLabels(area: Rect, xTicks: Axis.Ticks, yTicks: Axis.Ticks, tickFont: Double,
                            matrix: HeatmapMark?) {
        if let xLabel = panel.xLabel, !xLabel.isEmpty {
            var labelTop = area.maxY + Style.tickLength + Style.tickPad + Style.labelPad
            if rotatesColumnLabels(xTicks, width: area.width, font: tickFont) {
                labelTop += xTicks.labels.map { canvas.measure($0, size: tickFont).width }.max() ?? 0
            } else {
                labelTop += canvas.measure("0", size: tickFont).height
            }
            canvas.draw(xLabel, at: Point(x: area.x + area.width / 2, y: labelTop), size: Style.labelFont,
                        vertical: .top)
        }
        if let yLabel = panel.yLabel, !yLabel.isEmpty {
            let widest = yTicks.labels.map { canvas.measure($0, size: tickFont).width }.max() ?? 0
            let x = area.minX - Style.tickLength - Style.tickPad - widest - Style.labelPad
            canvas.draw(yLabel, at: Point(x: x, y: area.y + area.height / 2), size: Style.labelFont,
                        vertical: .bottom, rotation: .pi / 2)
        }
        if let title = panel.title {
            canvas.draw(title, at: Point(x: area.x + area.width / 2, y: area.minY - Style.titlePad),
                        size: Style.titleFont, vertical: .bottom)
        }
    }
}

/// Data coordinates to page points inside the axes rectangle.
struct DataTransform {
    let area: Rect
    let xAxis: Axis
    let yAxis: Axis

    func x(_ value: Double) -> Double { area.minX + xAxis.fraction(value) * area.width }
    func y(_ value: Double) -> Double { area.maxY - yAxis.fraction(value) * area.height }
    func point(_ xValue: Double, _ yValue: Double) -> Point { Point(x: x(xValue), y: y(yValue)) }
}
