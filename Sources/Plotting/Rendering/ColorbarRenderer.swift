/// A vertical colour scale: the colour map's 256 entries from bottom (low) to top (high), framed, with nice ticks and
/// an optional rotated label on the right.
struct ColorbarRenderer {
    let specification: ColorbarSpecification
    let canvas: Canvas

    static let gap = 8.0
    static let width = 10.0

    private func ticks(height: Double) -> Axis.Ticks {
        let limits = specification.limits
        return Axis.linearTicks(low: limits.lowerBound, high: limits.upperBound,
                                maximumCount: Swift.max(2, Swift.min(8, Int(height / (Style.tickFont * 2.5)) + 1)))
    }

    /// Room the colour bar needs right of the axes, including its gap, labels and title.
    func requiredWidth(height: Double) -> Double {
        let labels = ticks(height: height).labels.map { canvas.measure($0, size: Style.tickFont).width }
        var width = ColorbarRenderer.gap + ColorbarRenderer.width + Style.tickLength + Style.tickPad
            + (labels.max() ?? 0)
        if let label = specification.label, !label.isEmpty {
            width += Style.labelPad + canvas.measure(label, size: Style.labelFont).height
        }
        return width
    }

    func draw(in bar: Rect) {
        guard bar.height > 0 else { return }
        canvas.fillVerticalGradient(specification.colormap.colors, x: bar.x, y: bar.y, width: bar.width,
                                    height: bar.height)
        canvas.setColor(.black)
        canvas.setLineWidth(Style.spineWidth)
        canvas.rectangle(bar.x, bar.y, bar.width, bar.height)
        canvas.stroke()
        let axis = Axis(scale: .linear, low: specification.limits.lowerBound, high: specification.limits.upperBound)
        let ticks = ticks(height: bar.height)
        var widest = 0.0
        for (position, label) in zip(ticks.positions, ticks.labels) {
            let y = bar.maxY - axis.fraction(position) * bar.height
            canvas.strokeSegment(Point(x: bar.maxX, y: y), Point(x: bar.maxX + Style.tickLength, y: y),
                                 color: .black, width: Style.spineWidth)
            canvas.draw(label, at: Point(x: bar.maxX + Style.tickLength + Style.tickPad, y: y), size: Style.tickFont,
                        horizontal: .left, vertical: .center)
            widest = Swift.max(widest, canvas.measure(label, size: Style.tickFont).width)
        }
        if let multiplier = ticks.multiplier {
            canvas.draw(multiplier, at: Point(x: bar.minX, y: bar.minY - 3), size: Style.tickFont, horizontal: .left,
                        vertical: .bottom)
        }
        if let label = specification.label, !label.isEmpty {
            let x = bar.maxX + Style.tickLength + Style.tickPad + widest + Style.labelPad
            canvas.draw(label, at: Point(x: x, y: bar.y + bar.height / 2), size: Style.labelFont, vertical: .top,
                        rotation: .pi / 2)
        }
    }
}
