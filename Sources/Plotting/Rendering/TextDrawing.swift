/// Font sizes and spacing of matplotlib's default style, in points.
enum Style {
    static let tickFont = 9.0
    static let labelFont = 10.0
    static let titleFont = 11.0
    static let figureTitleFont = 12.0
    static let legendFont = 9.0
    static let smallFont = 8.0
    static let tickLength = 3.5
    static let minorTickLength = 2.0
    static let tickPad = 3.5
    static let labelPad = 4.0
    static let titlePad = 6.0
    static let spineWidth = 0.8
    static let textColor = Color(white: 0.1)
}

enum HorizontalAnchor { case left, center, right }
enum VerticalAnchor { case top, center, baseline, bottom }

extension Canvas {
    /// Width and height (ascent + descent) of a label at font `size`, superscript included.
    func measure(_ label: TickLabel, size: Double) -> (width: Double, height: Double) {
        setFont(size: size)
        let main = measure(label.text)
        var width = main.width
        if let superscript = label.superscript {
            setFont(size: size * 0.7)
            width += measure(superscript).width
        }
        return (width, main.ascent + main.descent)
    }

    func measure(_ text: String, size: Double, bold: Bool = false) -> (width: Double, height: Double) {
        setFont(size: size, bold: bold)
        let extents = measure(text)
        return (extents.width, extents.ascent + extents.descent)
    }

    /// Draws a label anchored at `point`; `rotation` (radians, counter-clockwise on the page) turns it about the anchor.
    func draw(_ label: TickLabel, at point: Point, size: Double, horizontal: HorizontalAnchor = .center,
              vertical: VerticalAnchor = .baseline, rotation: Double = 0, color: Color = Style.textColor,
              bold: Bool = false) {
        setFont(size: size, bold: bold)
        let main = measure(label.text)
        var width = main.width
        var superscriptWidth = 0.0
        if let superscript = label.superscript {
            setFont(size: size * 0.7, bold: bold)
            superscriptWidth = measure(superscript).width
            width += superscriptWidth
        }
        let dx: Double
        switch horizontal {
        case .left: dx = 0
        case .center: dx = -width / 2
        case .right: dx = -width
        }
        let dy: Double
        switch vertical {
        case .top: dy = main.ascent
        case .center: dy = (main.ascent - main.descent) / 2
        case .baseline: dy = 0
        case .bottom: dy = -main.descent
        }
        save()
        translate(point.x, point.y)
        if rotation != 0 { rotate(-rotation) }
        setColor(color)
        setFont(size: size, bold: bold)
        showText(label.text, x: dx, y: dy)
        if let superscript = label.superscript {
            setFont(size: size * 0.7, bold: bold)
            showText(superscript, x: dx + width - superscriptWidth, y: dy - main.ascent * 0.45)
        }
        restore()
    }

    func draw(_ text: String, at point: Point, size: Double, horizontal: HorizontalAnchor = .center,
              vertical: VerticalAnchor = .baseline, rotation: Double = 0, color: Color = Style.textColor,
              bold: Bool = false) {
        draw(TickLabel(text: text), at: point, size: size, horizontal: horizontal, vertical: vertical,
             rotation: rotation, color: color, bold: bold)
    }

    /// Strokes a straight segment.
    func strokeSegment(_ from: Point, _ to: Point, color: Color, width: Double, dashes: [Double] = []) {
        setColor(color)
        setLineWidth(width)
        setDash(dashes)
        moveTo(from.x, from.y)
        lineTo(to.x, to.y)
        stroke()
        setDash([])
    }
}
