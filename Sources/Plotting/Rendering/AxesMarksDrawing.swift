import Foundation

/// Drawing of the marks inside the axes (clipped by the caller): heatmap cells, bands and lines, markers, bars with
/// error bars, reference lines.
extension AxesRenderer {
    func drawMark(_ mark: Mark, transform: DataTransform) {
        switch mark {
        case .heatmap(let heatmap): drawHeatmap(heatmap, transform: transform)
        case .line(let line): drawLine(line, transform: transform)
        case .scatter(let scatter):
            for index in scatter.x.indices where scatter.x[index].isFinite && scatter.y[index].isFinite {
                let center = transform.point(scatter.x[index], scatter.y[index])
                canvas.setColor(scatter.colors.count == 1 ? scatter.colors[0] : scatter.colors[index])
                canvas.circle(center.x, center.y, radius: scatter.areas[index].squareRoot() / 2)
                canvas.fill()
            }
        case .bars(let bars): drawBars(bars, transform: transform)
        case .reference(let reference):
            let area = transform.area
            let (from, to): (Point, Point)
            if reference.horizontal {
                let y = transform.y(reference.value)
                (from, to) = (Point(x: area.minX, y: y), Point(x: area.maxX, y: y))
            } else {
                let x = transform.x(reference.value)
                (from, to) = (Point(x: x, y: area.minY), Point(x: x, y: area.maxY))
            }
            canvas.strokeSegment(from, to, color: reference.color, width: reference.width,
                                 dashes: reference.style.dashes(width: reference.width))
        }
    }

    private func drawLine(_ line: LineMark, transform: DataTransform) {
        if let band = line.band {
            // One polygon per run of finite values: upper edge forward, lower edge back.
            canvas.setColor(line.color.withAlpha(0.25))
            for run in finiteRuns(line.x, band.lower, band.upper) {
                for (step, index) in run.enumerated() {
                    let point = transform.point(line.x[index], band.upper[index])
                    step == 0 ? canvas.moveTo(point.x, point.y) : canvas.lineTo(point.x, point.y)
                }
                for index in run.reversed() {
                    let point = transform.point(line.x[index], band.lower[index])
                    canvas.lineTo(point.x, point.y)
                }
                canvas.closePath()
            }
            canvas.fill()
        }
        canvas.setColor(line.color)
        canvas.setLineWidth(line.width)
        canvas.setDash(line.style.dashes(width: line.width))
        canvas.setLineCap(.round)
        for run in finiteRuns(line.x, line.y) {
            for (step, index) in run.enumerated() {
                let point = transform.point(line.x[index], line.y[index])
                step == 0 ? canvas.moveTo(point.x, point.y) : canvas.lineTo(point.x, point.y)
            }
            if run.count == 1 {
                let point = transform.point(line.x[run[0]], line.y[run[0]])
                canvas.lineTo(point.x, point.y)
            }
        }
        canvas.stroke()
        canvas.setDash([])
        canvas.setLineCap(.butt)
    }

    /// Index runs where every given array is finite: NaN breaks a line.
    private func finiteRuns(_ arrays: [Double]...) -> [[Int]] {
        var runs: [[Int]] = []
        var current: [Int] = []
        for index in arrays[0].indices {
            if arrays.allSatisfy({ $0[index].isFinite }) {
                current.append(index)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    private func drawBars(_ bars: BarsMark, transform: DataTransform) {
        for rectangle in bars.rectangles where rectangle.height.isFinite {
            let corner = transform.point(rectangle.x, rectangle.bottom + rectangle.height)
            let opposite = transform.point(rectangle.x + rectangle.width, rectangle.bottom)
            canvas.setColor(rectangle.color.withAlpha(bars.alpha))
            canvas.rectangle(Swift.min(corner.x, opposite.x), Swift.min(corner.y, opposite.y),
                             abs(opposite.x - corner.x), abs(opposite.y - corner.y))
            canvas.fill()
        }
        let barWidth = bars.rectangles.first.map { abs(transform.x($0.x + $0.width) - transform.x($0.x)) } ?? 10
        let cap = Swift.min(3, barWidth * 0.25)
        for error in bars.errors where error.y.isFinite && error.error.isFinite {
            let x = transform.x(error.x)
            let top = transform.y(error.y + error.error), bottom = transform.y(error.y - error.error)
            canvas.strokeSegment(Point(x: x, y: top), Point(x: x, y: bottom), color: .black, width: 1)
            canvas.strokeSegment(Point(x: x - cap, y: top), Point(x: x + cap, y: top), color: .black, width: 1)
            canvas.strokeSegment(Point(x: x - cap, y: bottom), Point(x: x + cap, y: bottom), color: .black, width: 1)
        }
    }

    private func drawHeatmap(_ heatmap: HeatmapMark, transform: DataTransform) {
        var pixels = [UInt8](repeating: 0, count: heatmap.rows * heatmap.columns * 4)
        let nanColor = Color.lightGrey
        for row in 0..<heatmap.rows {
            // Matrices put row 0 on top; extents put it at the bottom (origin lower, as times are plotted).
            let imageRow = heatmap.xExtent == nil ? row : heatmap.rows - 1 - row
            for column in 0..<heatmap.columns {
                let value = heatmap.values[row * heatmap.columns + column]
                let color = value.isNaN ? nanColor : heatmap.colormap.color(of: value, limits: heatmap.limits)
                let index = (imageRow * heatmap.columns + column) * 4
                pixels[index] = UInt8((color.red * 255).rounded())
                pixels[index + 1] = UInt8((color.green * 255).rounded())
                pixels[index + 2] = UInt8((color.blue * 255).rounded())
                pixels[index + 3] = 255
            }
        }
        let image = RasterImage(checkedWidth: heatmap.columns, height: heatmap.rows, pixels: pixels)
        let xRange = heatmap.xExtent ?? (-0.5)...(Double(heatmap.columns) - 0.5)
        let yRange = heatmap.yExtent ?? (-0.5)...(Double(heatmap.rows) - 0.5)
        let a = transform.point(xRange.lowerBound, yRange.lowerBound)
        let b = transform.point(xRange.upperBound, yRange.upperBound)
        canvas.drawImage(image, x: Swift.min(a.x, b.x), y: Swift.min(a.y, b.y), width: abs(b.x - a.x),
                         height: abs(b.y - a.y), smooth: false)
        for separator in heatmap.separators {
            let position = Double(separator) - 0.5
            if separator < heatmap.columns {
                let x = transform.x(position)
                canvas.strokeSegment(Point(x: x, y: Swift.min(a.y, b.y)), Point(x: x, y: Swift.max(a.y, b.y)),
                                     color: .white, width: 1.2)
            }
            if separator < heatmap.rows {
                let y = transform.y(position)
                canvas.strokeSegment(Point(x: Swift.min(a.x, b.x), y: y), Point(x: Swift.max(a.x, b.x), y: y),
                                     color: .white, width: 1.2)
            }
        }
    }
}
