import CCairo

/// The only Swift file that calls Cairo: a drawing context over one surface (image, SVG or PDF), with thin wrappers
/// for the calls the renderer needs. Coordinates are in points with y pointing down; an image canvas is scaled so
/// that one point is `dpi / 72` pixels.
final class Canvas {
    enum Kind { case image, svg, pdf }

    let kind: Kind
    private let surface: OpaquePointer
    private let context: OpaquePointer

    private init(kind: Kind, surface: OpaquePointer) {
        self.kind = kind
        self.surface = surface
        self.context = cairo_create(surface)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(context, CAIRO_LINE_CAP_BUTT)
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// An in-memory image of `pixelWidth × pixelHeight` pixels, filled white, whose user space is `scale` pixels per point.
    static func image(pixelWidth: Int, pixelHeight: Int, scale: Double) throws -> Canvas {
        precondition(pixelWidth <= maximumImageSide && pixelHeight <= maximumImageSide, "internal: image size")
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(pixelWidth), Int32(pixelHeight))!
        let canvas = Canvas(kind: .image, surface: surface)
        try canvas.checkStatus("create an image of \(pixelWidth) × \(pixelHeight) pixels")
        cairo_set_source_rgb(canvas.context, 1, 1, 1)
        cairo_paint(canvas.context)
        cairo_scale(canvas.context, scale, scale)
        return canvas
    }

    /// A vector surface writing to `path` (an SVG or PDF file) of `width × height` points.
    static func vector(_ kind: Kind, path: String, width: Double, height: Double) throws -> Canvas {
        let surface: OpaquePointer
        switch kind {
        case .svg: surface = cairo_svg_surface_create(path, width, height)!
        case .pdf: surface = cairo_pdf_surface_create(path, width, height)!
        case .image: preconditionFailure("internal: vector canvas of kind image")
        }
        let canvas = Canvas(kind: kind, surface: surface)
        try canvas.checkStatus("create \(path)")
        return canvas
    }

    /// Throws when Cairo has recorded an error on the surface or the context (they are sticky in Cairo).
    func checkStatus(_ action: String) throws {
        let surfaceStatus = cairo_surface_status(surface)
        let status = surfaceStatus != CAIRO_STATUS_SUCCESS ? surfaceStatus : cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlottingError("cairo", "cannot \(action): \(String(cString: cairo_status_to_string(status)))")
        }
    }

    // MARK: Metadata (PDF) and finishing

    /// Stores the document title and keywords in a PDF's information dictionary; no effect on other surfaces.
    func setDocumentMetadata(title: String, keywords: String) {
        guard kind == .pdf else { return }
        if !title.isEmpty { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        if !keywords.isEmpty { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_KEYWORDS, keywords) }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "bm")
    }

    /// Flushes and closes the surface; vector surfaces write their file here.
    func finish(_ action: String) throws {
        cairo_surface_flush(surface)
        cairo_surface_finish(surface)
        try checkStatus(action)
    }

    /// Writes an image canvas as PNG to `path`.
    func writePNG(to path: String) throws {
        cairo_surface_flush(surface)
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlottingError("cairo", "cannot write PNG \(path): \(String(cString: cairo_status_to_string(status)))")
        }
    }

    /// The pixels of an image canvas.
    func rasterImage() -> RasterImage {
        cairo_surface_flush(surface)
        return Canvas.unpremultipliedPixels(of: surface)
    }

    // MARK: State

    func save() { cairo_save(context) }
    func restore() { cairo_restore(context) }
    func translate(_ x: Double, _ y: Double) { cairo_translate(context, x, y) }
    func rotate(_ radians: Double) { cairo_rotate(context, radians) }

    func setColor(_ color: Color) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }

    func setLineWidth(_ width: Double) { cairo_set_line_width(context, width) }

    /// Dash lengths in points, alternating on and off; empty for a solid line.
    func setDash(_ pattern: [Double]) {
        pattern.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
    }

    enum LineCap { case butt, round, square }

    func setLineCap(_ cap: LineCap) {
        switch cap {
        case .butt: cairo_set_line_cap(context, CAIRO_LINE_CAP_BUTT)
        case .round: cairo_set_line_cap(context, CAIRO_LINE_CAP_ROUND)
        case .square: cairo_set_line_cap(context, CAIRO_LINE_CAP_SQUARE)
        }
    }

    // MARK: Paths

    func moveTo(_ x: Double, _ y: Double) { cairo_move_to(context, x, y) }
    func lineTo(_ x: Double, _ y: Double) { cairo_line_to(context, x, y) }
    func closePath() { cairo_close_path(context) }
    func newPath() { cairo_new_path(context) }
    func rectangle(_ x: Double, _ y: Double, _ width: Double, _ height: Double) {
        cairo_rectangle(context, x, y, width, height)
    }
    func circle(_ x: Double, _ y: Double, radius: Double) {
        cairo_new_sub_path(context)
        cairo_arc(context, x, y, radius, 0, 2 * Double.pi)
    }
    func stroke() { cairo_stroke(context) }
    func fill() { cairo_fill(context) }
    func fillPreserve() { cairo_fill_preserve(context) }
    func clip() { cairo_clip(context) }

    // MARK: Text (Cairo's toy text API)

    struct TextSize { var width: Double; var ascent: Double; var descent: Double }

    func setFont(size: Double, bold: Bool = false) {
        cairo_select_font_face(context, Canvas.fontFamily, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    /// The advance width of `text` and the font's ascent and descent, so that labels line up whatever their glyphs.
    func measure(_ text: String) -> TextSize {
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        var font = cairo_font_extents_t()
        cairo_font_extents(context, &font)
        return TextSize(width: extents.x_advance, ascent: font.ascent, descent: font.descent)
    }

    /// Draws `text` with its baseline starting at (x, y).
    func showText(_ text: String, x: Double, y: Double) {
        cairo_move_to(context, x, y)
        cairo_show_text(context, text)
        cairo_new_path(context)
    }

    // MARK: Images and gradients

    /// Cairo's limit on an image surface's width and height.
    static let maximumImageSide = 32767

    /// Paints RGBA pixels (row-major, 4 bytes each, not premultiplied) into the rectangle, smoothing when `smooth`.
    /// Callers keep images within `maximumImageSide`; an image Cairo cannot allocate is skipped (the context's status
    /// is checked after drawing).
    func drawImage(_ image: RasterImage, x: Double, y: Double, width: Double, height: Double, smooth: Bool) {
        guard image.width > 0, image.height > 0, image.width <= Canvas.maximumImageSide,
              image.height <= Canvas.maximumImageSide else { return }
        let source = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(image.width), Int32(image.height))!
        defer { cairo_surface_destroy(source) }
        cairo_surface_flush(source)
        let stride = Int(cairo_image_surface_get_stride(source))
        guard let data = cairo_image_surface_get_data(source) else { return }
        image.pixels.withUnsafeBufferPointer { pixels in
            for row in 0..<image.height {
                let line = UnsafeMutableRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
                for column in 0..<image.width {
                    let index = (row * image.width + column) * 4
                    let alpha = UInt32(pixels[index + 3])
                    func premultiplied(_ value: UInt8) -> UInt32 { (UInt32(value) * alpha + 127) / 255 }
                    line[column] = alpha << 24 | premultiplied(pixels[index]) << 16
                        | premultiplied(pixels[index + 1]) << 8 | premultiplied(pixels[index + 2])
                }
            }
        }
        cairo_surface_mark_dirty(source)
        save()
        cairo_rectangle(context, x, y, width, height)
        cairo_clip(context)
        cairo_translate(context, x, y)
        cairo_scale(context, width / Double(image.width), height / Double(image.height))
        cairo_set_source_surface(context, source, 0, 0)
        let pattern = cairo_get_source(context)
        cairo_pattern_set_filter(pattern, smooth ? CAIRO_FILTER_GOOD : CAIRO_FILTER_NEAREST)
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_paint(context)
        restore()
    }

    /// Fills the rectangle with a vertical gradient through `colors`, the first at the bottom.
    func fillVerticalGradient(_ colors: [Color], x: Double, y: Double, width: Double, height: Double) {
        guard colors.count > 1 else { return }
        let pattern = cairo_pattern_create_linear(x, y + height, x, y)!
        defer { cairo_pattern_destroy(pattern) }
        // Stops at both ends of each entry's interval reproduce a table's steps instead of blending across them.
        let count = Double(colors.count)
        for (index, color) in colors.enumerated() {
            cairo_pattern_add_color_stop_rgba(pattern, Double(index) / count,
                                              color.red, color.green, color.blue, color.alpha)
            cairo_pattern_add_color_stop_rgba(pattern, Double(index + 1) / count,
                                              color.red, color.green, color.blue, color.alpha)
        }
        cairo_set_source(context, pattern)
        cairo_rectangle(context, x, y, width, height)
        cairo_fill(context)
    }

    /// A triangle with one colour per corner, blended smoothly (Gouraud shading).
    struct ShadedTriangle {
        var points: (Point, Point, Point)
        var colors: (Color, Color, Color)
    }

    /// Paints triangles in order, later ones over earlier ones, as one Cairo mesh pattern.
    func drawShadedTriangles(_ triangles: [ShadedTriangle]) {
        guard !triangles.isEmpty else { return }
        let pattern = cairo_pattern_create_mesh()!
        defer { cairo_pattern_destroy(pattern) }
        for triangle in triangles {
            cairo_mesh_pattern_begin_patch(pattern)
            cairo_mesh_pattern_move_to(pattern, triangle.points.0.x, triangle.points.0.y)
            cairo_mesh_pattern_line_to(pattern, triangle.points.1.x, triangle.points.1.y)
            cairo_mesh_pattern_line_to(pattern, triangle.points.2.x, triangle.points.2.y)
            for (corner, color) in [(0, triangle.colors.0), (1, triangle.colors.1), (2, triangle.colors.2)] {
                cairo_mesh_pattern_set_corner_color_rgba(pattern, UInt32(corner),
                                                         color.red, color.green, color.blue, color.alpha)
            }
            cairo_mesh_pattern_end_patch(pattern)
        }
        cairo_set_source(context, pattern)
        cairo_paint(context)
    }

    // MARK: Reading PNG files

    /// Decodes a PNG file with Cairo's reader, or says why it cannot.
    static func readPNG(path: String) -> Result<RasterImage, PlottingError> {
        let surface = cairo_image_surface_create_from_png(path)!
        defer { cairo_surface_destroy(surface) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            return .failure(PlottingError("image.readPNG", "\(path): \(String(cString: cairo_status_to_string(status)))"))
        }
        return .success(unpremultipliedPixels(of: surface))
    }

    /// Converts any image surface to RGBA bytes without premultiplication.
    private static func unpremultipliedPixels(of surface: OpaquePointer) -> RasterImage {
        var converted = surface
        let format = cairo_image_surface_get_format(surface)
        let width = Int(cairo_image_surface_get_width(surface))
        let height = Int(cairo_image_surface_get_height(surface))
        var temporary: OpaquePointer?
        if format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24 {
            // Grey or 1-bit PNGs decode to other formats: paint them onto ARGB32 to read them uniformly.
            let argb = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))!
            let painter = cairo_create(argb)
            cairo_set_source_surface(painter, surface, 0, 0)
            cairo_paint(painter)
            cairo_destroy(painter)
            cairo_surface_flush(argb)
            temporary = argb
            converted = argb
        }
        defer { if let temporary { cairo_surface_destroy(temporary) } }
        let opaque = format == CAIRO_FORMAT_RGB24
        let stride = Int(cairo_image_surface_get_stride(converted))
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        if let data = cairo_image_surface_get_data(converted) {
            for row in 0..<height {
                let line = UnsafeRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
                for column in 0..<width {
                    let value = line[column]
                    let alpha = opaque ? 255 : Int(value >> 24)
                    let index = (row * width + column) * 4
                    for (channel, shift) in [(0, 16), (1, 8), (2, 0)] {
                        let premultiplied = Int((value >> UInt32(shift)) & 0xff)
                        pixels[index + channel] = alpha == 0 ? 0 : UInt8(Swift.min(255, (premultiplied * 255 + alpha / 2) / alpha))
                    }
                    pixels[index + 3] = UInt8(alpha)
                }
            }
        }
        return RasterImage(checkedWidth: width, height: height, pixels: pixels)
    }

    /// The font family for all text: DejaVu Sans (Debian's fonts-dejavu-core), which fontconfig substitutes when absent.
    static let fontFamily = "DejaVu Sans"
}
