/// A legend: one row per labelled mark (line sample, shaded band, marker or patch, then the label), framed in light
/// grey on a translucent white box, placed in the requested corner or the one covering the fewest data points.
struct LegendRenderer {
    let panel: Panel
    let canvas: Canvas

    private enum Swatch {
        case line(Color, width: Double, style: LineStyle, band: Bool)
        case marker(Color)
        case patch(Color)
    }

    private var entries: [(String, Swatch)] {
        var entries: [(String, Swatch)] = []
        for mark in panel.marks {
            switch mark {
            case .line(let line):
                if let label = line.label {
                    entries.append((label, .line(line.color, width: line.width, style: line.style,
                                                 band: line.band != nil)))
                }
            case .scatter(let scatter):
                if let label = scatter.label { entries.append((label, .marker(scatter.colors[0]))) }
            case .bars(let bars):
                for (label, color) in bars.legend { entries.append((label, .patch(color.withAlpha(bars.alpha)))) }
            case .reference(let reference):
                if let label = reference.label {
                    entries.append((label, .line(reference.color, width: reference.width, style: reference.style,
                                                 band: false)))
                }
            case .heatmap: break
            }
        }
        return entries
    }

    static let padding = 4.0
    static let swatchLength = 18.0
    static let inset = 5.0

    func draw(in area: Rect, transform: DataTransform) {
        let entries = entries
        guard !entries.isEmpty else { return }
        let rowHeight = Style.legendFont * 1.35
        let textWidth = entries.map { canvas.measure($0.0, size: Style.legendFont).width }.max() ?? 0
        let boxWidth = 2 * LegendRenderer.padding + LegendRenderer.swatchLength + 6 + textWidth
        let boxHeight = 2 * LegendRenderer.padding + rowHeight * Double(entries.count)
        let box = placement(area: area, width: boxWidth, height: boxHeight, transform: transform)
        canvas.setColor(Color(white: 1, alpha: 0.8))
        canvas.rectangle(box.x, box.y, box.width, box.height)
        canvas.fillPreserve()
        canvas.setColor(Color(white: 0.8))
        canvas.setLineWidth(0.8)
        canvas.stroke()
        for (row, entry) in entries.enumerated() {
            let centerY = box.y + LegendRenderer.padding + rowHeight * (Double(row) + 0.5)
            let start = box.x + LegendRenderer.padding
            let end = start + LegendRenderer.swatchLength
            switch entry.1 {
            case let .line(color, width, style, band):
                if band {
                    canvas.setColor(color.withAlpha(0.25))
                    canvas.rectangle(start, centerY - rowHeight * 0.3, end - start, rowHeight * 0.6)
                    canvas.fill()
                }
                canvas.strokeSegment(Point(x: start, y: centerY), Point(x: end, y: centerY), color: color,
                                     width: width, dashes: style.dashes(width: width))
            case .marker(let color):
                canvas.setColor(color)
                canvas.circle((start + end) / 2, centerY, radius: 2.8)
                canvas.fill()
            case .patch(let color):
                canvas.setColor(color)
                canvas.rectangle(start + 2, centerY - rowHeight * 0.32, end - start - 4, rowHeight * 0.64)
                canvas.fill()
            }
            canvas.draw(entry.0, at: Point(x: end + 6, y: centerY), size: Style.legendFont, horizontal: .left,
                        vertical: .center)
        }
    }

    /// The legend's box: the requested corner, or the corner (upper right, upper left, lower left, lower right, in
    /// that order of preference) whose box covers the fewest data points.
    private func placement(area: Rect, width: Double, height: Double, transform: DataTransform) -> Rect {
        let inset = LegendRenderer.inset
        let corners: [LegendPlacement: Rect] = [
            .upperRight: Rect(x: area.maxX - inset - width, y: area.minY + inset, width: width, height: height),
            .upperLeft: Rect(x: area.minX + inset, y: area.minY + inset, width: width, height: height),
            .lowerLeft: Rect(x: area.minX + inset, y: area.maxY - inset - height, width: width, height: height),
            .lowerRight: Rect(x: area.maxX - inset - width, y: area.maxY - inset - height, width: width,
                              height: height),
        ]
        if let fixed = corners[panel.legend] { return fixed }
        let points = dataPoints(transform: transform)
        var best = corners[.upperRight]!
        var fewest = Int.max
        for corner in [LegendPlacement.upperRight, .upperLeft, .lowerLeft, .lowerRight] {
            let box = corners[corner]!
            let covered = points.reduce(0) { $0 + (box.contains($1) ? 1 : 0) }
            if covered < fewest {
                fewest = covered
                best = box
            }
        }
        return best
    }

    /// Page positions of the data: line vertices (densified so long segments count), band edges, markers, bar tops
    /// and the points along reference lines.
    private func dataPoints(transform: DataTransform) -> [Point] {
        var points: [Point] = []
        func addSegmentPoints(_ from: Point, _ to: Point) {
            let steps = Swift.max(1, Int((abs(to.x - from.x) + abs(to.y - from.y)) / 4))
            for step in 0...steps {
                let t = Double(step) / Double(steps)
                points.append(Point(x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t))
            }
        }
        func addPolyline(_ x: [Double], _ y: [Double]) {
            var previous: Point?
            for (xValue, yValue) in zip(x, y) {
                guard xValue.isFinite && yValue.isFinite else { previous = nil; continue }
                let point = transform.point(xValue, yValue)
                if let previous { addSegmentPoints(previous, point) } else { points.append(point) }
                previous = point
            }
        }
        for mark in panel.marks {
            switch mark {
            case .line(let line):
                addPolyline(line.x, line.y)
                if let band = line.band {
                    addPolyline(line.x, band.lower)
                    addPolyline(line.x, band.upper)
                }
            case .scatter(let scatter):
                for (x, y) in zip(scatter.x, scatter.y) where x.isFinite && y.isFinite {
                    points.append(transform.point(x, y))
                }
            case .bars(let bars):
                for rectangle in bars.rectangles where rectangle.height.isFinite {
                    let top = rectangle.bottom + rectangle.height
                    addSegmentPoints(transform.point(rectangle.x, top), transform.point(rectangle.x + rectangle.width, top))
                    addSegmentPoints(transform.point(rectangle.x + rectangle.width / 2, rectangle.bottom),
                                     transform.point(rectangle.x + rectangle.width / 2, top))
                }
            case .reference(let reference):
                let area = transform.area
                if reference.horizontal {
                    let y = transform.y(reference.value)
                    addSegmentPoints(Point(x: area.minX, y: y), Point(x: area.maxX, y: y))
                } else {
                    let x = transform.x(reference.value)
                    addSegmentPoints(Point(x: x, y: area.minY), Point(x: x, y: area.maxY))
                }
            case .heatmap: break
            }
        }
        return points
    }
}
