/// Text rasterised by Cairo (DejaVu Sans, grayscale antialiasing) as an ink-coverage bitmap, for stimuli such as
/// written words: 0 where the page is blank, 1 where a glyph covers the pixel fully, fractions along glyph edges.
public enum TextBitmap {
    /// Ink coverage `[height * width]` (row-major from the top-left) of `text` drawn at `fontSize` pixels (the em
    /// size), its advance box centred horizontally on `centerX` and its ascent–descent box centred vertically on
    /// `centerY` (pixel coordinates from the top-left).
    ///
    /// Coverage is read from black text painted on a white image: `1 − red / 255`.
    /// - Throws: `PlottingError` (`text.render`) when `width` or `height` is outside 1…4096, `fontSize` is not
    ///   positive and finite, a centre is not finite, or Cairo fails.
    public static func render(_ text: String, width: Int, height: Int, fontSize: Double, centerX: Double,
                              centerY: Double, bold: Bool = false) throws -> [Float] {
        let operation = "text.render"
        guard (1...4096).contains(width), (1...4096).contains(height) else {
            throw PlottingError(operation, "width and height must lie in 1...4096 pixels, got \(width) × \(height)")
        }
        try checkFontSize(fontSize, operation)
        guard centerX.isFinite, centerY.isFinite else {
            throw PlottingError(operation, "the centre must be finite, got (\(centerX), \(centerY))")
        }
        let canvas = try Canvas.image(pixelWidth: width, pixelHeight: height, scale: 1)
        canvas.setFont(size: fontSize, bold: bold)
        let extents = canvas.measure(text)
        canvas.setColor(Color(white: 0))
        canvas.showText(text, x: centerX - extents.width / 2, y: centerY + (extents.ascent - extents.descent) / 2)
        try canvas.checkStatus("draw the text \"\(text)\"")
        let image = canvas.rasterImage()
        var coverage = [Float](repeating: 0, count: width * height)
        for index in 0..<(width * height) { coverage[index] = 1 - Float(image.pixels[4 * index]) / 255 }
        return coverage
    }

    /// The advance width of `text` in pixels at `fontSize` (how far the pen moves), to fit a word into an image.
    /// - Throws: `PlottingError` (`text.measure`) when `fontSize` is not positive and finite.
    public static func advanceWidth(_ text: String, fontSize: Double, bold: Bool = false) throws -> Double {
        try checkFontSize(fontSize, "text.measure")
        let canvas = try Canvas.image(pixelWidth: 1, pixelHeight: 1, scale: 1)
        canvas.setFont(size: fontSize, bold: bold)
        return canvas.measure(text).width
    }

    private static func checkFontSize(_ fontSize: Double, _ operation: String) throws {
        guard fontSize.isFinite, fontSize > 0 else {
            throw PlottingError(operation, "the font size must be positive and finite, got \(fontSize)")
        }
    }
}
