import Datasets
import Foundation

/// A figure: a grid of `rows × columns` panels on a page of `width × height` points, saved as PNG, SVG or PDF.
///
/// ```swift
/// var figure = try Figure(rows: 1, columns: 2, width: 500, height: 220)
/// try figure.updatePanel(0) { panel in
///     try panel.line(x: times, y: meanScore, lower: meanScore - sem, upper: meanScore + sem, label: "V1")
///     panel.xLabel = "Time (s)"
/// }
/// try figure.updatePanel(1) { try $0.heatmap(rdm, colormap: "viridis", colorbarLabel: "1 − r") }
/// try figure.save(to: "figure.pdf")
/// ```
/// Panels are numbered row by row from 0 (top left).
public struct Figure {
    public let rows: Int
    public let columns: Int
    /// Page size in points (1/72 inch).
    public let width: Double
    public let height: Double
    /// Pixels per inch of PNG output: a PNG has round(width × dpi / 72) × round(height × dpi / 72) pixels.
    public var dpi: Double
    /// The figure title above all panels (matplotlib's suptitle), 12 pt.
    public var title: String?
    /// The panels, row by row.
    public private(set) var panels: [Panel]

    /// The largest PNG side in pixels; larger requests are refused instead of exhausting memory.
    public static let maximumPixels = 20_000

    /// A figure with empty panels. Defaults: one panel, 6.4 × 4.8 inches (matplotlib's default) at 150 dpi.
    /// Throws `PlottingError` (`figure`) for rows or columns below 1, non-positive or non-finite sizes or dpi,
    /// or a PNG size above `maximumPixels` per side.
    public init(rows: Int = 1, columns: Int = 1, width: Double = 460.8, height: Double = 345.6,
                dpi: Double = 150) throws {
        guard rows >= 1, columns >= 1 else {
            throw PlottingError("figure", "a figure needs at least one row and one column, got \(rows) × \(columns)")
        }
        guard rows <= 1024 && columns <= 1024 && rows * columns <= 1024 else {
            throw PlottingError("figure", "\(rows) × \(columns) panels is more than the 1024 a figure can hold")
        }
        for (name, value) in [("width", width), ("height", height), ("dpi", dpi)] {
            try Panel.requirePositive(value, name: name, operation: "figure")
        }
        self.rows = rows
        self.columns = columns
        self.width = width
        self.height = height
        self.dpi = dpi
        self.panels = Array(repeating: Panel(), count: rows * columns)
        _ = try pixelSize(operation: "figure")
    }

    /// The PNG size in pixels: round(points × dpi / 72) per side, at least 1 (0 while `dpi` is not a positive
    /// number; saving then throws).
    public var pixelWidth: Int { Figure.pixels(width, dpi: dpi) }
    public var pixelHeight: Int { Figure.pixels(height, dpi: dpi) }

    private static func pixels(_ points: Double, dpi: Double) -> Int {
        let value = (points * dpi / 72).rounded()
        guard dpi > 0, !value.isNaN else { return 0 }
        // Sizes far beyond any canvas are capped here and refused by `pixelSize`.
        return Int(Swift.min(Swift.max(value, 1), 1e12))
    }

    /// The panel at `index` (row-major from 0). Throws `PlottingError` (`figure.panel`) when out of range.
    public func panel(_ index: Int) throws -> Panel {
        panels[try checkedIndex(index)]
    }

    /// The panel at `row`, `column` (from 0). Throws `PlottingError` (`figure.panel`) when either is out of range.
    public func panel(row: Int, column: Int) throws -> Panel {
        panels[try index(row: row, column: column)]
    }

    /// Replaces the panel at `index`. Throws `PlottingError` (`figure.panel`) when out of range.
    public mutating func setPanel(_ panel: Panel, at index: Int) throws {
        panels[try checkedIndex(index)] = panel
    }

    /// Changes the panel at `index` in place; errors thrown by `body` leave the panel unchanged.
    /// Throws `PlottingError` (`figure.panel`) when out of range, and whatever `body` throws.
    public mutating func updatePanel(_ index: Int, _ body: (inout Panel) throws -> Void) throws {
        let checked = try checkedIndex(index)
        var copy = panels[checked]
        try body(&copy)
        panels[checked] = copy
    }

    /// The row-major index of `row`, `column`. Throws `PlottingError` (`figure.panel`) when out of range.
    public func index(row: Int, column: Int) throws -> Int {
        guard (0..<rows).contains(row), (0..<columns).contains(column) else {
            throw PlottingError("figure.panel", "row \(row), column \(column) is outside this \(rows) × \(columns) "
                                + "figure (rows 0...\(rows - 1), columns 0...\(columns - 1))")
        }
        return row * columns + column
    }

    private func checkedIndex(_ index: Int) throws -> Int {
        guard (0..<panels.count).contains(index) else {
            throw PlottingError("figure.panel", "panel \(index) is out of range for this \(rows) × \(columns) figure "
                                + "(panels 0...\(panels.count - 1))")
        }
        return index
    }

    private func pixelSize(operation: String) throws -> (Int, Int) {
        try Panel.requirePositive(dpi, name: "dpi", operation: operation)
        guard pixelWidth <= Figure.maximumPixels, pixelHeight <= Figure.maximumPixels else {
            throw PlottingError(operation, "\(pixelWidth) × \(pixelHeight) pixels (\(width) × \(height) points at "
                                + "\(dpi) dpi) exceeds \(Figure.maximumPixels) pixels per side")
        }
        return (pixelWidth, pixelHeight)
    }

    // MARK: Output

    /// The output formats `save(to:)` knows, by file extension.
    public static let formats = ["png", "svg", "pdf"]

    /// Draws the figure into `path`, choosing the format by extension (case-insensitive): `.png` (raster at `dpi`),
    /// `.svg` or `.pdf` (vector; heatmaps and shaded maps are embedded images). The file is written atomically
    /// (a temporary file in the same folder, then renamed), so a failed save leaves any old file intact. SVG files
    /// carry the figure's text in `<title>` and `<desc>` and PDF files in their Title and Keywords, so that the
    /// figures can be searched.
    /// Throws `PlottingError` (`figure.save`) for an unknown extension (listing png, svg, pdf), a log axis over
    /// non-positive data, or a Cairo failure; `DataError` when the folder does not exist or cannot be written.
    public func save(to path: String) throws {
        let operation = "figure.save"
        let fileExtension = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard Figure.formats.contains(fileExtension) else {
            let shown = fileExtension.isEmpty ? "no extension" : "extension \".\(fileExtension)\""
            throw PlottingError(operation, "\(path) has \(shown); use one of "
                                + Figure.formats.map { ".\($0)" }.joined(separator: ", "))
        }
        // Draw into memory first so that data errors surface before any file is touched.
        if fileExtension == "png" {
            let canvas = try renderedCanvas(operation: operation)
            try AtomicFile.write(to: path, operation: operation) { temporary in
                try canvas.writePNG(to: temporary)
            }
            return
        }
        try validate(operation: operation)
        let kind: Canvas.Kind = fileExtension == "svg" ? .svg : .pdf
        try AtomicFile.write(to: path, operation: operation) { temporary in
            let canvas = try Canvas.vector(kind, path: temporary, width: width, height: height)
            canvas.setDocumentMetadata(title: title ?? "", keywords: allText().joined(separator: "; "))
            try FigureRenderer(figure: self, canvas: canvas).draw()
            try canvas.finish("write \(path)")
            if kind == .svg { try SVGText.addTitle(to: temporary, title: title, text: allText()) }
        }
    }

    /// Draws the figure into memory at `dpi` and returns its pixels (for display and tests).
    /// Throws `PlottingError` as `save` does for data problems.
    public func renderImage() throws -> RasterImage {
        try renderedCanvas(operation: "figure.render").rasterImage()
    }

    private func renderedCanvas(operation: String) throws -> Canvas {
        let (pixelWidth, pixelHeight) = try pixelSize(operation: operation)
        try validate(operation: operation)
        let canvas = try Canvas.image(pixelWidth: pixelWidth, pixelHeight: pixelHeight, scale: dpi / 72)
        try FigureRenderer(figure: self, canvas: canvas).draw()
        try canvas.checkStatus("draw the figure")
        return canvas
    }

    /// Throws the first data problem (log axes over non-positive values) with the panel's index.
    private func validate(operation: String) throws {
        for (index, panel) in panels.enumerated() {
            do {
                _ = try AxesLayout.limits(of: panel)
            } catch let error as PlottingError {
                throw PlottingError(operation, "panel \(index): \(error.message)")
            }
        }
    }

    /// Every string the figure shows, in drawing order: titles, axis labels, legend entries, tick and category labels.
    func allText() -> [String] {
        var text: [String] = []
        if let title { text.append(title) }
        for panel in panels {
            text += [panel.title, panel.xLabel, panel.yLabel, panel.colorbar?.label].compactMap { $0 }
            for mark in panel.marks {
                switch mark {
                case .line(let line): text += [line.label].compactMap { $0 }
                case .scatter(let scatter): text += [scatter.label].compactMap { $0 }
                case .bars(let bars): text += bars.legend.map(\.0) + (bars.groupTicks?.labels ?? [])
                case .reference(let reference): text += [reference.label].compactMap { $0 }
                case .heatmap(let heatmap): text += (heatmap.rowLabels ?? []) + (heatmap.columnLabels ?? [])
                }
            }
            if case .images(let grid) = panel.content { text += grid.titles ?? [] }
        }
        return text
    }
}
